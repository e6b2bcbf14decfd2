using PrepaidPower.Contracts;
using PrepaidPower.Contracts.Accounts;
using PrepaidPower.Contracts.Errors;
using PrepaidPower.Domain.Ledger;

namespace PrepaidPower.Grains.Tests;

[Collection(ClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class AccountGrainTests(ClusterFixture fixture)
{
    [Fact]
    public async Task BillUsage_ShanghaiTouWorkedExample_Charges154_10AndBalanceEqualsLedger()
    {
        var s = new Scenario(fixture);
        await s.OpenAsync();
        await s.RegisterAndAttachAsync();
        var receipt = await s.TopUpAsync("pay-" + s.AccountId, 50_000);
        Assert.Equal(50_000, receipt.BalanceAfter.Minor);

        var day = Scenario.NextLocalMidnight();
        Assert.Equal("Baseline", (await s.ReadAsync(day.AddHours(6), 1_000_000)).Outcome);
        var peak = await s.ReadAsync(day.AddHours(22), 1_200_000);   // 200 kWh, 06:00–22:00 local: all peak
        var valley = await s.ReadAsync(day.AddHours(30), 1_300_000); // 100 kWh, 22:00–06:00 local: all valley

        Assert.Equal(("Accepted", 200_000L, 12_340L), (peak.Outcome, peak.BilledWh, peak.ChargedMinor));
        Assert.Equal(("Accepted", 100_000L, 3_070L), (valley.Outcome, valley.BilledWh, valley.ChargedMinor));
        var balance = await s.Account.GetBalanceAsync();
        Assert.Equal(50_000 - 15_410, balance.Balance.Minor);
        Assert.Equal("345.90", balance.Balance.Amount);
        Assert.Equal(300_000, balance.BilledEnergyWh);

        var entries = await s.LedgerAsync();
        Assert.Equal([LedgerEntryKind.TopUp, LedgerEntryKind.Usage, LedgerEntryKind.Usage], entries.Select(e => e.Kind));
        Assert.Equal(balance.Balance.Minor, LedgerReplay.Balance(entries));
        Assert.Equal(1_300_000, LedgerReplay.BilledUpTo(entries)[s.MeterId]);
        Assert.Equal(balance.LastLedgerSequence, entries[^1].Sequence);
    }

    [Fact]
    public async Task BillUsage_DuplicateLateAndOutOfOrder_BillNothingMore()
    {
        var s = new Scenario(fixture);
        await s.OpenAsync();
        await s.RegisterAndAttachAsync();
        await s.TopUpAsync("pay-" + s.AccountId, 50_000);
        var day = Scenario.NextLocalMidnight();
        await s.ReadAsync(day.AddHours(6), 500_000);
        await s.ReadAsync(day.AddHours(8), 510_000);
        var after = await s.Account.GetBalanceAsync();
        var count = (await s.LedgerAsync()).Count;

        var duplicate = await s.ReadAsync(day.AddHours(8), 510_000);
        var late = await s.Meter.ReportReadingAsync(new() { MeterTime = day.AddHours(7), ReceivedAt = day.AddHours(8), TotalWh = 505_000 });
        // Out of order straight at the account: a range below billed-up-to, and the same range again.
        var stale = await s.Account.BillUsageAsync(new UsageReport { MeterId = s.MeterId, FromWh = 500_000, ToWh = 505_000, PeriodStart = day.AddHours(6), PeriodEnd = day.AddHours(7) });
        var repeat = await s.Account.BillUsageAsync(new UsageReport { MeterId = s.MeterId, FromWh = 500_000, ToWh = 510_000, PeriodStart = day.AddHours(6), PeriodEnd = day.AddHours(8) });

        Assert.Equal(("Duplicate", 0L), (duplicate.Outcome, duplicate.BilledWh));
        Assert.Equal(("Late", 0L), (late.Outcome, late.BilledWh));
        Assert.Equal(0, stale.BilledWh);
        Assert.Equal(0, repeat.BilledWh);
        Assert.Equal(510_000, repeat.BilledUpToWh);
        Assert.Equal(after.Balance, (await s.Account.GetBalanceAsync()).Balance);
        Assert.Equal(count, (await s.LedgerAsync()).Count);

        // A range that overlaps what is billed bills only the part above billed-up-to: 2 kWh peak = 1.234 → 1.23 + carry.
        var overlap = await s.Account.BillUsageAsync(new UsageReport { MeterId = s.MeterId, FromWh = 505_000, ToWh = 512_000, PeriodStart = day.AddHours(8), PeriodEnd = day.AddHours(9) });
        Assert.Equal(2_000, overlap.BilledWh);
        Assert.Equal(after.Balance.Minor - 123, overlap.Balance.Minor);
    }

    [Fact]
    public async Task TopUp_32ConcurrentWithSamePaymentId_OneEntryAndOneResult()
    {
        var s = new Scenario(fixture);
        await s.OpenAsync();
        var id = "pay-" + Guid.NewGuid().ToString("N");

        var receipts = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => s.TopUpAsync(id, 12_345)));

        var entries = await s.LedgerAsync();
        Assert.Single(entries);
        Assert.Equal(id, entries[0].ExternalId);
        Assert.Single(receipts, r => !r.Replayed);
        Assert.All(receipts, r =>
        {
            Assert.Equal(12_345, r.BalanceAfter.Minor);
            Assert.Equal(1, Assert.Single(r.Entries).Sequence);
        });
        Assert.Equal(12_345, (await s.Account.GetBalanceAsync()).Balance.Minor);
    }

    [Fact]
    public async Task TopUp_SameIdOtherContent_ConflictAndNothingWritten()
    {
        var s = new Scenario(fixture);
        await s.OpenAsync();
        var id = "pay-" + Guid.NewGuid().ToString("N");
        var first = await s.TopUpAsync(id, 10_000);

        var conflict = await Assert.ThrowsAsync<ConflictException>(() => s.TopUpAsync(id, 10_001));
        var replay = await s.TopUpAsync(id, 10_000);

        Assert.Equal(ErrorCodes.IdempotencyConflict, conflict.Code);
        Assert.Contains(id, conflict.Message, StringComparison.Ordinal);
        Assert.True(replay.Replayed);
        Assert.Equal(first.Entries.Select(e => e.Sequence), replay.Entries.Select(e => e.Sequence));
        Assert.Single(await s.LedgerAsync());
        Assert.Equal(10_000, (await s.Account.GetBalanceAsync()).Balance.Minor);
    }

    [Theory]
    [InlineData(0, "CNY", ErrorCodes.InvalidAmount)]
    [InlineData(-500, "CNY", ErrorCodes.InvalidAmount)]
    [InlineData(10_000_001, "CNY", ErrorCodes.AmountTooLarge)]
    [InlineData(1_000, "GBP", ErrorCodes.WrongCurrency)]
    public async Task TopUp_BadAmount_RejectedAndNothingWritten(long minor, string currency, string code)
    {
        var s = new Scenario(fixture);
        await s.OpenAsync();

        var e = await Assert.ThrowsAsync<InvalidRequestException>(() =>
            s.Account.TopUpAsync(new PaymentRequest { Id = "p-" + Guid.NewGuid().ToString("N"), Amount = new MoneyAmount(minor, currency), Channel = "counter" }));

        Assert.Equal(code, e.Code);
        Assert.Equal(ErrorKind.Validation, e.Kind);
        Assert.Empty(await s.LedgerAsync());
    }

    [Fact]
    public void MoneyAmountParse_TooManyDecimals_TooManyDecimalsError()
    {
        var e = Assert.Throws<InvalidRequestException>(() => MoneyAmount.Parse("12.345", "CNY"));
        Assert.Equal(ErrorCodes.TooManyDecimals, e.Code);
        Assert.Equal(1_250, MoneyAmount.Parse("12.50", "CNY").Minor);
    }

    [Fact]
    public async Task RefundAndAdjust_NeedReasonAndOperator_AndMoveTheBalance()
    {
        var s = new Scenario(fixture);
        await s.OpenAsync();
        await s.TopUpAsync("pay-" + s.AccountId, 10_000);

        var noReason = await Assert.ThrowsAsync<InvalidRequestException>(() =>
            s.Account.RefundAsync(new PaymentRequest { Id = "r1-" + s.AccountId, Amount = new MoneyAmount(1_000, "CNY"), Channel = "bank" }));
        var tooMuch = await Assert.ThrowsAsync<InvalidRequestException>(() =>
            s.Account.RefundAsync(new PaymentRequest { Id = "r2-" + s.AccountId, Amount = new MoneyAmount(10_001, "CNY"), Channel = "bank", Reason = "moving out", OperatorId = "op-2" }));
        var refund = await s.Account.RefundAsync(new PaymentRequest { Id = "r3-" + s.AccountId, Amount = new MoneyAmount(3_000, "CNY"), Channel = "bank", Reason = "moving out", OperatorId = "op-2" });
        var adjust = await s.Account.AdjustAsync(new PaymentRequest { Id = "a1-" + s.AccountId, Amount = new MoneyAmount(-500, "CNY"), Channel = "operator", Reason = "meter test fee", OperatorId = "op-2" });

        Assert.Equal(ErrorCodes.InvalidField, noReason.Code);
        Assert.Equal(ErrorCodes.InvalidAmount, tooMuch.Code);
        Assert.Equal(7_000, refund.BalanceAfter.Minor);
        Assert.Equal(6_500, adjust.BalanceAfter.Minor);
        var entries = await s.LedgerAsync();
        Assert.Equal([LedgerEntryKind.TopUp, LedgerEntryKind.Refund, LedgerEntryKind.Adjustment], entries.Select(e => e.Kind));
        Assert.Equal(6_500, LedgerReplay.Balance(entries));
    }

    [Fact]
    public async Task Get_UnknownAccount_NotFound()
    {
        var e = await Assert.ThrowsAsync<NotFoundException>(() => fixture.Client.GetGrain<IAccountGrain>("nobody-" + Guid.NewGuid()).GetBalanceAsync());
        Assert.Equal(ErrorCodes.AccountNotFound, e.Code);
    }

    [Fact]
    public async Task Open_TariffInAnotherCurrency_RejectedAndNotOpened()
    {
        var s = new Scenario(fixture);
        var e = await Assert.ThrowsAsync<InvalidRequestException>(() => s.Account.OpenAsync(new OpenAccountRequest
        {
            Currency = "GBP", TariffId = ClusterFixture.ShanghaiTou, TimeZone = "Europe/London", OperatorId = "op-1",
        }));
        Assert.Equal(ErrorCodes.WrongCurrency, e.Code);
        await Assert.ThrowsAsync<NotFoundException>(() => s.Account.GetAsync());
    }

    [Fact]
    public async Task Activation_SnapshotOlderThanLedger_RebuildsTheSameAccount()
    {
        var s = new Scenario(fixture);
        await s.OpenAsync();
        await s.RegisterAndAttachAsync();
        await s.TopUpAsync("pay-1-" + s.AccountId, 30_000);
        var day = Scenario.NextLocalMidnight();
        await s.ReadAsync(day.AddHours(6), 2_000_000);
        await s.ReadAsync(day.AddHours(10), 2_040_000);
        await s.TopUpAsync("pay-2-" + s.AccountId, 5_000);
        await s.ReadAsync(day.AddHours(23), 2_075_000);
        var before = await s.Account.GetAsync();

        // Snapshots are written every 1,000 entries and not on deactivation: the stored one is older than the ledger.
        await fixture.Cluster.DeactivateAsync(s.Account);
        await fixture.Cluster.WaitForDeactivationAsync(s.Account);
        var after = await s.Account.GetAsync();

        Assert.Equal(before.Balance, after.Balance);
        Assert.Equal(before.Meters.Single().BilledUpToWh, after.Meters.Single().BilledUpToWh);
        Assert.Equal(LedgerReplay.Balance(await s.LedgerAsync()), after.Balance.Balance.Minor);

        // Billing continues from the rebuilt billed-up-to: the same reading again bills nothing, the next one only its advance.
        Assert.Equal(0, (await s.Account.BillUsageAsync(new UsageReport { MeterId = s.MeterId, FromWh = 2_040_000, ToWh = 2_075_000, PeriodStart = day.AddHours(10), PeriodEnd = day.AddHours(23) })).BilledWh);
        var next = await s.ReadAsync(day.AddHours(24), 2_076_000);
        Assert.Equal(1_000, next.BilledWh);
        Assert.Equal(LedgerReplay.Balance(await s.LedgerAsync()), (await s.Account.GetBalanceAsync()).Balance.Minor);
    }

    [Fact]
    public async Task Activation_MeterAndAccountBothReactivated_NoEnergyLostOrBilledTwice()
    {
        var s = new Scenario(fixture);
        await s.OpenAsync();
        await s.RegisterAndAttachAsync();
        await s.TopUpAsync("pay-" + s.AccountId, 100_000);
        var day = Scenario.NextLocalMidnight();
        long total = 3_000_000;
        await s.ReadAsync(day.AddHours(6), total);
        for (var i = 1; i <= 6; i++)
        {
            total += 3_000 * i;
            await s.ReadAsync(day.AddHours(6 + i), total);
            if (i % 2 == 0)
            {
                await fixture.Cluster.DeactivateAsync(s.Account);
                await fixture.Cluster.DeactivateAsync(s.Meter);
            }
        }
        var balance = await s.Account.GetBalanceAsync();
        Assert.Equal(total - 3_000_000, balance.BilledEnergyWh);
        var entries = await s.LedgerAsync();
        Assert.Equal(total, LedgerReplay.BilledUpTo(entries)[s.MeterId]);
        Assert.Equal(balance.Balance.Minor, LedgerReplay.Balance(entries));
        // 63 kWh of peak at 0.617 = 38.871 → posted 38.87 in total (the accumulator rounds once).
        Assert.Equal(100_000 - 3_887, balance.Balance.Minor);
    }

    [Fact]
    public async Task Statement_Period_OpeningClosingAndTotals()
    {
        var s = new Scenario(fixture);
        await s.OpenAsync();
        await s.RegisterAndAttachAsync();
        var start = ClusterFixture.Time.GetUtcNow();
        await s.TopUpAsync("pay-" + s.AccountId, 20_000);
        var day = Scenario.NextLocalMidnight();
        await s.ReadAsync(day.AddHours(6), 100_000);
        await s.ReadAsync(day.AddHours(7), 110_000);

        var statement = await s.Account.GetStatementAsync(start, ClusterFixture.Time.GetUtcNow().AddSeconds(1));
        var page = await s.Account.GetLedgerAsync(0, 1);

        Assert.Equal(0, statement.OpeningBalance.Minor);
        Assert.Equal(20_000 - 617, statement.ClosingBalance.Minor);
        Assert.Equal(20_000, statement.Totals["TopUp"].Minor);
        Assert.Equal(-617, statement.Totals["Usage"].Minor);
        Assert.Equal(1, page.NextAfterSequence);
        Assert.Equal("TopUp", Assert.Single(page.Entries).Kind);
    }
}
