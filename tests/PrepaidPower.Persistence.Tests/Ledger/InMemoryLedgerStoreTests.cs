using PrepaidPower.Domain.Ledger;
using PrepaidPower.Persistence.Ledger;

namespace PrepaidPower.Persistence.Tests.Ledger;

/// <summary>The ledger contract on the in-memory store.</summary>
[Trait("Category", "Unit")]
public sealed class InMemoryLedgerStoreTests : LedgerStoreContractTests
{
    protected override long PropertyIterations => 300;

    protected override Task<ILedgerStore> CreateStoreAsync() => Task.FromResult<ILedgerStore>(new InMemoryLedgerStore());
}
