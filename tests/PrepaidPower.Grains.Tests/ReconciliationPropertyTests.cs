using CsCheck;
using PrepaidPower.Domain.Ledger;

namespace PrepaidPower.Grains.Tests;

/// <summary>
/// Random top-ups, readings (with duplicates and late readings) and deactivations of the account and the meter: the
/// balance always equals the ledger, and the energy billed equals the energy the meter really advanced.
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class ReconciliationPropertyTests(ClusterFixture fixture)
{
    private static readonly Gen<(int Op, int Amount, int Minutes)[]> Ops =
        Gen.Select(Gen.Int[0, 4], Gen.Int[0, 6_000], Gen.Int[5, 90]).Array[5, 25];

    [Fact]
    public async Task RandomHistory_BalanceEqualsLedgerAndBilledEnergyEqualsTrueEnergy()
    {
        await Ops.SampleAsync(async ops =>
        {
            var s = new Scenario(fixture);
            await s.OpenAsync();
            await s.RegisterAndAttachAsync();
            await s.TopUpAsync("pay-0-" + s.AccountId, 1_000_000);
            var at = Scenario.NextLocalMidnight();
            const long Start = 7_000_000;
            var total = Start;
            await s.ReadAsync(at, total);
            var payments = 1;
            foreach (var (op, amount, minutes) in ops)
            {
                switch (op)
                {
                    case 0:
                        await s.TopUpAsync($"pay-{payments++}-{s.AccountId}", 1 + amount);
                        break;
                    case 1 or 2:
                        at = at.AddMinutes(minutes);
                        total += amount;
                        await s.ReadAsync(at, total);
                        break;
                    case 3:
                        // The last reading again, then an older one delivered late: neither bills anything.
                        await s.ReadAsync(at, total);
                        await s.Meter.ReportReadingAsync(new() { MeterTime = at.AddMinutes(-1), ReceivedAt = at, TotalWh = Math.Max(Start, total - (amount / 100)) });
                        break;
                    default:
                        await fixture.Cluster.DeactivateAsync(s.Account);
                        if (amount % 2 == 0)
                        {
                            await fixture.Cluster.DeactivateAsync(s.Meter);
                        }
                        break;
                }
            }
            var balance = await s.Account.GetBalanceAsync();
            var entries = await s.LedgerAsync();
            Assert.Equal(LedgerReplay.Balance(entries), balance.Balance.Minor);
            Assert.Equal(total - Start, balance.BilledEnergyWh);
            Assert.Equal(total - Start, entries.Where(e => e.Kind == LedgerEntryKind.Usage).Sum(e => e.RegisterToWh!.Value - e.RegisterFromWh!.Value));
            Assert.Equal(entries[^1].Sequence, balance.LastLedgerSequence);
        }, iter: 12, threads: 1);
    }
}
