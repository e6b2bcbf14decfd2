namespace PrepaidPower.Domain.Ledger;

/// <summary>
/// Durable, append-only storage of ledger entries (PostgreSQL in production; an in-memory store for the quick-look
/// mode and unit tests). Every method completes only when its writes are committed.
/// </summary>
public interface ILedgerStore
{
    /// <summary>
    /// Appends entries that continue their accounts' gap-free sequences (usage, standing charges, debt recovery).
    /// Many callers' appends may be committed together (group commit). Completes when committed.
    /// </summary>
    /// <exception cref="LedgerSequenceConflictException">An entry's (account, sequence) exists already: the caller is a stale writer and must reload.</exception>
    Task AppendAsync(IReadOnlyList<LedgerEntry> entries, CancellationToken cancellationToken = default);

    /// <summary>
    /// Commits money from outside idempotently, in one transaction: <paramref name="entries"/>[0] carries the
    /// <see cref="LedgerEntry.ExternalId"/> and <see cref="LedgerEntry.RequestHash"/>; the rest (allocation of the
    /// top-up to emergency credit and debts) follow it in sequence. If the external id was committed before with the
    /// same request hash, nothing is written and the original entries are returned.
    /// </summary>
    /// <exception cref="IdempotencyConflictException">The id was used before for a different request.</exception>
    /// <exception cref="LedgerSequenceConflictException">A sequence exists already (stale writer).</exception>
    Task<ExternalCommit> CommitExternalAsync(IReadOnlyList<LedgerEntry> entries, CancellationToken cancellationToken = default);

    /// <summary>The entries committed for an external id (the first carries the id), or an empty list.</summary>
    Task<IReadOnlyList<LedgerEntry>> FindExternalAsync(string externalId, CancellationToken cancellationToken = default);

    /// <summary>An account's entries with sequence greater than <paramref name="afterSequence"/>, in order, at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<LedgerEntry>> ReadAsync(string accountId, long afterSequence, int max, CancellationToken cancellationToken = default);

    /// <summary>An account's entries that occurred in [from, to), in sequence order (statements), at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<LedgerEntry>> ReadPeriodAsync(string accountId, DateTimeOffset from, DateTimeOffset to, int max, CancellationToken cancellationToken = default);
}

/// <summary>Result of <see cref="ILedgerStore.CommitExternalAsync"/>.</summary>
/// <param name="Entries">The entries now in the ledger for this external id.</param>
/// <param name="Replayed">True when they were committed by an earlier call with the same id and content.</param>
public sealed record ExternalCommit(IReadOnlyList<LedgerEntry> Entries, bool Replayed);

/// <summary>An external id (payment, refund, adjustment) reused for a different request. Nothing was written.</summary>
public sealed class IdempotencyConflictException(string externalId)
    : Exception($"The id '{externalId}' was already used for a different request; nothing was written. Use a new id for a new payment, or resend exactly the original request.")
{
    public string ExternalId { get; } = externalId;
}

/// <summary>A ledger append collided with an existing (account, sequence): the writer's view of the account is stale.</summary>
public sealed class LedgerSequenceConflictException(string accountId, long sequence)
    : Exception($"Ledger sequence {sequence} of account '{accountId}' exists already; the writer is stale and must reload the account.")
{
    public string AccountId { get; } = accountId;

    public long Sequence { get; } = sequence;
}
