namespace PrepaidPower.Notifications.Outbox;

/// <summary>What the dispatcher needs from an outbox: leased claims of due rows and their outcomes (PostgreSQL or in-memory).</summary>
public interface IOutboxQueue
{
    /// <summary>Claims up to <paramref name="max"/> due rows for <paramref name="lease"/>; a claim not finished in time is due again.</summary>
    Task<IReadOnlyList<ClaimedNotification>> ClaimAsync(int max, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>Marks a claimed row delivered; false when the claim is no longer current (its lease ran out and another took it).</summary>
    Task<bool> MarkDeliveredAsync(ClaimedNotification claim, CancellationToken cancellationToken = default);

    /// <summary>Records a failed attempt: due again at <paramref name="retryAt"/>, or dead when it is null.</summary>
    Task<bool> MarkFailedAsync(ClaimedNotification claim, string error, DateTimeOffset? retryAt, CancellationToken cancellationToken = default);

    /// <summary>Rows per status, for health checks and dashboards.</summary>
    Task<IReadOnlyDictionary<OutboxStatus, long>> CountByStatusAsync(CancellationToken cancellationToken = default);
}
