// The durable outbox in PostgreSQL: deduplicating inserts, leased claims with SKIP LOCKED, token-guarded completion.
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace PrepaidPower.Notifications.Outbox;

/// <summary>
/// The <c>notification_outbox</c> table (schema: <c>deploy/postgres/notifications/0100-notifications.sql</c>). Any
/// number of dispatchers in any number of processes may claim from it at once: <c>FOR UPDATE SKIP LOCKED</c> gives each
/// row to one of them, and a claim is a lease — a row whose claimer dies becomes due again when the lease ends, which
/// is what makes delivery at-least-once across crashes. All times come from the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed class PostgresNotificationOutbox(NpgsqlDataSource dataSource, NotificationComposer composer, TimeProvider time) : INotificationOutbox, IOutboxQueue
{
    private const string SchemaResource = "PrepaidPower.Notifications.0100-notifications.sql";

    // Serialises concurrent start-ups: CREATE TABLE IF NOT EXISTS alone can still race on the catalog.
    private const long SchemaLockKey = 0x5050_4e6f_7469_6679;

    /// <summary>Creates the table and index if they do not exist (safe to run on every start).</summary>
    public async Task EnsureSchemaAsync(CancellationToken cancellationToken = default)
    {
        string sql;
        await using (var stream = typeof(PostgresNotificationOutbox).Assembly.GetManifestResourceStream(SchemaResource)
            ?? throw new InvalidOperationException($"The embedded resource '{SchemaResource}' is missing from the build."))
        using (var reader = new StreamReader(stream))
        {
            sql = await reader.ReadToEndAsync(cancellationToken);
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand("select pg_advisory_xact_lock(@key)", connection, transaction))
        {
            lockCommand.Parameters.AddWithValue("key", SchemaLockKey);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var create = new NpgsqlCommand(sql, connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public Task<int> EnqueueAsync(IEnumerable<NotificationRequest> requests, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        // Render everything before touching the database, so that one bad request stores nothing.
        var messages = requests.SelectMany(composer.Compose).ToList();
        return EnqueueAsync(messages, cancellationToken);
    }

    /// <summary>Stores already rendered messages, skipping (key, channel) pairs already stored. Returns the number of new rows.</summary>
    public async Task<int> EnqueueAsync(IReadOnlyList<OutgoingNotification> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0)
        {
            return 0;
        }

        const string Sql = """
            insert into notification_outbox (dedup_key, channel, payload, status, attempts, next_attempt_at, created_at)
            select k, c, p::jsonb, 'pending', 0, @now, @now
            from unnest(@keys, @channels, @payloads) as t(k, c, p)
            on conflict (dedup_key, channel) do nothing
            """;
        await using var command = dataSource.CreateCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", time.GetUtcNow()));
        command.Parameters.Add(new NpgsqlParameter<string[]>("keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. messages.Select(m => m.DeduplicationKey)] });
        command.Parameters.Add(new NpgsqlParameter<string[]>("channels", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. messages.Select(m => m.Channel.Name())] });
        command.Parameters.Add(new NpgsqlParameter<string[]>("payloads", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. messages.Select(m => JsonSerializer.Serialize(m, OutboxJson.Default.OutgoingNotification))] });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Claims up to <paramref name="max"/> due rows — pending ones whose time has come and sending ones whose lease
    /// ended — for <paramref name="lease"/>, counting an attempt on each. Rows other claimers hold are skipped, not waited for.
    /// </summary>
    public async Task<IReadOnlyList<ClaimedNotification>> ClaimAsync(int max, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        const string Sql = """
            with due as (
                select id from notification_outbox
                where status in ('pending', 'sending') and next_attempt_at <= @now
                order by next_attempt_at, id
                limit @max
                for update skip locked)
            update notification_outbox o
            set status = 'sending', attempts = o.attempts + 1, next_attempt_at = @lease_end, claim_token = @token
            from due
            where o.id = due.id
            returning o.id, o.attempts, o.payload::text
            """;
        var now = time.GetUtcNow();
        var token = Guid.NewGuid();
        await using var command = dataSource.CreateCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("lease_end", now + lease));
        command.Parameters.Add(new NpgsqlParameter<int>("max", max));
        command.Parameters.Add(new NpgsqlParameter<Guid>("token", token));
        var claimed = new List<ClaimedNotification>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            claimed.Add(new ClaimedNotification(reader.GetInt64(0), token, reader.GetInt32(1), ReadPayload(reader.GetString(2))));
        }

        return claimed;
    }

    /// <summary>Marks a claimed row delivered. False when the claim had expired and someone else holds the row now.</summary>
    public async Task<bool> MarkDeliveredAsync(ClaimedNotification claim, CancellationToken cancellationToken = default)
    {
        const string Sql = """
            update notification_outbox
            set status = 'delivered', delivered_at = @now, claim_token = null, last_error = null
            where id = @id and claim_token = @token and status = 'sending'
            """;
        await using var command = dataSource.CreateCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", time.GetUtcNow()));
        command.Parameters.Add(new NpgsqlParameter<long>("id", claim.Id));
        command.Parameters.Add(new NpgsqlParameter<Guid>("token", claim.ClaimToken));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>
    /// Records a failed attempt: due again at <paramref name="retryAt"/>, or dead when that is null. False when the
    /// claim had expired and someone else holds the row now.
    /// </summary>
    public async Task<bool> MarkFailedAsync(ClaimedNotification claim, string error, DateTimeOffset? retryAt, CancellationToken cancellationToken = default)
    {
        const string Sql = """
            update notification_outbox
            set status = case when @dead then 'dead' else 'pending' end,
                next_attempt_at = coalesce(@retry_at, next_attempt_at),
                last_error = @error,
                claim_token = null
            where id = @id and claim_token = @token and status = 'sending'
            """;
        await using var command = dataSource.CreateCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter<bool>("dead", retryAt is null));
        command.Parameters.Add(new NpgsqlParameter("retry_at", NpgsqlDbType.TimestampTz) { Value = retryAt is { } at ? at.ToUniversalTime() : DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter<string>("error", error.Length > 2000 ? error[..2000] : error));
        command.Parameters.Add(new NpgsqlParameter<long>("id", claim.Id));
        command.Parameters.Add(new NpgsqlParameter<Guid>("token", claim.ClaimToken));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>The rows of one deduplication key, one per channel, in channel order of insertion.</summary>
    public async Task<IReadOnlyList<OutboxEntry>> FindAsync(string deduplicationKey, CancellationToken cancellationToken = default)
    {
        const string Sql = """
            select id, dedup_key, channel, status, attempts, next_attempt_at, last_error, created_at, delivered_at, payload::text
            from notification_outbox where dedup_key = @key order by id
            """;
        await using var command = dataSource.CreateCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter<string>("key", deduplicationKey));
        var rows = new List<OutboxEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            _ = ChannelKinds.TryParse(reader.GetString(2), out var channel);
            rows.Add(new OutboxEntry(
                reader.GetInt64(0),
                reader.GetString(1),
                channel,
                Enum.Parse<OutboxStatus>(reader.GetString(3), ignoreCase: true),
                reader.GetInt32(4),
                reader.GetFieldValue<DateTimeOffset>(5),
                reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.GetFieldValue<DateTimeOffset>(7),
                reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
                ReadPayload(reader.GetString(9))));
        }

        return rows;
    }

    /// <summary>Row counts by status, for monitoring (a growing <c>dead</c> or <c>pending</c> count needs a person).</summary>
    public async Task<IReadOnlyDictionary<OutboxStatus, long>> CountByStatusAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("select status, count(*) from notification_outbox group by status");
        var counts = Enum.GetValues<OutboxStatus>().ToDictionary(s => s, _ => 0L);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            counts[Enum.Parse<OutboxStatus>(reader.GetString(0), ignoreCase: true)] = reader.GetInt64(1);
        }

        return counts;
    }

    private static OutgoingNotification ReadPayload(string json) =>
        JsonSerializer.Deserialize(json, OutboxJson.Default.OutgoingNotification)
        ?? throw new InvalidDataException("An outbox payload is JSON null.");
}
