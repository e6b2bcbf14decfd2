using CsCheck;
using PrepaidPower.Domain.Payments;

namespace PrepaidPower.Domain.Tests.Payments;

/// <summary>Random debt setups and top-up histories: the money always reconciles and no cap or debt is overrun.</summary>
[Trait("Category", "Unit")]
public sealed class PaymentAllocatorPropertyTests
{
    private static readonly TimeZoneInfo[] Zones =
        new[] { "Europe/London", "Asia/Shanghai", "America/New_York", "America/Sao_Paulo", "UTC" }.Select(TimeZoneInfo.FindSystemTimeZoneById).ToArray();

    private static readonly Currency Gbp = Currency.GBP;

    // (kind 0 = payment, 1 = time/day, 2 = time/week; outstanding; percent in tenths; cap or rate)
    private static readonly Gen<(int Kind, long Outstanding, int PercentTenths, long CapOrRate)> DebtGen =
        Gen.Select(Gen.Int[0, 2], Gen.Long[0, 20_000], Gen.Int[1, 1000], Gen.Long[1, 2_000]);

    // (hours since the previous top-up, top-up in minor units, share of the due amount the balance pays, 0–4 quarters)
    private static readonly Gen<(int Hours, long TopUp, int BalanceQuarters)> StepGen =
        Gen.Select(Gen.Int[0, 80], Gen.Long[1, 20_000], Gen.Int[0, 4]);

    [Fact]
    public void Allocate_RandomHistories_ReconcileAndRespectCapsAndDebts()
    {
        Gen.Select(DebtGen.Array[1, 3], StepGen.Array[1, 40], Gen.Int[0, Zones.Length - 1], Gen.Long[0, 3_000])
            .Sample((debtSpecs, steps, zoneIndex, ecUsedMinor) =>
            {
                var zone = Zones[zoneIndex];
                var debts = debtSpecs.Select((d, i) => Build(i, d)).ToArray();
                var original = debts.ToDictionary(d => d.Id, d => d.Outstanding.MinorUnits);
                var recovered = debts.ToDictionary(d => d.Id, _ => 0L);
                var perWeek = new Dictionary<(string, DateOnly), long>();
                var ecUsed = Money.FromMinor(ecUsedMinor, Gbp);
                var now = new DateTimeOffset(2025, 3, 1, 9, 0, 0, TimeSpan.Zero);

                foreach (var (hours, topUpMinor, quarters) in steps)
                {
                    var next = now.AddHours(hours);
                    for (var i = 0; i < debts.Length; i++)
                    {
                        if (debts[i].Recovery is TimeBasedRecovery)
                        {
                            var accrued = PaymentAllocator.AccrueTimeDebt(debts[i], now, next, zone).Debt;
                            var fromBalance = Money.FromMinor(accrued.DueUnpaid.MinorUnits * quarters / 4, Gbp);
                            debts[i] = accrued.SettleDueFromBalance(fromBalance);
                            recovered[debts[i].Id] += fromBalance.MinorUnits;
                        }
                    }
                    now = next;

                    var topUp = Money.FromMinor(topUpMinor, Gbp);
                    var a = PaymentAllocator.Allocate(topUp, now, ecUsed, debts, zone);

                    Assert.Equal(topUpMinor, a.Lines.Sum(l => l.Amount.MinorUnits));
                    Assert.All(a.Lines, l => Assert.True(l.Amount.IsPositive));
                    Assert.Equal(
                        a.Lines.Select(l => l.Kind).Order(),
                        a.Lines.Select(l => l.Kind));
                    Assert.Equal(ecUsed - a.EmergencyCreditRepaid, a.EmergencyCreditOutstanding);
                    ecUsed = a.EmergencyCreditOutstanding;

                    var week = PaymentAllocator.WeekStartOf(now, zone);
                    for (var i = 0; i < debts.Length; i++)
                    {
                        var d = a.Debts[i];
                        var took = a.RecoveredFor(d.Id).MinorUnits;
                        recovered[d.Id] += took;
                        Assert.Equal(debts[i].Outstanding.MinorUnits - took, d.Outstanding.MinorUnits);
                        Assert.False(d.Outstanding.IsNegative);
                        Assert.InRange(d.DueUnpaid.MinorUnits, 0, d.Outstanding.MinorUnits);
                        if (d.Recovery is PaymentBasedRecovery p)
                        {
                            Assert.InRange(d.CollectedThisWeek.MinorUnits, 0, p.WeeklyCap.MinorUnits);
                            Assert.True(took <= PaymentAllocator.PercentOf(topUp, p.Percent).MinorUnits);
                            var key = (d.Id, week);
                            perWeek[key] = perWeek.GetValueOrDefault(key) + took;
                            Assert.True(perWeek[key] <= p.WeeklyCap.MinorUnits, $"{d.Id} took {perWeek[key]} in week {week}, cap {p.WeeklyCap}");
                        }
                        Assert.Equal(d.Outstanding.IsZero && took > 0, a.Events.Any(e => e.Code == PaymentCodes.DebtCleared && e.DebtId == d.Id));
                    }
                    debts = [.. a.Debts];
                }

                foreach (var d in debts)
                {
                    Assert.True(recovered[d.Id] <= original[d.Id]);
                    Assert.Equal(original[d.Id] - d.Outstanding.MinorUnits, recovered[d.Id]);
                }
            }, iter: 400);
    }

    [Fact]
    public void AccrueTimeDebt_SplitSpans_AddUpToTheWholeSpan()
    {
        Gen.Select(Gen.Int[0, 2_000], Gen.Int[0, 2_000], Gen.Int[0, Zones.Length - 1], Gen.Bool)
            .Sample((h1, h2, zoneIndex, weekly) =>
            {
                var zone = Zones[zoneIndex];
                var debt = DebtRegister.TimeBased("t", "x", Money.FromMinor(10_000_000, Gbp), Money.FromMinor(37, Gbp), weekly ? DebtPeriod.Week : DebtPeriod.Day);
                var a = new DateTimeOffset(2025, 3, 1, 7, 13, 0, TimeSpan.Zero);
                var b = a.AddHours(h1).AddMinutes(17);
                var c = b.AddHours(h2);

                var first = PaymentAllocator.AccrueTimeDebt(debt, a, b, zone);
                var second = PaymentAllocator.AccrueTimeDebt(first.Debt, b, c, zone);
                var whole = PaymentAllocator.AccrueTimeDebt(debt, a, c, zone);

                Assert.Equal(whole.Periods, first.Periods + second.Periods);
                Assert.Equal(whole.Debt.DueUnpaid, second.Debt.DueUnpaid);
                var spanDays = (c - a).TotalDays;
                var max = weekly ? (spanDays / 7) + 1 : spanDays + 1;
                Assert.InRange(whole.Periods, 0, (int)Math.Ceiling(max));
            }, iter: 500);
    }

    private static DebtRegister Build(int index, (int Kind, long Outstanding, int PercentTenths, long CapOrRate) spec)
    {
        var outstanding = Money.FromMinor(spec.Outstanding, Gbp);
        var amount = Money.FromMinor(spec.CapOrRate, Gbp);
        return spec.Kind switch
        {
            0 => DebtRegister.PaymentBased($"p{index}", "payment", outstanding, spec.PercentTenths / 10m, amount),
            1 => DebtRegister.TimeBased($"t{index}", "daily", outstanding, amount, DebtPeriod.Day),
            _ => DebtRegister.TimeBased($"t{index}", "weekly", outstanding, amount, DebtPeriod.Week),
        };
    }
}
