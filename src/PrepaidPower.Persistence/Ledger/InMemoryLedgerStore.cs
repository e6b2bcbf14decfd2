using PrepaidPower.Domain.Ledger;

namespace PrepaidPower.Persistence.Ledger;

/// <summary>
/// A ledger in process memory with the same rules as <see cref="PostgresLedgerStore"/>: the same checks, gap-free
/// sequences, the same idempotency of external ids, the same exceptions, and <see cref="LedgerEntry.OccurredAt"/>
/// kept to the microsecond in UTC. For the quick-look in-memory mode and unit tests only: nothing survives the
/// process, and it keeps every entry it is given.
/// </summary>
/// <remarks>
/// One difference stays: PostgreSQL stores <see cref="LedgerEntry.Details"/> as jsonb and gives back its normalised
/// text (keys reordered, whitespace dropped); this store gives back the text as written. Both reject invalid JSON.
/// </remarks>
public sealed class InMemoryLedgerStore : ILedgerStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<LedgerEntry>> _accounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string AccountId, int FirstIndex, int Count)> _external = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public Task AppendAsync(IReadOnlyList<LedgerEntry> entries, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        try
        {
            var (checkedEntries, runs) = LedgerEntryRules.CheckAppend(entries);
            lock (_gate)
            {
                foreach (var run in runs)
                {
                    var next = NextSequence(run.AccountId);
                    if (run.First != next)
                    {
                        throw new LedgerSequenceConflictException(run.AccountId, run.First, next);
                    }
                }

                foreach (var entry in checkedEntries)
                {
                    Account(entry.AccountId).Add(entry);
                }
            }

            return Task.CompletedTask;
        }
        catch (Exception ex)
        {
            return Task.FromException(ex);
        }
    }

    /// <inheritdoc/>
    public Task<ExternalCommit> CommitExternalAsync(IReadOnlyList<LedgerEntry> entries, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<ExternalCommit>(cancellationToken);
        }

        try
        {
            var checkedEntries = LedgerEntryRules.CheckExternal(entries);
            var first = checkedEntries[0];
            lock (_gate)
            {
                if (FindExternal(first.ExternalId!) is { Count: > 0 } original)
                {
                    return Task.FromResult(ExternalReplay.Resolve(original, first));
                }

                var next = NextSequence(first.AccountId);
                if (first.Sequence != next)
                {
                    throw new LedgerSequenceConflictException(first.AccountId, first.Sequence, next);
                }

                var account = Account(first.AccountId);
                _external.Add(first.ExternalId!, (first.AccountId, account.Count, checkedEntries.Length));
                account.AddRange(checkedEntries);
            }

            return Task.FromResult(new ExternalCommit(checkedEntries, Replayed: false));
        }
        catch (Exception ex)
        {
            return Task.FromException<ExternalCommit>(ex);
        }
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<LedgerEntry>> FindExternalAsync(string externalId, CancellationToken cancellationToken = default) => Run(() =>
    {
        ArgumentNullException.ThrowIfNull(externalId);
        lock (_gate)
        {
            return FindExternal(externalId);
        }
    });

    /// <inheritdoc/>
    public Task<IReadOnlyList<LedgerEntry>> ReadAsync(string accountId, long afterSequence, int max, CancellationToken cancellationToken = default) => Run(() =>
    {
        LedgerEntryRules.CheckAccountId(accountId, nameof(accountId));
        LedgerEntryRules.CheckMax(max, nameof(max));
        lock (_gate)
        {
            if (!_accounts.TryGetValue(accountId, out var account))
            {
                return [];
            }

            // Sequence n sits at index n - 1: the ledger is gap-free.
            var start = (int)Math.Clamp(afterSequence, 0, account.Count);
            return account.GetRange(start, Math.Min(max, account.Count - start)).ToArray();
        }
    });

    /// <inheritdoc/>
    public Task<IReadOnlyList<LedgerEntry>> ReadPeriodAsync(string accountId, DateTimeOffset from, DateTimeOffset to, int max, CancellationToken cancellationToken = default) => Run(() =>
    {
        LedgerEntryRules.CheckAccountId(accountId, nameof(accountId));
        LedgerEntryRules.CheckMax(max, nameof(max));
        LedgerPeriod.Check(from, to);
        lock (_gate)
        {
            if (!_accounts.TryGetValue(accountId, out var account))
            {
                return [];
            }

            // The database compares at its own resolution; so does this.
            var (f, t) = (LedgerEntryRules.ToUtcMicroseconds(from), LedgerEntryRules.ToUtcMicroseconds(to));
            return account.Where(e => e.OccurredAt >= f && e.OccurredAt < t).Take(max).ToArray();
        }
    });

    // Bad arguments fault the task, as they do in the asynchronous PostgreSQL store.
    private static Task<IReadOnlyList<LedgerEntry>> Run(Func<IReadOnlyList<LedgerEntry>> read)
    {
        try
        {
            return Task.FromResult(read());
        }
        catch (Exception ex)
        {
            return Task.FromException<IReadOnlyList<LedgerEntry>>(ex);
        }
    }

    private IReadOnlyList<LedgerEntry> FindExternal(string externalId) =>
        _external.TryGetValue(externalId, out var where)
            ? _accounts[where.AccountId].GetRange(where.FirstIndex, where.Count).ToArray()
            : [];

    private long NextSequence(string accountId) => _accounts.TryGetValue(accountId, out var account) ? account.Count + 1 : 1;

    private List<LedgerEntry> Account(string accountId)
    {
        if (!_accounts.TryGetValue(accountId, out var account))
        {
            account = [];
            _accounts.Add(accountId, account);
        }

        return account;
    }
}
