using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace PrepaidPower.Persistence.Orleans;

/// <summary>The identity of one stored grain state (table <c>grain_state</c>).</summary>
/// <param name="GrainType">The grain type, e.g. "meter".</param>
/// <param name="GrainKey">The grain's key, e.g. "m-000042".</param>
/// <param name="StateName">The persistent state's name within the grain.</param>
public readonly record struct GrainStateKey(string GrainType, string GrainKey, string StateName)
{
    /// <inheritdoc/>
    public override string ToString() => $"{GrainType}/{GrainKey} state '{StateName}'";
}

/// <summary>A stored grain state: its payload (null after a clear) and version (the ETag).</summary>
public readonly record struct StoredGrainState(byte[]? Payload, int Version);

/// <summary>A write lost its version check: another writer moved the row (or created it) first.</summary>
public sealed class GrainStateVersionConflictException(GrainStateKey key, int? expected, int? stored)
    : Exception($"The stored {key} is at version {(stored is { } s ? s.ToString(CultureInfo.InvariantCulture) : "none")}, not at version {(expected is { } e ? e.ToString(CultureInfo.InvariantCulture) : "none (a first write)")} as the writer expected; another activation wrote it. Reload the grain (deactivate it) and retry.")
{
    public GrainStateKey Key { get; } = key;

    public int? Expected { get; } = expected;

    public int? Stored { get; } = stored;
}

/// <summary>How <see cref="GroupCommitGrainStateStore"/> batches; checked when the store is built.</summary>
public sealed record GroupCommitGrainStateOptions
{
    /// <summary>Most writes in one statement and transaction, 1–10,000. Default 500.</summary>
    public int MaxBatchWrites { get; init; } = 500;

    /// <summary>Most reads in one query, 1–10,000. Default 1,000.</summary>
    public int MaxBatchReads { get; init; } = 1_000;

    /// <summary>
    /// Writer loops, each with its own connection, 1–32. Default 2: while one batch commits, the next is gathered and
    /// written. There is no waiting for a batch to fill: a loop takes whatever is queued, so a lone write goes at once
    /// and under load the writes queue up behind the commit in flight and go together.
    /// </summary>
    public int Writers { get; init; } = 2;

    /// <summary>Reader loops, 1–32. Default 2.</summary>
    public int Readers { get; init; } = 2;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad option and its allowed range.</summary>
    public void Validate()
    {
        if (MaxBatchWrites is < 1 or > 10_000)
        {
            throw new ArgumentException($"MaxBatchWrites {MaxBatchWrites} is out of range; use 1–10,000 (default 500).", nameof(MaxBatchWrites));
        }

        if (MaxBatchReads is < 1 or > 10_000)
        {
            throw new ArgumentException($"MaxBatchReads {MaxBatchReads} is out of range; use 1–10,000 (default 1,000).", nameof(MaxBatchReads));
        }

        if (Writers is < 1 or > 32)
        {
            throw new ArgumentException($"Writers {Writers} is out of range; use 1–32 (default 2).", nameof(Writers));
        }

        if (Readers is < 1 or > 32)
        {
            throw new ArgumentException($"Readers {Readers} is out of range; use 1–32 (default 2).", nameof(Readers));
        }
    }
}

/// <summary>
/// Grain states in PostgreSQL (table <c>grain_state</c>), with group commit. Every write still has its own version
/// check and its own outcome, and its task completes only when the transaction that holds it has committed; but the
/// writes of many grains go in one statement and one transaction, and the reads of many activations in one query.
/// A city's meters each write their state after every reading, so one transaction per write would make PostgreSQL's
/// per-transaction cost the limit of the whole platform.
/// </summary>
/// <remarks>
/// <para>
/// A version conflict fails only its own write (<see cref="GrainStateVersionConflictException"/>); the others in the
/// batch commit. Any other failure (connection lost, server restarting) fails every write of the batch being written
/// with that exception: the outcome is unknown (the commit may have happened just before the connection broke), so
/// the grain's next write fails its version check and the grain reloads. A batch is one transaction, so it is never
/// half-written.
/// </para>
/// <para>
/// One grain never has two writes in flight (it awaits each), so a batch holds each key at most once; should a second
/// write of a key arrive while the first is queued, it waits for the next batch, so writes of one key keep their order.
/// </para>
/// <para>The store does not own the data source. Dispose it to stop taking work; what is queued is written first.</para>
/// </remarks>
public sealed partial class GroupCommitGrainStateStore : IAsyncDisposable
{
    private const string WriteSql = """
        with input as (
            select * from unnest($2::text[], $3::text[], $4::text[], $5::bytea[], $6::int[])
                as i(grain_type, grain_key, state_name, payload, expected)),
        updated as (
            update grain_state g
               set payload = i.payload, version = g.version + 1, modified_at = now()
              from input i
             where i.expected is not null and g.service_id = $1 and g.grain_type = i.grain_type
               and g.grain_key = i.grain_key and g.state_name = i.state_name and g.version = i.expected
            returning g.grain_type, g.grain_key, g.state_name, g.version),
        inserted as (
            insert into grain_state (service_id, grain_type, grain_key, state_name, payload, version)
            select $1, i.grain_type, i.grain_key, i.state_name, i.payload, 1 from input i where i.expected is null
            on conflict on constraint grain_state_pk do nothing
            returning grain_type, grain_key, state_name, version)
        select grain_type, grain_key, state_name, version from updated
        union all
        select grain_type, grain_key, state_name, version from inserted
        """;

    private const string ReadSql = """
        select i.n, g.payload, g.version
          from unnest($2::text[], $3::text[], $4::text[]) with ordinality as i(grain_type, grain_key, state_name, n)
          join grain_state g on g.service_id = $1 and g.grain_type = i.grain_type and g.grain_key = i.grain_key
                            and g.state_name = i.state_name
        """;

    private const string VersionSql =
        "select version from grain_state where service_id = $1 and grain_type = $2 and grain_key = $3 and state_name = $4";

    private const string ClearSql = """
        update grain_state set payload = null, version = version + 1, modified_at = now()
         where service_id = $1 and grain_type = $2 and grain_key = $3 and state_name = $4 and version = $5
        returning version
        """;

    private const string DeleteSql = """
        delete from grain_state
         where service_id = $1 and grain_type = $2 and grain_key = $3 and state_name = $4 and version = $5
        returning version
        """;

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _serviceId;
    private readonly GroupCommitGrainStateOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<PendingWrite> _writes = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Channel<PendingRead> _reads = Channel.CreateUnbounded<PendingRead>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Task _loops;
    private long _writeTransactions;
    private long _writesCommitted;
    private long _readQueries;
    private long _readsAnswered;
    private int _disposed;

    /// <summary>Starts the store's loops on a database whose schema is applied (table <c>grain_state</c>).</summary>
    /// <param name="dataSource">The database; not owned.</param>
    /// <param name="serviceId">The Orleans service id: every row is keyed by it, so services can share a database.</param>
    /// <param name="options">Batching; null for the defaults.</param>
    /// <param name="logger">Failures of whole batches are logged here.</param>
    /// <exception cref="ArgumentException">The service id is empty or the options are invalid.</exception>
    public GroupCommitGrainStateStore(NpgsqlDataSource dataSource, string serviceId, GroupCommitGrainStateOptions? options = null, ILogger<GroupCommitGrainStateStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceId);
        options ??= new GroupCommitGrainStateOptions();
        options.Validate();
        _dataSource = dataSource;
        _serviceId = serviceId;
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _loops = Task.WhenAll(
            Enumerable.Range(0, options.Writers).Select(_ => Task.Run(RunWriterAsync))
                .Concat(Enumerable.Range(0, options.Readers).Select(_ => Task.Run(RunReaderAsync))));
    }

    /// <summary>Write transactions and writes committed, read queries and reads answered, so far.</summary>
    public (long WriteTransactions, long Writes, long ReadQueries, long Reads) Statistics => (
        Interlocked.Read(ref _writeTransactions), Interlocked.Read(ref _writesCommitted),
        Interlocked.Read(ref _readQueries), Interlocked.Read(ref _readsAnswered));

    /// <summary>Reads one state; null when it was never written (or was deleted).</summary>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public Task<StoredGrainState?> ReadAsync(GrainStateKey key)
    {
        Check(key);
        var pending = new PendingRead(key);
        if (!_reads.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(GroupCommitGrainStateStore), "The grain state store is shut down; nothing was read.");
        }

        return pending.Completion.Task;
    }

    /// <summary>
    /// Writes one state if the stored version is still <paramref name="expectedVersion"/> (null: only if no row exists)
    /// and answers the new version once the transaction has committed.
    /// </summary>
    /// <exception cref="GrainStateVersionConflictException">The stored version is another one.</exception>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public Task<int> WriteAsync(GrainStateKey key, byte[] payload, int? expectedVersion)
    {
        Check(key);
        ArgumentNullException.ThrowIfNull(payload);
        var pending = new PendingWrite(key, payload, expectedVersion);
        if (!_writes.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(GroupCommitGrainStateStore), "The grain state store is shut down; nothing was written.");
        }

        return pending.Completion.Task;
    }

    /// <summary>
    /// Clears one state at <paramref name="expectedVersion"/>: keeps the row with no payload and the next version, or
    /// deletes it. Answers the version the grain holds afterwards (null after a delete). Not batched: clears are rare.
    /// </summary>
    /// <exception cref="GrainStateVersionConflictException">The stored version is another one.</exception>
    public async Task<int?> ClearAsync(GrainStateKey key, int expectedVersion, bool delete)
    {
        Check(key);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await using var command = _dataSource.CreateCommand(delete ? DeleteSql : ClearSql);
        AddKey(command, key);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = expectedVersion });
        var result = await command.ExecuteScalarAsync().ConfigureAwait(false);
        if (result is not int version)
        {
            throw new GrainStateVersionConflictException(key, expectedVersion, await StoredVersionAsync(key).ConfigureAwait(false));
        }

        return delete ? null : version;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _writes.Writer.TryComplete();
        _reads.Writer.TryComplete();
        await _loops.ConfigureAwait(false);
    }

    private static void Check(GrainStateKey key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key.GrainType, nameof(key));
        ArgumentException.ThrowIfNullOrEmpty(key.GrainKey, nameof(key));
        ArgumentNullException.ThrowIfNull(key.StateName, nameof(key));
    }

    private async Task RunWriterAsync()
    {
        var reader = _writes.Reader;
        var batch = new List<PendingWrite>(_options.MaxBatchWrites);
        var keys = new HashSet<GrainStateKey>();
        // A second write of a key already in the batch waits here for the next one (the order of one key's writes holds).
        var deferred = new Queue<PendingWrite>();
        while (deferred.Count > 0 || await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            keys.Clear();
            var later = deferred.Count;
            while (later-- > 0 && batch.Count < _options.MaxBatchWrites)
            {
                var w = deferred.Dequeue();
                if (keys.Add(w.Key))
                {
                    batch.Add(w);
                }
                else
                {
                    deferred.Enqueue(w);
                }
            }

            while (batch.Count < _options.MaxBatchWrites && reader.TryRead(out var w))
            {
                if (keys.Add(w.Key))
                {
                    batch.Add(w);
                }
                else
                {
                    deferred.Enqueue(w);
                }
            }

            if (batch.Count > 0)
            {
                await WriteBatchAsync(batch).ConfigureAwait(false);
            }
        }
    }

    private async Task WriteBatchAsync(List<PendingWrite> batch)
    {
        var committed = new Dictionary<GrainStateKey, int>(batch.Count);
        try
        {
            await using var command = _dataSource.CreateCommand(WriteSql);
            AddKeys(command, batch.Select(w => w.Key));
            command.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = [.. batch.Select(w => w.Payload)], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
            command.Parameters.Add(new NpgsqlParameter<int?[]> { TypedValue = [.. batch.Select(w => w.Expected)], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
            // One statement is one transaction (autocommit): the results below are committed when the reader is done.
            await using (var rows = await command.ExecuteReaderAsync().ConfigureAwait(false))
            {
                while (await rows.ReadAsync().ConfigureAwait(false))
                {
                    committed[new GrainStateKey(rows.GetString(0), rows.GetString(1), rows.GetString(2))] = rows.GetInt32(3);
                }
            }

            Interlocked.Increment(ref _writeTransactions);
            Interlocked.Add(ref _writesCommitted, committed.Count);
        }
        catch (Exception e)
        {
            Log.BatchFailed(_logger, e, "write", batch.Count);
            foreach (var w in batch)
            {
                w.Completion.TrySetException(e);
            }

            return;
        }

        foreach (var w in batch)
        {
            if (committed.TryGetValue(w.Key, out var version))
            {
                w.Completion.TrySetResult(version);
            }
            else
            {
                _ = FailConflictAsync(w);
            }
        }
    }

    private async Task FailConflictAsync(PendingWrite w)
    {
        int? stored = null;
        try
        {
            stored = await StoredVersionAsync(w.Key).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // The version is only for the message; the conflict stands either way.
            Log.BatchFailed(_logger, e, "version look-up", 1);
        }

        w.Completion.TrySetException(new GrainStateVersionConflictException(w.Key, w.Expected, stored));
    }

    private async Task<int?> StoredVersionAsync(GrainStateKey key)
    {
        await using var command = _dataSource.CreateCommand(VersionSql);
        AddKey(command, key);
        return await command.ExecuteScalarAsync().ConfigureAwait(false) as int?;
    }

    private async Task RunReaderAsync()
    {
        var reader = _reads.Reader;
        var batch = new List<PendingRead>(_options.MaxBatchReads);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < _options.MaxBatchReads && reader.TryRead(out var r))
            {
                batch.Add(r);
            }

            if (batch.Count > 0)
            {
                await ReadBatchAsync(batch).ConfigureAwait(false);
            }
        }
    }

    private async Task ReadBatchAsync(List<PendingRead> batch)
    {
        var found = new StoredGrainState?[batch.Count];
        try
        {
            await using var command = _dataSource.CreateCommand(ReadSql);
            AddKeys(command, batch.Select(r => r.Key));
            await using var rows = await command.ExecuteReaderAsync().ConfigureAwait(false);
            while (await rows.ReadAsync().ConfigureAwait(false))
            {
                var index = (int)rows.GetInt64(0) - 1;
                found[index] = new StoredGrainState(rows.IsDBNull(1) ? null : rows.GetFieldValue<byte[]>(1), rows.GetInt32(2));
            }

            Interlocked.Increment(ref _readQueries);
            Interlocked.Add(ref _readsAnswered, batch.Count);
        }
        catch (Exception e)
        {
            Log.BatchFailed(_logger, e, "read", batch.Count);
            foreach (var r in batch)
            {
                r.Completion.TrySetException(e);
            }

            return;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Completion.TrySetResult(found[i]);
        }
    }

    /// <summary>$1 the service id, then $2–$4 the batch's grain types, keys and state names as arrays (for unnest).</summary>
    private void AddKeys(NpgsqlCommand command, IEnumerable<GrainStateKey> batch)
    {
        var keys = batch.ToArray();
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _serviceId });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. keys.Select(k => k.GrainType)] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. keys.Select(k => k.GrainKey)] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. keys.Select(k => k.StateName)] });
    }

    private void AddKey(NpgsqlCommand command, GrainStateKey key)
    {
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _serviceId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.GrainType });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.GrainKey });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.StateName });
    }

    private sealed class PendingWrite(GrainStateKey key, byte[] payload, int? expected)
    {
        public GrainStateKey Key { get; } = key;

        public byte[] Payload { get; } = payload;

        public int? Expected { get; } = expected;

        public TaskCompletionSource<int> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class PendingRead(GrainStateKey key)
    {
        public GrainStateKey Key { get; } = key;

        public TaskCompletionSource<StoredGrainState?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Grain state {Operation} of {Count} states failed; each caller gets the error")]
        public static partial void BatchFailed(ILogger logger, Exception exception, string operation, int count);
    }
}
