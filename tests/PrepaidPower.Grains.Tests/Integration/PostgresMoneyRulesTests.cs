using PrepaidPower.Contracts.Accounts;
using PrepaidPower.Contracts.Errors;
using PrepaidPower.Contracts.Meters;
using PrepaidPower.Domain.Ledger;
using PrepaidPower.Tests.Shared;
using static PrepaidPower.Grains.Tests.Integration.PgCluster;

namespace PrepaidPower.Grains.Tests.Integration;

/// <summary>
/// The money rules of ARCHITECTURE §3 on a two-silo cluster backed by the real PostgreSQL (ADO.NET providers, the
/// PostgreSQL ledger store): idempotent top-ups across silos, conflicting replays, and readings that must bill nothing.
/// </summary>
[Trait("Category", "Integration")]
[Collection(PostgresCollection.Name)]
public sealed class PostgresMoneyRulesTests(PostgresFixture postgres, SharedPgCluster shared) : IClassFixture<SharedPgCluster>
{
    [Fact]
    public async Task TopUp_32ConcurrentSamePaymentIdFromCallersOnDifferentSilos_OneLedgerEntry()
    {
        var cluster = await shared.GetAsync(postgres);
        var account = "m-acc-" + Guid.NewGuid().ToString("N")[..10];
        await cluster.Client.GetGrain<IAccountGrain>(account).OpenAsync(OpenRequest());
        var request = TopUp("m-pay-" + Guid.NewGuid().ToString("N"), 123_45, DateTimeOffset.UtcNow);

        var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(i =>
            cluster.Client.GetGrain<ITopUpRelayGrain>(i).TopUpAsync(account, request)));

        Assert.True(results.Select(r => r.Silo).Distinct().Count() >= 2, "the 32 callers all ran on one silo");
        var rows = await LedgerRowsAsync(shared.ConnectionString, account);
        var row = Assert.Single(rows);
        Assert.Equal((request.Id, 123_45L, 1L), (row.ExternalId, row.AmountMinor, row.Sequence));
        Assert.Equal(1L, await ScalarAsync(shared.ConnectionString, "select count(*) from ledger where external_id = @id", ("id", request.Id)));
        Assert.Single(results, r => !r.Receipt.Replayed);
        Assert.All(results, r =>
        {
            Assert.Equal(123_45, r.Receipt.BalanceAfter.Minor);
            Assert.Equal(1, Assert.Single(r.Receipt.Entries).Sequence);
        });
        Assert.Equal(123_45, (await cluster.Client.GetGrain<IAccountGrain>(account).GetBalanceAsync()).Balance.Minor);
    }

    [Fact]
    public async Task TopUp_ConflictingReplay_IdempotencyConflictAndNothingWritten()
    {
        var cluster = await shared.GetAsync(postgres);
        var first = "m-acc-" + Guid.NewGuid().ToString("N")[..10];
        var second = "m-acc-" + Guid.NewGuid().ToString("N")[..10];
        await cluster.Client.GetGrain<IAccountGrain>(first).OpenAsync(OpenRequest());
        await cluster.Client.GetGrain<IAccountGrain>(second).OpenAsync(OpenRequest());
        var at = DateTimeOffset.UtcNow;
        var original = TopUp("m-pay-" + Guid.NewGuid().ToString("N"), 100_00, at);
        await cluster.Client.GetGrain<IAccountGrain>(first).TopUpAsync(original);

        var otherAmount = await Assert.ThrowsAsync<ConflictException>(() =>
            cluster.Client.GetGrain<IAccountGrain>(first).TopUpAsync(original with { Amount = new(100_01, "CNY") }));
        var otherAccount = await Assert.ThrowsAsync<ConflictException>(() =>
            cluster.Client.GetGrain<IAccountGrain>(second).TopUpAsync(original));
        var faithful = await cluster.Client.GetGrain<IAccountGrain>(first).TopUpAsync(original);

        Assert.Equal(ErrorCodes.IdempotencyConflict, otherAmount.Code);
        Assert.Equal(ErrorCodes.IdempotencyConflict, otherAccount.Code);
        Assert.True(faithful.Replayed);
        var all = await AllLedgerRowsAsync(shared.ConnectionString);
        var row = Assert.Single(all[first]);
        Assert.Equal((original.Id, 100_00L), (row.ExternalId, row.AmountMinor));
        Assert.False(all.ContainsKey(second));
        Assert.Equal(100_00, (await cluster.Client.GetGrain<IAccountGrain>(first).GetBalanceAsync()).Balance.Minor);
        Assert.Equal(0, (await cluster.Client.GetGrain<IAccountGrain>(second).GetBalanceAsync()).Balance.Minor);
    }

    [Fact]
    public async Task Readings_DuplicateLateAndOutOfOrder_BillNothingExtraAcrossReactivations()
    {
        var cluster = await shared.GetAsync(postgres);
        var id = Guid.NewGuid().ToString("N")[..10];
        var (accountId, meterId) = ("m-acc-" + id, "m-met-" + id);
        var account = cluster.Client.GetGrain<IAccountGrain>(accountId);
        var meter = cluster.Client.GetGrain<IMeterGrain>(meterId);
        await account.OpenAsync(OpenRequest());
        await meter.RegisterAsync(MeterRequest());
        await meter.AttachAsync(new AttachMeterRequest { AccountId = accountId, OperatorId = "op-it" });
        await account.TopUpAsync(TopUp("m-pay-" + id, 500_00, DateTimeOffset.UtcNow));
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-30);

        var baseline = await meter.ReportReadingAsync(Reading(t0, 7_000_000));
        var first = await meter.ReportReadingAsync(Reading(t0.AddMinutes(10), 7_002_000));
        var second = await meter.ReportReadingAsync(Reading(t0.AddMinutes(20), 7_004_000));
        var rowsAfterBilling = (await LedgerRowsAsync(shared.ConnectionString, accountId)).Count;
        var balanceAfterBilling = (await account.GetBalanceAsync()).Balance.Minor;

        var duplicate = await meter.ReportReadingAsync(Reading(t0.AddMinutes(20), 7_004_000));
        var late = await meter.ReportReadingAsync(Reading(t0.AddMinutes(15), 7_003_000));
        // Rebuilt from the PostgreSQL snapshot and ledger tail, both grains must still refuse to bill the same energy.
        await cluster.DeactivateAsync(account);
        await cluster.DeactivateAsync(meter);
        var duplicateAfter = await meter.ReportReadingAsync(Reading(t0.AddMinutes(20), 7_004_000));
        var stale = await account.BillUsageAsync(new UsageReport { MeterId = meterId, FromWh = 7_000_000, ToWh = 7_003_000, PeriodStart = t0, PeriodEnd = t0.AddMinutes(15) });
        var repeat = await account.BillUsageAsync(new UsageReport { MeterId = meterId, FromWh = 7_000_000, ToWh = 7_004_000, PeriodStart = t0, PeriodEnd = t0.AddMinutes(20) });
        var rowsAfterRepeats = (await LedgerRowsAsync(shared.ConnectionString, accountId)).Count;
        var balanceAfterRepeats = (await account.GetBalanceAsync()).Balance.Minor;
        // A range that overlaps what is billed bills only the part above billed-up-to.
        var overlap = await account.BillUsageAsync(new UsageReport { MeterId = meterId, FromWh = 7_003_000, ToWh = 7_005_000, PeriodStart = t0.AddMinutes(20), PeriodEnd = t0.AddMinutes(25) });

        Assert.Equal(("Baseline", 0L), (baseline.Outcome, baseline.BilledWh));
        Assert.Equal(("Accepted", 2_000L), (first.Outcome, first.BilledWh));
        Assert.Equal(("Accepted", 2_000L), (second.Outcome, second.BilledWh));
        Assert.Equal(("Duplicate", 0L), (duplicate.Outcome, duplicate.BilledWh));
        Assert.Equal(("Late", 0L), (late.Outcome, late.BilledWh));
        Assert.Equal(("Duplicate", 0L), (duplicateAfter.Outcome, duplicateAfter.BilledWh));
        Assert.Equal((0L, 7_004_000L), (stale.BilledWh, stale.BilledUpToWh));
        Assert.Equal((0L, 7_004_000L), (repeat.BilledWh, repeat.BilledUpToWh));
        Assert.Equal(rowsAfterBilling, rowsAfterRepeats);
        Assert.Equal(balanceAfterBilling, balanceAfterRepeats);
        Assert.Equal(1_000, overlap.BilledWh);

        var rows = await LedgerRowsAsync(shared.ConnectionString, accountId);
        var usage = rows.Where(r => r.Kind == LedgerEntryKind.Usage).ToList();
        Assert.Equal(
            [(7_000_000L, 7_002_000L), (7_002_000L, 7_004_000L), (7_004_000L, 7_005_000L)],
            usage.Select(r => (r.RegisterFromWh!.Value, r.RegisterToWh!.Value)).ToArray());
        var balance = await account.GetBalanceAsync();
        Assert.Equal(LedgerReplay.Balance(rows), balance.Balance.Minor);
        Assert.Equal(5_000, balance.BilledEnergyWh);
        Assert.Equal(rows[^1].Sequence, balance.LastLedgerSequence);
    }
}
