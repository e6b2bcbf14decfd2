// One rendered message for one channel: what the outbox stores as a row's payload and what a channel sends.
using System.Text.Json.Serialization;

namespace PrepaidPower.Notifications;

/// <summary>
/// A message rendered from a template for one channel and one address. Stored as JSON in the outbox, so the words a
/// customer receives are fixed when the event is enqueued, not when a retry finally gets through.
/// </summary>
/// <param name="DeduplicationKey">The request's key; with <see cref="Channel"/> it identifies this delivery.</param>
/// <param name="Channel">The channel it is for.</param>
/// <param name="To">Phone number, push token, e-mail address, or the account id for the log channel.</param>
/// <param name="Title">E-mail subject or push title; empty for SMS.</param>
/// <param name="Body">SMS text, e-mail body (plain text) or push body.</param>
/// <param name="AccountId">The account the event belongs to.</param>
/// <param name="EventCode">The event code as given (not the template's, which may be the generic one).</param>
/// <param name="Language">The language the message was rendered in (<c>en</c> or <c>zh</c>).</param>
/// <param name="OccurredAt">When the event happened (UTC).</param>
public sealed record OutgoingNotification(
    string DeduplicationKey,
    ChannelKind Channel,
    string To,
    string Title,
    string Body,
    string AccountId,
    string EventCode,
    string Language,
    DateTimeOffset OccurredAt)
{
    /// <summary>
    /// The identity of this one delivery, <c>"{DeduplicationKey}:{channel}"</c>: what webhook receivers get as
    /// <c>id</c> and <c>Idempotency-Key</c>. The channel is part of it because SMS and push of the same event may reach
    /// the same gateway and must not cancel each other out.
    /// </summary>
    [JsonIgnore]
    public string DeliveryId => $"{DeduplicationKey}:{Channel.Name()}";
}
