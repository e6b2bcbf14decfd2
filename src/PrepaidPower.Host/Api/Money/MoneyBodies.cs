using System.Text.Json.Serialization;

namespace PrepaidPower.Host.Api.Money;

/// <summary>A top-up: money paid in by the customer. The payment id travels in the Idempotency-Key header.</summary>
/// <param name="Amount">Major units with at most the currency's decimals, as a string or a number: "100.00".</param>
/// <param name="Currency">ISO 4217 code; must be the account's.</param>
/// <param name="Channel">How it was paid, e.g. "wechat", "counter", "bank".</param>
/// <param name="Note">Free text for the statement.</param>
/// <param name="ReceivedAt">When the money was received (UTC); default now.</param>
public sealed record TopUpBody(
    [property: JsonConverter(typeof(NumberOrStringConverter))] string Amount,
    string Currency,
    string Channel,
    string? Note = null,
    DateTimeOffset? ReceivedAt = null);

/// <summary>A refund (positive amount, taken from the balance) or an adjustment (either sign). Id in the Idempotency-Key header.</summary>
/// <param name="Amount">Major units, e.g. "5.00"; adjustments may be negative ("-5.00").</param>
/// <param name="Currency">ISO 4217 code; must be the account's.</param>
/// <param name="Reason">Why, for the audit trail and the statement (required).</param>
public sealed record CorrectionBody(
    [property: JsonConverter(typeof(NumberOrStringConverter))] string Amount,
    string Currency,
    string Reason);
