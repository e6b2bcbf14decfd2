namespace PrepaidPower.Notifications.Outbox;

/// <summary>What the account side needs: hand over events to be told to customers, durably and at most once per key and channel.</summary>
public interface INotificationOutbox
{
    /// <summary>
    /// Renders every request and stores one row per (deduplication key, channel) that is not stored yet, in one
    /// transaction; a key seen before adds nothing. Returns the number of new rows.
    /// </summary>
    /// <exception cref="Templates.TemplateException">A request lacks a value its template needs; nothing is stored.</exception>
    /// <exception cref="ArgumentException">A request is malformed; nothing is stored.</exception>
    Task<int> EnqueueAsync(IEnumerable<NotificationRequest> requests, CancellationToken cancellationToken = default);
}
