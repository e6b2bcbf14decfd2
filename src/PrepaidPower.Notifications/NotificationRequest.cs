// What the account side hands to notifications: one account event, who to tell, and the preformatted facts to tell.
namespace PrepaidPower.Notifications;

/// <summary>
/// One account event to tell a customer about. The notification layer does not know the credit policy's types: the
/// caller passes the event's code and the facts the templates need, already formatted for the recipient's language.
/// </summary>
/// <param name="AccountId">The account the event belongs to; also available to templates as <c>{accountId}</c>.</param>
/// <param name="EventCode">
/// The credit policy's event code, e.g. <c>LOW_CREDIT_1</c>; a code without its own template gets the generic one.
/// Available to templates as <c>{event}</c>.
/// </param>
/// <param name="OccurredAt">When the event happened (UTC instant).</param>
/// <param name="Language"><c>"en"</c> or <c>"zh"</c> (a region suffix such as <c>"zh-CN"</c> is ignored); anything else gets English.</param>
/// <param name="Recipient">Where to send: each address that is present adds one channel.</param>
/// <param name="Data">
/// Placeholder values by name (<c>balance</c>, <c>currency</c>, <c>amount</c>, <c>until</c>, <c>level</c>, <c>kw</c>,
/// <c>days</c>, <c>reason</c>), preformatted for <paramref name="Language"/>, e.g. <c>balance = "12.50"</c>,
/// <c>currency = "元"</c>. A template that needs a value missing here is rejected when the request is composed.
/// </param>
/// <param name="DeduplicationKey">
/// Stable identity of this event, e.g. <c>accountId:eventCode:eventSequence</c>: the same key sent again (a retry, a
/// replayed stream event) is stored and delivered once per channel.
/// </param>
public sealed record NotificationRequest(
    string AccountId,
    string EventCode,
    DateTimeOffset OccurredAt,
    string Language,
    Recipient Recipient,
    IReadOnlyDictionary<string, string> Data,
    string DeduplicationKey);

/// <summary>A customer's addresses; null or blank means "not on this channel".</summary>
/// <param name="Phone">SMS number in E.164 form, e.g. <c>+8613800138000</c>; sent through the SMS webhook gateway.</param>
/// <param name="Email">E-mail address; sent over SMTP.</param>
/// <param name="PushToken">The app's device push token; sent through the push webhook gateway.</param>
public sealed record Recipient(string? Phone = null, string? Email = null, string? PushToken = null);
