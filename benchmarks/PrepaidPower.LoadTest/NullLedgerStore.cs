using PrepaidPower.Domain.Ledger;

namespace PrepaidPower.LoadTest;

/// <summary>
/// The ceiling baseline's "no ledger": every append and payment is accepted and forgotten. Only for measuring what the
/// grains cost without durability; never registered outside the harness.
/// </summary>
internal sealed class NullLedgerStore : ILedgerStore
{
    public Task AppendAsync(IReadOnlyList<LedgerEntry> entries, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<ExternalCommit> CommitExternalAsync(IReadOnlyList<LedgerEntry> entries, CancellationToken cancellationToken = default) =>
        Task.FromResult(new ExternalCommit(entries, Replayed: false));

    public Task<IReadOnlyList<LedgerEntry>> FindExternalAsync(string externalId, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<LedgerEntry>>([]);

    public Task<IReadOnlyList<LedgerEntry>> ReadAsync(string accountId, long afterSequence, int max, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<LedgerEntry>>([]);

    public Task<IReadOnlyList<LedgerEntry>> ReadPeriodAsync(string accountId, DateTimeOffset from, DateTimeOffset to, int max, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<LedgerEntry>>([]);
}
