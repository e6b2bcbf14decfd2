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
    /// <remarks>
    /// Within <paramref name="entries"/>, one account's entries are contiguous and in sequence order, and the first
    /// of them continues the account's ledger (sequence 1 for a new account). A fault other than the two below
    /// (connection lost, server restarting) means the outcome is unknown: the caller — an account grain —
    /// deactivates and reloads from the ledger.
    /// </remarks>
    /// <exception cref="LedgerSequenceConflictException">An entry's (account, sequence) exists already, or would leave a gap: the caller is a stale writer and must reload. Nothing of this call was written.</exception>
    /// <exception cref="ArgumentException">The entries are malformed (see the remarks); nothing was written.</exception>
    Task AppendAsync(IReadOnlyList<LedgerEntry> entries, CancellationToken cancellationToken = default);

    /// <summary>
    /// Commits money from outside idempotently, in one transaction: <paramref name="entries"/>[0] carries the
    /// <see cref="LedgerEntry.ExternalId"/> and <see cref="LedgerEntry.RequestHash"/>; the rest (allocation of the
    /// top-up to emergency credit and debts) follow it in sequence. If the external id was committed before with the
    /// same request hash, nothing is written and the original entries are returned.
    /// </summary>
    /// <exception cref="IdempotencyConflictException">The id was used before for a different request.</exception>
    /// <exception cref="LedgerSequenceConflictException">A sequence exists already, or would leave a gap (stale writer).</exception>
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

/// <summary>
/// A ledger append does not continue its account's gap-free sequence: the (account, sequence) exists already, or
/// the entries would leave a gap. Either way the writer's view of the account is stale; nothing
/// of the rejected call was written.
/// </summary>
public sealed class LedgerSequenceConflictException : Exception
{
    /// <summary>The (account, sequence) exists already.</summary>
    public LedgerSequenceConflictException(string accountId, long sequence)
        : base($"Ledger sequence {sequence} of account '{accountId}' exists already; the writer is stale and must reload the account.")
    {
        AccountId = accountId;
        Sequence = sequence;
    }

    /// <summary>The account's ledger continues at <paramref name="expectedSequence"/>, not at <paramref name="sequence"/>.</summary>
    public LedgerSequenceConflictException(string accountId, long sequence, long expectedSequence)
        : base(sequence < expectedSequence
            ? $"Ledger sequence {sequence} of account '{accountId}' exists already (the next free one is {expectedSequence}); the writer is stale and must reload the account."
            : $"Ledger sequence {sequence} of account '{accountId}' would leave a gap (the next one must be {expectedSequence}); the writer is stale and must reload the account.")
    {
        AccountId = accountId;
        Sequence = sequence;
        ExpectedSequence = expectedSequence;
    }

    public string AccountId { get; }

    /// <summary>The first sequence of the rejected entries for <see cref="AccountId"/>.</summary>
    public long Sequence { get; }

    /// <summary>The sequence the account's ledger continues at, when the store knows it; null otherwise.</summary>
    public long? ExpectedSequence { get; }
}
