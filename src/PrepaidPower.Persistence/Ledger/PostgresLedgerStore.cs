using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using PrepaidPower.Domain.Ledger;

namespace PrepaidPower.Persistence.Ledger;

/// <summary>
/// The ledger in PostgreSQL (table <c>ledger</c>, created by <see cref="LedgerSchema"/>). Appends from every caller
/// in the process go through one writer that group-commits them: it gathers what is waiting (up to
/// <see cref="PostgresLedgerStoreOptions.MaxBatchEntries"/> entries, waiting at most
/// <see cref="PostgresLedgerStoreOptions.MaxDelay"/> for more) and writes it with one binary COPY in one
/// transaction; each caller's task completes when that transaction has committed. External commits (top-ups,
/// refunds, adjustments) are not batched: each has its own transaction so it can be acknowledged at once.
/// </summary>
/// <remarks>
/// <para>
/// Rules, the same as <see cref="InMemoryLedgerStore"/>: sequences are gap-free per account (the database checks
/// it too); an append that collides with or skips past the account's last sequence faults only its own caller with
/// <see cref="LedgerSequenceConflictException"/> and writes none of that caller's entries, while the other callers
/// in the same transaction are committed. An external id is committed at most once (a unique index); a repeat with
/// the same request hash gets the original entries back, with another hash an <see cref="IdempotencyConflictException"/>.
/// <see cref="LedgerEntry.OccurredAt"/> is kept in UTC to the microsecond, <see cref="LedgerEntry.Details"/> as
/// jsonb (its text comes back normalised).
/// </para>
/// <para>
/// Failures: any other fault (connection lost, server restarting, timeout) faults the callers of the batch being
/// written with that exception, and the writer goes on with later appends. Such a fault means the outcome is
/// unknown — the commit may have happened just before the connection broke. The caller, an account grain, must
/// not go on serving the balance it tried to write: it deactivates, and its next activation reloads the tail of the
/// ledger. A transaction is all or nothing, so a batch is never half-written. A <see cref="CommitExternalAsync"/>
/// that faults that way may have committed too; its caller resends the same request with the same id and gets the
/// original entries back (or, if it was not committed, commits it now).
/// </para>
/// <para>
/// The store does not own <c>dataSource</c>. Dispose the store first: it stops taking appends, writes those already
/// queued, and then returns.
/// </para>
/// </remarks>
public sealed partial class PostgresLedgerStore : ILedgerStore, IAsyncDisposable
{
    private const string ReadColumns =
        "account_id, seq, kind, amount_minor, currency, balance_after_minor, occurred_at, external_id, request_hash, meter_id, register_from_wh, register_to_wh, exact_minor, reverses_seq, details";

    private const string CopyCommand = "COPY ledger (" + ReadColumns + ", external_entries) FROM STDIN (FORMAT BINARY)";

    private const string NextSequencesSql =
        "SELECT a.id, COALESCE((SELECT l.seq FROM ledger l WHERE l.account_id = a.id ORDER BY l.seq DESC LIMIT 1), 0) + 1 FROM unnest($1::text[]) AS a(id)";

    private const string FindExternalSql =
        "SELECT " + "l.account_id, l.seq, l.kind, l.amount_minor, l.currency, l.balance_after_minor, l.occurred_at, l.external_id, l.request_hash, l.meter_id, l.register_from_wh, l.register_to_wh, l.exact_minor, l.reverses_seq, l.details" +
        " FROM ledger f JOIN ledger l ON l.account_id = f.account_id AND l.seq >= f.seq AND l.seq < f.seq + f.external_entries" +
        " WHERE f.external_id = $1 ORDER BY l.seq";

    // Many accounts' tails in one query (a silo cold-starting a city activates thousands of accounts at once).
    private const string ReadTailsSql =
        "SELECT i.n, " + "l.account_id, l.seq, l.kind, l.amount_minor, l.currency, l.balance_after_minor, l.occurred_at, l.external_id, l.request_hash, l.meter_id, l.register_from_wh, l.register_to_wh, l.exact_minor, l.reverses_seq, l.details" +
        " FROM unnest($1::text[], $2::bigint[], $3::int[]) WITH ORDINALITY AS i(account_id, after_seq, max_rows, n)" +
        " CROSS JOIN LATERAL (SELECT * FROM ledger x WHERE x.account_id = i.account_id AND x.seq > i.after_seq ORDER BY x.seq LIMIT i.max_rows) l" +
        " ORDER BY i.n, l.seq";

    private const int MaxReadBatch = 500;

    private const string ReadPeriodSql =
        "SELECT " + ReadColumns + " FROM ledger WHERE account_id = $1 AND occurred_at >= $2 AND occurred_at < $3 ORDER BY seq LIMIT $4";

    private const string PrimaryKey = "ledger_pk";
    private const string GapFree = "ledger_gap_free";
    private const string ExternalIdIndex = "ledger_external_id";

    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresLedgerStoreOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<PendingAppend> _queue;
    private readonly Task _writer;
    private readonly Channel<PendingRead> _reads = Channel.CreateUnbounded<PendingRead>();
    private readonly Task _readers;
    private long _transactions;
    private long _appends;
    private long _entries;
    private long _rejected;
    private long _faulted;
    private int _disposed;

    /// <summary>Starts the store and its writer on the given database, whose schema must be applied already.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public PostgresLedgerStore(NpgsqlDataSource dataSource, PostgresLedgerStoreOptions? options = null, ILogger<PostgresLedgerStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        options ??= new PostgresLedgerStoreOptions();
        options.Validate();
        _dataSource = dataSource;
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _queue = Channel.CreateBounded<PendingAppend>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = options.Writers == 1,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _writer = Task.WhenAll(Enumerable.Range(0, options.Writers).Select(_ => Task.Run(RunWriterAsync)));
        _readers = Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(RunReaderAsync)));
    }

    /// <summary>What the group-commit writer has done so far.</summary>
    public LedgerWriterStatistics Statistics => new(
        Interlocked.Read(ref _transactions),
        Interlocked.Read(ref _appends),
        Interlocked.Read(ref _entries),
        Interlocked.Read(ref _rejected),
        Interlocked.Read(ref _faulted));

    /// <summary>Appends waiting for the writer (not counting the batch being written).</summary>
    internal int QueuedAppends => _queue.Reader.Count;

    /// <inheritdoc/>
    /// <remarks>
    /// Waits for room when <see cref="PostgresLedgerStoreOptions.QueueCapacity"/> appends are waiting already.
    /// Cancellation is honoured until the writer takes the append (then nothing is written); after that the task
    /// reports the commit's outcome.
    /// </remarks>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    public async Task AppendAsync(IReadOnlyList<LedgerEntry> entries, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var (rows, runs) = LedgerEntryRules.CheckAppend(entries);
        var pending = new PendingAppend(rows, runs, cancellationToken);
        try
        {
            await _queue.Writer.WriteAsync(pending, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new ObjectDisposedException(nameof(PostgresLedgerStore), "The ledger store was disposed while the append waited for room; nothing was written.");
        }

        await pending.Completion.Task.ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// One transaction of its own: look the external id up (a replay writes nothing), check the sequence, insert,
    /// commit. When a concurrent call with the same id wins the race, the loser's insert hits the unique index (or
    /// the primary key), and it answers from the winner's committed entries. Cancellation is not honoured once the
    /// commit is sent.
    /// </remarks>
    public async Task<ExternalCommit> CommitExternalAsync(IReadOnlyList<LedgerEntry> entries, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var rows = LedgerEntryRules.CheckExternal(entries);
        var first = rows[0];
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            // Sequence first, id second: each statement sees what was committed before it started, so if a
            // concurrent call with this id committed (and moved the sequence) before the first, the second sees it.
            var next = await NextSequencesAsync(connection, [first.AccountId], cancellationToken).ConfigureAwait(false);
            var original = await FindExternalAsync(connection, first.ExternalId!, cancellationToken).ConfigureAwait(false);
            if (original.Count > 0)
            {
                return Replay(original, first);
            }

            if (first.Sequence != next[first.AccountId])
            {
                throw new LedgerSequenceConflictException(first.AccountId, first.Sequence, next[first.AccountId]);
            }

            await CopyAsync(connection, rows, rows.Length, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            Log.ExternalCommitted(_logger, first.ExternalId!, first.AccountId, first.Sequence, rows.Length);
            return new ExternalCommit(rows, Replayed: false);
        }
        catch (PostgresException ex) when (ex.ConstraintName is PrimaryKey or GapFree or ExternalIdIndex)
        {
            // Someone committed between our look-up and our insert: if it was this id, its entries decide.
            var original = await FindExternalAsync(first.ExternalId!, cancellationToken).ConfigureAwait(false);
            if (original.Count > 0)
            {
                return Replay(original, first);
            }

            if (ex.ConstraintName == ExternalIdIndex)
            {
                throw; // cannot happen: a committed external id is never removed
            }

            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            var next = await NextSequencesAsync(connection, [first.AccountId], cancellationToken).ConfigureAwait(false);
            throw new LedgerSequenceConflictException(first.AccountId, first.Sequence, next[first.AccountId]);
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<LedgerEntry>> FindExternalAsync(string externalId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(externalId);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await FindExternalAsync(connection, externalId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<LedgerEntry>> ReadAsync(string accountId, long afterSequence, int max, CancellationToken cancellationToken = default)
    {
        LedgerEntryRules.CheckAccountId(accountId, nameof(accountId));
        LedgerEntryRules.CheckMax(max, nameof(max));
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        // Batched with other reads waiting at the same moment; a lone read goes at once.
        var pending = new PendingRead(accountId, afterSequence, max);
        if (!_reads.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(PostgresLedgerStore), "The ledger store is disposed; nothing was read.");
        }

        return await pending.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task RunReaderAsync()
    {
        var batch = new List<PendingRead>(MaxReadBatch);
        while (await _reads.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxReadBatch && _reads.Reader.TryRead(out var r))
            {
                batch.Add(r);
            }

            if (batch.Count == 0)
            {
                continue;
            }

            try
            {
                await using var command = _dataSource.CreateCommand(ReadTailsSql);
                command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. batch.Select(r => r.AccountId)] });
                command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. batch.Select(r => r.AfterSequence)] });
                command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. batch.Select(r => r.Max)] });
                var results = batch.Select(_ => new List<LedgerEntry>()).ToArray();
                await using (var reader = await command.ExecuteReaderAsync().ConfigureAwait(false))
                {
                    while (await reader.ReadAsync().ConfigureAwait(false))
                    {
                        results[(int)reader.GetInt64(0) - 1].Add(ReadEntry(reader, 1));
                    }
                }

                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Completion.TrySetResult(results[i]);
                }
            }
            catch (Exception e)
            {
                foreach (var r in batch)
                {
                    r.Completion.TrySetException(e);
                }
            }
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<LedgerEntry>> ReadPeriodAsync(string accountId, DateTimeOffset from, DateTimeOffset to, int max, CancellationToken cancellationToken = default)
    {
        LedgerEntryRules.CheckAccountId(accountId, nameof(accountId));
        LedgerEntryRules.CheckMax(max, nameof(max));
        LedgerPeriod.Check(from, to);
        await using var command = _dataSource.CreateCommand(ReadPeriodSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = accountId });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = LedgerEntryRules.ToUtcMicroseconds(from) });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = LedgerEntryRules.ToUtcMicroseconds(to) });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = max });
        return await ReadEntriesAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops taking appends, writes those already queued, and stops the writer. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _queue.Writer.TryComplete();
            _reads.Writer.TryComplete();
        }

        await _writer.ConfigureAwait(false);
        await _readers.ConfigureAwait(false);
    }

    private ExternalCommit Replay(IReadOnlyList<LedgerEntry> original, LedgerEntry request)
    {
        try
        {
            var result = ExternalReplay.Resolve(original, request);
            Log.ExternalReplayed(_logger, request.ExternalId!, original[0].AccountId, original[0].Sequence);
            return result;
        }
        catch (IdempotencyConflictException)
        {
            Log.ExternalConflict(_logger, request.ExternalId!, original[0].AccountId, original[0].Sequence);
            throw;
        }
    }

    private async Task RunWriterAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<PendingAppend>();
        // An append taken from the queue that did not fit the last batch starts the next one (with several writers an
        // append cannot be peeked at and left in the queue: another writer could take it in between).
        PendingAppend? carry = null;
        Log.WriterStarted(_logger, _options.MaxBatchEntries, _options.MaxDelay.TotalMilliseconds, _options.QueueCapacity);
        while (carry is not null || await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            var entries = 0;
            var full = Gather(reader, batch, ref entries, ref carry);
            if (!full && _options.MaxDelay > TimeSpan.Zero)
            {
                using var linger = new CancellationTokenSource(_options.MaxDelay, _options.TimeProvider);
                try
                {
                    while (!full && await reader.WaitToReadAsync(linger.Token).ConfigureAwait(false))
                    {
                        full = Gather(reader, batch, ref entries, ref carry);
                    }
                }
                catch (OperationCanceledException) when (linger.IsCancellationRequested)
                {
                    // MaxDelay is up: write what we have.
                }
            }

            if (batch.Count == 0)
            {
                continue;
            }

            try
            {
                await WriteGroupAsync(batch).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // A bug in the writer itself must not strand the callers nor stop later appends.
                Log.WriterFailed(_logger, ex);
                foreach (var pending in batch)
                {
                    Fault(pending, ex);
                }
            }

            batch.Clear();
        }

        Log.WriterStopped(_logger, Statistics.Transactions, Statistics.Entries);
    }

    /// <summary>
    /// Takes waiting appends while they fit; true when the batch is full or the next one does not fit (that one is left
    /// in <paramref name="carry"/> for the next batch).
    /// </summary>
    private bool Gather(ChannelReader<PendingAppend> reader, List<PendingAppend> batch, ref int entries, ref PendingAppend? carry)
    {
        while (true)
        {
            PendingAppend? next = carry;
            carry = null;
            if (next is null && !reader.TryRead(out next))
            {
                return false;
            }

            if (batch.Count > 0 && entries + next.Entries.Length > _options.MaxBatchEntries)
            {
                carry = next;
                return true;
            }

            if (next.CancellationToken.IsCancellationRequested)
            {
                next.Completion.TrySetCanceled(next.CancellationToken);
                continue;
            }

            batch.Add(next);
            entries += next.Entries.Length;
            if (entries >= _options.MaxBatchEntries)
            {
                return true;
            }
        }
    }

    /// <summary>
    /// Writes a group of appends in one transaction. Appends that do not continue their accounts (checked against
    /// the database inside the transaction, in queue order) are rejected alone. If another writer commits in between
    /// (the insert then hits the primary key or the gap check), each append is retried in a transaction of its own.
    /// </summary>
    private async Task WriteGroupAsync(IReadOnlyList<PendingAppend> group)
    {
        for (var attempt = 1; ; attempt++)
        {
            var commitSent = false;
            try
            {
                List<PendingAppend> accepted;
                List<(PendingAppend Append, LedgerSequenceConflictException Conflict)> rejected;
                await using (var connection = await _dataSource.OpenConnectionAsync().ConfigureAwait(false))
                await using (var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false))
                {
                    var accounts = group.SelectMany(p => p.Runs).Select(r => r.AccountId).Distinct(StringComparer.Ordinal).ToArray();
                    var next = await NextSequencesAsync(connection, accounts, CancellationToken.None).ConfigureAwait(false);
                    (accepted, rejected) = Plan(group, next);
                    if (accepted.Count > 0)
                    {
                        await CopyAsync(connection, accepted.SelectMany(p => p.Entries), 0, CancellationToken.None).ConfigureAwait(false);
                        commitSent = true;
                        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
                    }
                }

                var entries = accepted.Sum(p => p.Entries.Length);
                if (accepted.Count > 0)
                {
                    Interlocked.Increment(ref _transactions);
                    Interlocked.Add(ref _appends, accepted.Count);
                    Interlocked.Add(ref _entries, entries);
                    Log.BatchCommitted(_logger, accepted.Count, entries);
                }

                foreach (var pending in accepted)
                {
                    pending.Completion.TrySetResult();
                }

                foreach (var (pending, conflict) in rejected)
                {
                    Interlocked.Increment(ref _rejected);
                    Log.SequenceConflict(_logger, conflict.AccountId, conflict.Sequence, conflict.ExpectedSequence ?? 0);
                    pending.Completion.TrySetException(conflict);
                }

                return;
            }
            catch (PostgresException ex) when (ex.ConstraintName is PrimaryKey or GapFree)
            {
                if (group.Count > 1)
                {
                    Log.FallingBack(_logger, group.Count, ex.SqlState, ex.ConstraintName);
                    foreach (var pending in group)
                    {
                        await WriteGroupAsync([pending]).ConfigureAwait(false);
                    }

                    return;
                }

                if (attempt >= 2)
                {
                    var run = group[0].Runs[0];
                    var conflict = new LedgerSequenceConflictException(run.AccountId, run.First);
                    Interlocked.Increment(ref _rejected);
                    Log.SequenceConflict(_logger, run.AccountId, run.First, 0);
                    group[0].Completion.TrySetException(conflict);
                    return;
                }

                // Once more: the check inside the next transaction sees what the other writer committed and
                // names the exact conflict.
            }
            catch (Exception ex) when (attempt == 1 && !commitSent && IsTransient(ex))
            {
                // Nothing can have been committed. Pooled connections to a server that restarted are all dead:
                // drop them, and try once more on a fresh connection.
                Log.Retrying(_logger, group.Count, ex);
                _dataSource.Clear();
            }
            catch (Exception ex)
            {
                Log.BatchFailed(_logger, group.Count, commitSent, ex);
                if (IsTransient(ex))
                {
                    _dataSource.Clear();
                }

                foreach (var pending in group)
                {
                    Fault(pending, ex);
                }

                return;
            }
        }
    }

    /// <summary>Accepts appends in queue order while each continues its accounts; the rest are rejected alone.</summary>
    private static (List<PendingAppend> Accepted, List<(PendingAppend, LedgerSequenceConflictException)> Rejected) Plan(
        IReadOnlyList<PendingAppend> group, Dictionary<string, long> next)
    {
        var accepted = new List<PendingAppend>(group.Count);
        var rejected = new List<(PendingAppend, LedgerSequenceConflictException)>();
        foreach (var pending in group)
        {
            LedgerSequenceConflictException? conflict = null;
            foreach (var run in pending.Runs)
            {
                if (run.First != next[run.AccountId])
                {
                    conflict = new LedgerSequenceConflictException(run.AccountId, run.First, next[run.AccountId]);
                    break;
                }
            }

            if (conflict is not null)
            {
                rejected.Add((pending, conflict));
                continue;
            }

            accepted.Add(pending);
            foreach (var run in pending.Runs)
            {
                next[run.AccountId] = run.Last + 1;
            }
        }

        return (accepted, rejected);
    }

    private void Fault(PendingAppend pending, Exception ex)
    {
        if (pending.Completion.TrySetException(ex))
        {
            Interlocked.Increment(ref _faulted);
        }
    }

    /// <summary>Failures after which the same work may succeed on a new connection: lost connections, a server shutting down or starting.</summary>
    private static bool IsTransient(Exception ex) => ex switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal)
            || pg.SqlState.StartsWith("57P", StringComparison.Ordinal)
            || pg.SqlState.StartsWith("53", StringComparison.Ordinal)
            || pg.IsTransient,
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is IOException or System.Net.Sockets.SocketException,
        IOException or System.Net.Sockets.SocketException or TimeoutException => true,
        _ => false,
    };

    private static async Task<Dictionary<string, long>> NextSequencesAsync(NpgsqlConnection connection, string[] accountIds, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(NextSequencesSql, connection);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = accountIds });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var next = new Dictionary<string, long>(accountIds.Length, StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            next[reader.GetString(0)] = reader.GetInt64(1);
        }

        return next;
    }

    private static async Task CopyAsync(NpgsqlConnection connection, IEnumerable<LedgerEntry> rows, int externalEntries, CancellationToken cancellationToken)
    {
        await using var importer = await connection.BeginBinaryImportAsync(CopyCommand, cancellationToken).ConfigureAwait(false);
        foreach (var e in rows)
        {
            await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(e.AccountId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(e.Sequence, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync((short)e.Kind, NpgsqlDbType.Smallint, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(e.AmountMinor, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(e.Currency, NpgsqlDbType.Char, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(e.BalanceAfterMinor, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            // An instant may arrive with any offset (a meter's local clock); timestamptz takes UTC only.
            await importer.WriteAsync(e.OccurredAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
            await WriteTextAsync(importer, e.ExternalId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await WriteTextAsync(importer, e.RequestHash, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await WriteTextAsync(importer, e.MeterId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await WriteValueAsync(importer, e.RegisterFromWh, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            await WriteValueAsync(importer, e.RegisterToWh, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            await WriteValueAsync(importer, e.ExactMinor, NpgsqlDbType.Numeric, cancellationToken).ConfigureAwait(false);
            await WriteValueAsync(importer, e.ReversesSequence, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            await WriteTextAsync(importer, e.Details, NpgsqlDbType.Jsonb, cancellationToken).ConfigureAwait(false);
            await WriteValueAsync<int>(importer, e.ExternalId is null ? null : externalEntries, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
        }

        await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    private static Task WriteTextAsync(NpgsqlBinaryImporter importer, string? value, NpgsqlDbType type, CancellationToken cancellationToken) =>
        value is null ? importer.WriteNullAsync(cancellationToken) : importer.WriteAsync(value, type, cancellationToken);

    private static Task WriteValueAsync<T>(NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type, CancellationToken cancellationToken)
        where T : struct =>
        value is { } v ? importer.WriteAsync(v, type, cancellationToken) : importer.WriteNullAsync(cancellationToken);

    private static async Task<IReadOnlyList<LedgerEntry>> FindExternalAsync(NpgsqlConnection connection, string externalId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(FindExternalSql, connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = externalId });
        return await ReadEntriesAsync(command, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<LedgerEntry>> ReadEntriesAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var entries = new List<LedgerEntry>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            entries.Add(ReadEntry(reader, 0));
        }

        return entries;
    }

    /// <summary>One entry from the <see cref="ReadColumns"/> starting at column <paramref name="c"/>.</summary>
    private static LedgerEntry ReadEntry(NpgsqlDataReader reader, int c) => new(
        AccountId: reader.GetString(c),
        Sequence: reader.GetInt64(c + 1),
        Kind: (LedgerEntryKind)reader.GetInt16(c + 2),
        AmountMinor: reader.GetInt64(c + 3),
        Currency: reader.GetString(c + 4),
        BalanceAfterMinor: reader.GetInt64(c + 5),
        OccurredAt: reader.GetFieldValue<DateTimeOffset>(c + 6),
        ExternalId: reader.IsDBNull(c + 7) ? null : reader.GetString(c + 7),
        RequestHash: reader.IsDBNull(c + 8) ? null : reader.GetString(c + 8),
        MeterId: reader.IsDBNull(c + 9) ? null : reader.GetString(c + 9),
        RegisterFromWh: reader.IsDBNull(c + 10) ? null : reader.GetInt64(c + 10),
        RegisterToWh: reader.IsDBNull(c + 11) ? null : reader.GetInt64(c + 11),
        ExactMinor: reader.IsDBNull(c + 12) ? null : reader.GetDecimal(c + 12),
        ReversesSequence: reader.IsDBNull(c + 13) ? null : reader.GetInt64(c + 13),
        Details: reader.IsDBNull(c + 14) ? null : reader.GetString(c + 14));

    /// <summary>One caller's tail read waiting for a reader loop.</summary>
    private sealed class PendingRead(string accountId, long afterSequence, int max)
    {
        public string AccountId { get; } = accountId;

        public long AfterSequence { get; } = afterSequence;

        public int Max { get; } = max;

        public TaskCompletionSource<IReadOnlyList<LedgerEntry>> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>One caller's append waiting for the writer.</summary>
    private sealed class PendingAppend(LedgerEntry[] entries, AccountRun[] runs, CancellationToken cancellationToken)
    {
        public LedgerEntry[] Entries { get; } = entries;

        public AccountRun[] Runs { get; } = runs;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Ledger writer started: up to {MaxBatchEntries} entries per transaction, waiting at most {MaxDelayMs} ms, queue of {QueueCapacity} appends")]
        public static partial void WriterStarted(ILogger logger, int maxBatchEntries, double maxDelayMs, int queueCapacity);

        [LoggerMessage(2, LogLevel.Information, "Ledger writer stopped after {Transactions} transactions and {Entries} entries")]
        public static partial void WriterStopped(ILogger logger, long transactions, long entries);

        [LoggerMessage(3, LogLevel.Debug, "Ledger batch committed: {Appends} appends, {Entries} entries")]
        public static partial void BatchCommitted(ILogger logger, int appends, int entries);

        [LoggerMessage(4, LogLevel.Warning, "Ledger append rejected: account {AccountId} sequence {Sequence} does not follow the ledger (expected {Expected}; 0 = unknown); the writer is stale")]
        public static partial void SequenceConflict(ILogger logger, string accountId, long sequence, long expected);

        [LoggerMessage(5, LogLevel.Information, "Another writer committed to the same accounts during a batch of {Appends} appends ({SqlState} on {Constraint}); writing each append alone")]
        public static partial void FallingBack(ILogger logger, int appends, string sqlState, string? constraint);

        [LoggerMessage(6, LogLevel.Warning, "Ledger batch of {Appends} appends hit a transient failure before commit; retrying once on a new connection")]
        public static partial void Retrying(ILogger logger, int appends, Exception exception);

        [LoggerMessage(7, LogLevel.Error, "Ledger batch of {Appends} appends failed (commit sent: {CommitSent}; if true the outcome is unknown); its callers must reload")]
        public static partial void BatchFailed(ILogger logger, int appends, bool commitSent, Exception exception);

        [LoggerMessage(8, LogLevel.Critical, "The ledger writer failed unexpectedly; it faulted the batch and goes on")]
        public static partial void WriterFailed(ILogger logger, Exception exception);

        [LoggerMessage(9, LogLevel.Debug, "External id {ExternalId} committed: account {AccountId} from sequence {Sequence}, {Entries} entries")]
        public static partial void ExternalCommitted(ILogger logger, string externalId, string accountId, long sequence, int entries);

        [LoggerMessage(10, LogLevel.Information, "External id {ExternalId} replayed: returning the original entries (account {AccountId} from sequence {Sequence})")]
        public static partial void ExternalReplayed(ILogger logger, string externalId, string accountId, long sequence);

        [LoggerMessage(11, LogLevel.Warning, "External id {ExternalId} reused for a different request (original: account {AccountId} sequence {Sequence}); rejected, nothing written")]
        public static partial void ExternalConflict(ILogger logger, string externalId, string accountId, long sequence);
    }
}

/// <summary>Counters of <see cref="PostgresLedgerStore"/>'s group-commit writer since it started.</summary>
/// <param name="Transactions">Transactions committed by the writer (each holds one or more appends).</param>
/// <param name="Appends">Appends (calls) committed.</param>
/// <param name="Entries">Entries committed.</param>
/// <param name="Rejected">Appends rejected with <see cref="LedgerSequenceConflictException"/>.</param>
/// <param name="Faulted">Appends faulted by a database failure (outcome unknown to the caller).</param>
public readonly record struct LedgerWriterStatistics(long Transactions, long Appends, long Entries, long Rejected, long Faulted);
