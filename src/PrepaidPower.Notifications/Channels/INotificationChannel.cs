namespace PrepaidPower.Notifications.Channels;

/// <summary>A way to deliver an <see cref="OutgoingNotification"/>. Implementations never throw for delivery failures: they classify them.</summary>
public interface INotificationChannel
{
    /// <summary>The channel kind this sends; the dispatcher routes outbox rows by it.</summary>
    ChannelKind Kind { get; }

    /// <summary>Sends one message. Cancellation is the only exception that escapes.</summary>
    Task<DeliveryResult> SendAsync(OutgoingNotification notification, CancellationToken cancellationToken);
}

/// <summary>What became of one send.</summary>
public enum DeliveryOutcome
{
    /// <summary>The far side accepted it.</summary>
    Delivered,

    /// <summary>It may work later (network error, timeout, 5xx, 408, 429, SMTP 4xx): try again after a backoff.</summary>
    Transient,

    /// <summary>It will never work as it is (4xx, rejected address, SMTP 5xx): do not try again.</summary>
    Permanent,
}

/// <summary>The outcome of a send, with the reason when it failed.</summary>
/// <param name="Outcome">Delivered, or how it failed.</param>
/// <param name="Error">What went wrong, for the outbox's <c>last_error</c> and the log; null when delivered.</param>
/// <param name="RetryAfter">A delay the far side asked for (HTTP <c>Retry-After</c>); null when it asked for none.</param>
public sealed record DeliveryResult(DeliveryOutcome Outcome, string? Error = null, TimeSpan? RetryAfter = null)
{
    public static DeliveryResult Delivered { get; } = new(DeliveryOutcome.Delivered);

    public static DeliveryResult Transient(string error, TimeSpan? retryAfter = null) => new(DeliveryOutcome.Transient, error, retryAfter);

    public static DeliveryResult Permanent(string error) => new(DeliveryOutcome.Permanent, error);
}
