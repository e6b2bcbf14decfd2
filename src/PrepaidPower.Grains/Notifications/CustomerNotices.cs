// Which account events a customer is told about, and how one becomes a notification request (pure, no I/O).
using System.Collections.Frozen;
using System.Globalization;
using PrepaidPower.Contracts;
using PrepaidPower.Contracts.Accounts;
using PrepaidPower.Domain.Credit;
using PrepaidPower.Grains.Accounts;
using PrepaidPower.Notifications;

namespace PrepaidPower.Grains.Notifications;

/// <summary>
/// Turns an <see cref="AccountEvent"/> into a <see cref="NotificationRequest"/> for the account's customer. Only the
/// codes in <see cref="CustomerFacingCodes"/> (plus <c>LOW_CREDIT_n</c> for any level) are sent; the rest are
/// operator-side (audit, dashboards). A code without its own template is rendered with the catalog's generic one.
/// The de-duplication key is <c>accountId:eventCode:eventNumber</c>: the event number is persisted with the account
/// before the event is published, so a redelivered (or re-published) event yields the same key and is sent once.
/// </summary>
public static class CustomerNotices
{
    /// <summary>
    /// Event codes a customer is told about. Everything else (LOW_CREDIT_RECOVERED, EMERGENCY_CREDIT_REPAID,
    /// RECONNECT_THRESHOLD_NOT_REACHED, PROTECTION_ADDED/REMOVED, …) stays internal.
    /// </summary>
    public static readonly FrozenSet<string> CustomerFacingCodes = FrozenSet.ToFrozenSet(
    [
        CreditEventCodes.LowCredit1,
        CreditEventCodes.LowCredit2,
        CreditEventCodes.LowCreditDaysLeft,
        CreditEventCodes.EmergencyCreditAvailable,
        CreditEventCodes.EmergencyCreditActivated,
        CreditEventCodes.EmergencyCreditExhausted,
        CreditEventCodes.ArrearsNoticeServed,
        CreditEventCodes.ArrearsCleared,
        CreditEventCodes.LimitStepApplied,
        CreditEventCodes.LimitLifted,
        CreditEventCodes.DisconnectionDeferredProtected,
        CreditEventCodes.DisconnectionDue,
        CreditEventCodes.Disconnected,
        CreditEventCodes.Reconnected,
        CreditEventCodes.ReconnectBlockedEnforcement,
        CreditEventCodes.ReconnectBlockedSafety,
        CreditEventCodes.EnforcementCut,
        CreditEventCodes.EnforcementLifted,
        CreditEventCodes.SafetyTripped,
        CreditEventCodes.SafetyCleared,
    ], StringComparer.Ordinal);

    /// <summary>Domain codes whose template is filed under another name in the catalog.</summary>
    private static readonly FrozenDictionary<string, string> TemplateCodes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [CreditEventCodes.LowCreditDaysLeft] = "DAYS_OF_CREDIT_LOW",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// True when the customer is told about <paramref name="e"/>. A DISCONNECTED that follows an enforcement cut or a
    /// safety trip is not sent: the customer was told by ENFORCEMENT_CUT / SAFETY_TRIPPED, and the DISCONNECTED
    /// template speaks of arrears.
    /// </summary>
    public static bool IsCustomerFacing(AccountEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.Code == CreditEventCodes.Disconnected)
        {
            return e.Reason is null or "arrears";
        }
        return CustomerFacingCodes.Contains(e.Code) || IsLowCreditLevel(e.Code);
    }

    /// <summary>The stable key of one event: <c>accountId:eventCode:eventNumber</c>.</summary>
    public static string DeduplicationKey(AccountEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return $"{e.AccountId}:{e.Code}:{e.EventNumber.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>
    /// The request for <paramref name="e"/> on <paramref name="account"/>, or null when the event is not customer-facing
    /// or the account has no contact details (no reminders wanted). Values missing on the event (the balance of a
    /// DISCONNECTED or RECONNECTED, the deadline of a DISCONNECTION_DUE) are taken from the account as it is now.
    /// </summary>
    public static NotificationRequest? ToRequest(AccountEvent e, AccountView account)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(account);
        if (!IsCustomerFacing(e) || account.Contact is not { } contact)
        {
            return null;
        }
        var language = Language(e.Language ?? contact.Language);
        var zone = TimeZoneOf(account.TimeZone);
        var balance = e.Balance ?? account.Balance.Balance;
        var data = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["balance"] = balance.Amount,
            ["currency"] = CurrencyWord(balance.Currency, language),
            ["amount"] = EmergencyCreditLimit(account, balance.Currency),
            ["until"] = FormatInstant(e.Until ?? e.At, zone, language),
            ["level"] = e.Level?.ToString(CultureInfo.InvariantCulture) ?? "",
            ["kw"] = e.Kilowatts?.ToString("0.###", CultureInfo.InvariantCulture) ?? "",
            ["days"] = e.DaysOfCreditLeft?.ToString("0.#", CultureInfo.InvariantCulture) ?? "",
            ["reason"] = e.Reason ?? "",
        };
        return new NotificationRequest(
            e.AccountId,
            TemplateCodes.GetValueOrDefault(e.Code, e.Code),
            e.At.ToUniversalTime(),
            language,
            new Recipient(contact.Phone, contact.Email, contact.PushId),
            data,
            DeduplicationKey(e));
    }

    /// <summary>"zh" for any Chinese tag (zh, zh-CN, zh-Hans-CN), otherwise "en" (the catalog's two languages).</summary>
    public static string Language(string? tag) =>
        tag is not null && (tag.Equals("zh", StringComparison.OrdinalIgnoreCase) || tag.StartsWith("zh-", StringComparison.OrdinalIgnoreCase)) ? "zh" : "en";

    /// <summary>How a reader of <paramref name="language"/> reads the currency: 元 for yuan in Chinese, else the ISO code.</summary>
    public static string CurrencyWord(string currency, string language) =>
        language == "zh" && currency == "CNY" ? "元" : currency;

    /// <summary>An instant in the account's zone: "2026年3月9日 09:00" in Chinese, "9 March 2026 09:00" in English.</summary>
    public static string FormatInstant(DateTimeOffset instant, TimeZoneInfo zone, string language)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var local = TimeZoneInfo.ConvertTime(instant, zone);
        return language == "zh"
            ? local.ToString("yyyy'年'M'月'd'日' HH:mm", CultureInfo.InvariantCulture)
            : local.ToString("d MMMM yyyy HH:mm", CultureInfo.InvariantCulture);
    }

    private static bool IsLowCreditLevel(string code) =>
        code.StartsWith("LOW_CREDIT_", StringComparison.Ordinal) && int.TryParse(code.AsSpan("LOW_CREDIT_".Length), NumberStyles.None, CultureInfo.InvariantCulture, out _);

    private static TimeZoneInfo TimeZoneOf(string id) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;

    private static string EmergencyCreditLimit(AccountView account, string currency)
    {
        // The account validated its policy when it was opened, so mapping it again cannot fail for a real account.
        var policy = CreditMapping.ToPolicy(account.CreditPolicy, Domain.Currency.FromCode(currency));
        return policy.EmergencyCredit is { } ec ? MoneyAmount.From(ec.Limit).Amount : new MoneyAmount(0, currency).Amount;
    }
}
