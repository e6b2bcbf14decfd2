namespace PrepaidPower.Notifications.Outbox;

/// <summary>Where an outbox row stands.</summary>
public enum OutboxStatus
{
    /// <summary>Waiting for its next attempt.</summary>
    Pending,

    /// <summary>Claimed by a dispatcher until the lease ends.</summary>
    Sending,

    /// <summary>Accepted by the channel.</summary>
    Delivered,

    /// <summary>Failed permanently or ran out of attempts.</summary>
    Dead,
}

/// <summary>One outbox row as operators and tests see it.</summary>
/// <param name="Id">The row's sequence number.</param>
/// <param name="DeduplicationKey">The request's key.</param>
/// <param name="Channel">The channel.</param>
/// <param name="Status">Where it stands.</param>
/// <param name="Attempts">Claims so far, including ones whose claimer died.</param>
/// <param name="NextAttemptAt">When it is due (pending), or when its lease ends (sending).</param>
/// <param name="LastError">The last failure's reason, or null.</param>
/// <param name="CreatedAt">When it was enqueued.</param>
/// <param name="DeliveredAt">When the channel accepted it, or null.</param>
/// <param name="Notification">The message.</param>
public sealed record OutboxEntry(
    long Id,
    string DeduplicationKey,
    ChannelKind Channel,
    OutboxStatus Status,
    int Attempts,
    DateTimeOffset NextAttemptAt,
    string? LastError,
    DateTimeOffset CreatedAt,
    DateTimeOffset? DeliveredAt,
    OutgoingNotification Notification);

/// <summary>A row a dispatcher has claimed; completing it needs the claim's token, so a claim that expired cannot overwrite a newer one.</summary>
/// <param name="Id">The row.</param>
/// <param name="ClaimToken">The claim's identity.</param>
/// <param name="Attempt">This attempt's number, 1 for the first.</param>
/// <param name="Notification">The message to send.</param>
public sealed record ClaimedNotification(long Id, Guid ClaimToken, int Attempt, OutgoingNotification Notification);
