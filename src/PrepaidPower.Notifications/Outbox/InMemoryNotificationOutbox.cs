// The outbox kept in process memory, for the quick-look mode (--in-memory) and tests: same rules as PostgreSQL's, no durability.
namespace PrepaidPower.Notifications.Outbox;

/// <summary>
/// <b>In-memory, not durable</b>: an outbox held in this process's memory, for the quick-look mode (<c>--in-memory</c>)
/// and tests. Everything in it is lost when the process stops, so it must never back a production deployment; use
/// <see cref="PostgresNotificationOutbox"/> there. Otherwise it keeps the same rules: one row per (deduplication key,
/// channel) — the same key again adds nothing; claims are leases (a row whose claimer does not finish is due again when
/// the lease ends, counting an attempt); completing a claim needs its token, so an expired claim cannot overwrite a newer
/// one; failed rows are due again at the time given, or dead. All times come from the injected <see cref="TimeProvider"/>.
/// Thread-safe.
/// </summary>
public sealed class InMemoryNotificationOutbox(NotificationComposer composer, TimeProvider time) : INotificationOutbox, IOutboxQueue
{
    private readonly Lock _gate = new();
    private readonly List<Row> _rows = [];
    private readonly HashSet<(string Key, ChannelKind Channel)> _keys = [];
    private long _nextId;

    public Task<int> EnqueueAsync(IEnumerable<NotificationRequest> requests, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        // Render everything first, so that one bad request stores nothing (as in PostgreSQL, one transaction).
        var messages = requests.SelectMany(composer.Compose).ToList();
        return EnqueueAsync(messages, cancellationToken);
    }

    /// <summary>Stores already rendered messages, skipping (key, channel) pairs already stored. Returns the number of new rows.</summary>
    public Task<int> EnqueueAsync(IReadOnlyList<OutgoingNotification> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        cancellationToken.ThrowIfCancellationRequested();
        var now = time.GetUtcNow();
        var added = 0;
        lock (_gate)
        {
            foreach (var message in messages)
            {
                if (_keys.Add((message.DeduplicationKey, message.Channel)))
                {
                    _rows.Add(new Row(++_nextId, message, now));
                    added++;
                }
            }
        }

        return Task.FromResult(added);
    }

    /// <summary>
    /// Claims up to <paramref name="max"/> due rows — pending ones whose time has come and sending ones whose lease
    /// ended — for <paramref name="lease"/>, counting an attempt on each; earliest due first.
    /// </summary>
    public Task<IReadOnlyList<ClaimedNotification>> ClaimAsync(int max, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        var now = time.GetUtcNow();
        var token = Guid.NewGuid();
        lock (_gate)
        {
            var claimed = _rows
                .Where(r => r.Status is OutboxStatus.Pending or OutboxStatus.Sending && r.NextAttemptAt <= now)
                .OrderBy(r => r.NextAttemptAt).ThenBy(r => r.Id)
                .Take(max)
                .ToList();
            foreach (var row in claimed)
            {
                row.Status = OutboxStatus.Sending;
                row.Attempts++;
                row.NextAttemptAt = now + lease;
                row.ClaimToken = token;
            }

            return Task.FromResult<IReadOnlyList<ClaimedNotification>>(
                [.. claimed.Select(r => new ClaimedNotification(r.Id, token, r.Attempts, r.Message))]);
        }
    }

    /// <summary>Marks a claimed row delivered. False when the claim had expired and someone else holds the row now.</summary>
    public Task<bool> MarkDeliveredAsync(ClaimedNotification claim, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        lock (_gate)
        {
            if (Held(claim) is not { } row)
            {
                return Task.FromResult(false);
            }

            row.Status = OutboxStatus.Delivered;
            row.DeliveredAt = time.GetUtcNow();
            row.ClaimToken = null;
            row.LastError = null;
            return Task.FromResult(true);
        }
    }

    /// <summary>
    /// Records a failed attempt: due again at <paramref name="retryAt"/>, or dead when that is null. False when the
    /// claim had expired and someone else holds the row now.
    /// </summary>
    public Task<bool> MarkFailedAsync(ClaimedNotification claim, string error, DateTimeOffset? retryAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(error);
        lock (_gate)
        {
            if (Held(claim) is not { } row)
            {
                return Task.FromResult(false);
            }

            row.Status = retryAt is null ? OutboxStatus.Dead : OutboxStatus.Pending;
            row.NextAttemptAt = retryAt ?? row.NextAttemptAt;
            row.LastError = error.Length > 2000 ? error[..2000] : error;
            row.ClaimToken = null;
            return Task.FromResult(true);
        }
    }

    /// <summary>The rows of one deduplication key, one per channel, in order of insertion.</summary>
    public Task<IReadOnlyList<OutboxEntry>> FindAsync(string deduplicationKey, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<OutboxEntry>>(
                [.. _rows.Where(r => r.Message.DeduplicationKey == deduplicationKey).Select(r => r.ToEntry())]);
        }
    }

    /// <summary>Row counts by status (every status present, zero when none).</summary>
    public Task<IReadOnlyDictionary<OutboxStatus, long>> CountByStatusAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var counts = Enum.GetValues<OutboxStatus>().ToDictionary(s => s, s => (long)_rows.Count(r => r.Status == s));
            return Task.FromResult<IReadOnlyDictionary<OutboxStatus, long>>(counts);
        }
    }

    private Row? Held(ClaimedNotification claim)
    {
        var row = _rows.Find(r => r.Id == claim.Id);
        return row is { Status: OutboxStatus.Sending } && row.ClaimToken == claim.ClaimToken ? row : null;
    }

    private sealed class Row(long id, OutgoingNotification message, DateTimeOffset createdAt)
    {
        public long Id { get; } = id;

        public OutgoingNotification Message { get; } = message;

        public DateTimeOffset CreatedAt { get; } = createdAt;

        public OutboxStatus Status { get; set; } = OutboxStatus.Pending;

        public int Attempts { get; set; }

        public DateTimeOffset NextAttemptAt { get; set; } = createdAt;

        public Guid? ClaimToken { get; set; }

        public string? LastError { get; set; }

        public DateTimeOffset? DeliveredAt { get; set; }

        public OutboxEntry ToEntry() =>
            new(Id, Message.DeduplicationKey, Message.Channel, Status, Attempts, NextAttemptAt, LastError, CreatedAt, DeliveredAt, Message);
    }
}
