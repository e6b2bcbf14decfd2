using PrepaidPower.Domain.Payments;

namespace PrepaidPower.Domain.Tests.Payments;

[Trait("Category", "Unit")]
public sealed class PaymentAllocatorTests
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    private static Money Gbp(decimal major) => Money.FromMajor(major, Currency.GBP);

    private static DateTimeOffset LondonLocal(int y, int m, int d, int h, int min = 0) =>
        new(new DateTime(y, m, d, h, min, 0), London.GetUtcOffset(new DateTime(y, m, d, h, min, 0)));

    private static DebtRegister TenPercentCapFive(decimal outstanding = 100m) =>
        DebtRegister.PaymentBased("payment-1", "Arrears", Gbp(outstanding), 10m, Gbp(5m));

    [Fact]
    public void Allocate_GbWorkedExample_MondayToFridayOnePoundWeekendNothingNextMondayAgain()
    {
        // Aclara SGM1400 example: 10 % of each payment, cap £5 per Mon–Sun week, £10 paid every day.
        // 2025-03-03 is a Monday.
        var debt = TenPercentCapFive();
        var recovered = new List<decimal>();
        var toBalance = new List<decimal>();
        var capEvents = new List<int>();
        for (var day = 0; day < 8; day++)
        {
            var a = PaymentAllocator.Allocate(Gbp(10m), LondonLocal(2025, 3, 3 + day, 12), Gbp(0m), [debt], London);
            recovered.Add(a.RecoveredFor("payment-1").ToMajor());
            toBalance.Add(a.ToBalance.ToMajor());
            if (a.Events.Any(e => e.Code == PaymentCodes.WeeklyCapReached))
            {
                capEvents.Add(day);
            }
            debt = a.Debts[0];
        }

        Assert.Equal([1m, 1m, 1m, 1m, 1m, 0m, 0m, 1m], recovered);
        Assert.Equal([9m, 9m, 9m, 9m, 9m, 10m, 10m, 9m], toBalance);
        Assert.Equal([4], capEvents);
        Assert.Equal(Gbp(94m), debt.Outstanding);
        Assert.Equal(Gbp(1m), debt.CollectedThisWeek);
        Assert.Equal(new DateOnly(2025, 3, 10), debt.WeekStart);
    }

    [Fact]
    public void Allocate_SaturdayAfterCapReached_SingleBalanceLine()
    {
        var debt = TenPercentCapFive();
        for (var day = 0; day < 5; day++)
        {
            debt = PaymentAllocator.Allocate(Gbp(10m), LondonLocal(2025, 3, 3 + day, 9), Gbp(0m), [debt], London).Debts[0];
        }

        var saturday = PaymentAllocator.Allocate(Gbp(10m), LondonLocal(2025, 3, 8, 9), Gbp(0m), [debt], London);

        Assert.Equal([new AllocationLine(AllocationLineKind.ToBalance, Gbp(10m))], saturday.Lines);
    }

    [Fact]
    public void Allocate_WeekIsLocal_SundayNightUtcIsMondayInShanghai()
    {
        var cny = Currency.CNY;
        var debt = DebtRegister.PaymentBased("d", "Arrears", Money.FromMajor(100m, cny), 10m, Money.FromMajor(5m, cny));
        for (var day = 0; day < 5; day++)
        {
            debt = PaymentAllocator.Allocate(Money.FromMajor(10m, cny), new DateTimeOffset(2025, 3, 3 + day, 4, 0, 0, TimeSpan.Zero), Money.Zero(cny), [debt], Shanghai).Debts[0];
        }

        // Sunday 15:00 UTC = Sunday 23:00 in Shanghai: same week, cap reached.
        var sundayLate = PaymentAllocator.Allocate(Money.FromMajor(10m, cny), new DateTimeOffset(2025, 3, 9, 15, 0, 0, TimeSpan.Zero), Money.Zero(cny), [debt], Shanghai);
        // Sunday 17:00 UTC = Monday 01:00 in Shanghai: a new week.
        var mondayEarly = PaymentAllocator.Allocate(Money.FromMajor(10m, cny), new DateTimeOffset(2025, 3, 9, 17, 0, 0, TimeSpan.Zero), Money.Zero(cny), [debt], Shanghai);

        Assert.Equal(0, sundayLate.RecoveredFor("d").MinorUnits);
        Assert.Equal(100, mondayEarly.RecoveredFor("d").MinorUnits);
        Assert.Equal(new DateOnly(2025, 3, 10), mondayEarly.Debts[0].WeekStart);
    }

    [Fact]
    public void Allocate_EmergencyCreditRepaidFirst_ThenDebtThenBalance()
    {
        var a = PaymentAllocator.Allocate(Gbp(20m), LondonLocal(2025, 3, 3, 12), Gbp(15m), [TenPercentCapFive()], London);

        Assert.Equal(
            [
                new AllocationLine(AllocationLineKind.EmergencyCreditRepaid, Gbp(15m)),
                new AllocationLine(AllocationLineKind.DebtRecovered, Gbp(2m), "payment-1"),
                new AllocationLine(AllocationLineKind.ToBalance, Gbp(3m)),
            ],
            a.Lines);
        Assert.Equal(Gbp(0m), a.EmergencyCreditOutstanding);
        Assert.Contains(a.Events, e => e.Code == PaymentCodes.EmergencyCreditRepaid);
    }

    [Fact]
    public void Allocate_EmergencyCreditLargerThanTopUp_TakesItAll()
    {
        var a = PaymentAllocator.Allocate(Gbp(10m), LondonLocal(2025, 3, 3, 12), Gbp(15m), [TenPercentCapFive()], London);

        Assert.Equal([new AllocationLine(AllocationLineKind.EmergencyCreditRepaid, Gbp(10m))], a.Lines);
        Assert.Equal(Gbp(5m), a.EmergencyCreditOutstanding);
        Assert.Empty(a.Events);
        Assert.Equal(Gbp(0m), a.Debts[0].CollectedThisWeek);
    }

    [Fact]
    public void Allocate_SeveralDebts_InRegisterOrder()
    {
        var time = Due(DebtRegister.TimeBased("time-1", "Meter change", Gbp(50m), Gbp(1m), DebtPeriod.Day), days: 3);
        var p25 = DebtRegister.PaymentBased("payment-1", "Old arrears", Gbp(80m), 25m, Gbp(100m));
        var p10 = DebtRegister.PaymentBased("payment-2", "Loan", Gbp(80m), 10m, Gbp(100m));

        var a = PaymentAllocator.Allocate(Gbp(20m), LondonLocal(2025, 3, 3, 12), Gbp(0m), [time, p25, p10], London);

        Assert.Equal(
            [
                new AllocationLine(AllocationLineKind.DebtRecovered, Gbp(3m), "time-1"),
                new AllocationLine(AllocationLineKind.DebtRecovered, Gbp(5m), "payment-1"),
                new AllocationLine(AllocationLineKind.DebtRecovered, Gbp(2m), "payment-2"),
                new AllocationLine(AllocationLineKind.ToBalance, Gbp(10m)),
            ],
            a.Lines);
        Assert.Equal([Gbp(47m), Gbp(75m), Gbp(78m)], a.Debts.Select(d => d.Outstanding));
        Assert.Equal(Gbp(0m), a.Debts[0].DueUnpaid);
    }

    [Fact]
    public void Allocate_TopUpRunsOut_LaterDebtsGetNothing()
    {
        var time = Due(DebtRegister.TimeBased("time-1", "Meter change", Gbp(50m), Gbp(1m), DebtPeriod.Day), days: 3);
        var p25 = DebtRegister.PaymentBased("payment-1", "Old arrears", Gbp(80m), 25m, Gbp(100m));
        var p10 = DebtRegister.PaymentBased("payment-2", "Loan", Gbp(80m), 10m, Gbp(100m));

        var a = PaymentAllocator.Allocate(Gbp(4m), LondonLocal(2025, 3, 3, 12), Gbp(0m), [time, p25, p10], London);

        Assert.Equal(
            [
                new AllocationLine(AllocationLineKind.DebtRecovered, Gbp(3m), "time-1"),
                new AllocationLine(AllocationLineKind.DebtRecovered, Gbp(1m), "payment-1"),
            ],
            a.Lines);
        Assert.Equal(Gbp(80m), a.Debts[2].Outstanding);
    }

    [Fact]
    public void Allocate_DebtSmallerThanShare_ClearsWithEventRestToBalance()
    {
        var a = PaymentAllocator.Allocate(Gbp(10m), LondonLocal(2025, 3, 3, 12), Gbp(0m), [TenPercentCapFive(0.60m)], London);

        Assert.Equal(Gbp(0.60m), a.RecoveredFor("payment-1"));
        Assert.Equal(Gbp(9.40m), a.ToBalance);
        Assert.True(a.Debts[0].IsCleared);
        var e = Assert.Single(a.Events);
        Assert.Equal((PaymentCodes.DebtCleared, "payment-1"), (e.Code, e.DebtId));
    }

    [Fact]
    public void Allocate_ClearedDebt_TakesNothingMore()
    {
        var cleared = PaymentAllocator.Allocate(Gbp(10m), LondonLocal(2025, 3, 3, 12), Gbp(0m), [TenPercentCapFive(0.60m)], London).Debts[0];
        var a = PaymentAllocator.Allocate(Gbp(10m), LondonLocal(2025, 3, 4, 12), Gbp(0m), [cleared], London);
        Assert.Equal([new AllocationLine(AllocationLineKind.ToBalance, Gbp(10m))], a.Lines);
        Assert.Empty(a.Events);
    }

    [Theory]
    [InlineData(99, "10", 9)]        // 9.9 → 9
    [InlineData(101, "12.5", 12)]    // 12.625 → 12
    [InlineData(1, "10", 0)]         // 0.1 → 0: a penny top-up pays no debt
    [InlineData(1999, "33.3", 665)]  // 665.667 → 665
    public void PercentOf_RoundsDownToTheMinorUnit(long minor, string percent, long expected)
    {
        var share = PaymentAllocator.PercentOf(Money.FromMinor(minor, Currency.GBP), decimal.Parse(percent, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(expected, share.MinorUnits);
    }

    [Fact]
    public void Allocate_PartUnitShare_StaysWithCustomer()
    {
        var debt = DebtRegister.PaymentBased("d", "x", Gbp(100m), 12.5m, Gbp(50m));
        var a = PaymentAllocator.Allocate(Gbp(1.01m), LondonLocal(2025, 3, 3, 12), Gbp(0m), [debt], London);
        Assert.Equal(Gbp(0.12m), a.RecoveredFor("d"));
        Assert.Equal(Gbp(0.89m), a.ToBalance);
    }

    [Fact]
    public void Allocate_TopUpDatedInEarlierWeek_CountsAgainstRecordedWeek()
    {
        var debt = TenPercentCapFive();
        for (var day = 0; day < 5; day++)
        {
            debt = PaymentAllocator.Allocate(Gbp(10m), LondonLocal(2025, 3, 10 + day, 12), Gbp(0m), [debt], London).Debts[0];
        }

        var late = PaymentAllocator.Allocate(Gbp(10m), LondonLocal(2025, 3, 7, 12), Gbp(0m), [debt], London);

        Assert.Equal(Gbp(0m), late.RecoveredFor("payment-1"));
        Assert.Equal(new DateOnly(2025, 3, 10), late.Debts[0].WeekStart);
    }

    [Fact]
    public void Allocate_InputsUnchanged()
    {
        var debt = TenPercentCapFive();
        var debts = new[] { debt };
        _ = PaymentAllocator.Allocate(Gbp(10m), LondonLocal(2025, 3, 3, 12), Gbp(0m), debts, London);
        Assert.Same(debt, debts[0]);
        Assert.Equal(Gbp(100m), debt.Outstanding);
        Assert.Null(debt.WeekStart);
    }

    [Fact]
    public void AccrueTimeDebt_Days_CountsLocalMidnightsCrossed()
    {
        var debt = DebtRegister.TimeBased("t", "x", Gbp(100m), Gbp(0.50m), DebtPeriod.Day);

        var twoDays = PaymentAllocator.AccrueTimeDebt(debt, LondonLocal(2025, 3, 3, 10), LondonLocal(2025, 3, 5, 9), London);
        var underADay = PaymentAllocator.AccrueTimeDebt(debt, LondonLocal(2025, 3, 3, 0, 30), LondonLocal(2025, 3, 4, 0, 20), London);
        var sameDay = PaymentAllocator.AccrueTimeDebt(debt, LondonLocal(2025, 3, 3, 0, 0), LondonLocal(2025, 3, 3, 23, 59), London);

        Assert.Equal((Gbp(1m), 2), (twoDays.Due, twoDays.Periods));
        Assert.Equal(Gbp(1m), twoDays.Debt.DueUnpaid);
        Assert.Equal(Gbp(100m), twoDays.Debt.Outstanding);
        Assert.Equal(1, underADay.Periods);
        Assert.Equal(0, sameDay.Periods);
    }

    [Fact]
    public void AccrueTimeDebt_AcrossDstChanges_CalendarDaysNotHours()
    {
        var debt = DebtRegister.TimeBased("t", "x", Gbp(100m), Gbp(0.50m), DebtPeriod.Day);

        // Spring forward on 2025-03-30: Saturday 12:00 GMT → Monday 12:00 BST is 47 hours, two days.
        var spring = PaymentAllocator.AccrueTimeDebt(debt, new DateTimeOffset(2025, 3, 29, 12, 0, 0, TimeSpan.Zero), new DateTimeOffset(2025, 3, 31, 11, 0, 0, TimeSpan.Zero), London);
        // Fall back on 2025-10-26: Saturday 23:30 BST → Sunday 23:30 GMT is 25 hours, one day.
        var autumn = PaymentAllocator.AccrueTimeDebt(debt, new DateTimeOffset(2025, 10, 25, 22, 30, 0, TimeSpan.Zero), new DateTimeOffset(2025, 10, 26, 23, 30, 0, TimeSpan.Zero), London);
        // Sunday 23:30 GMT → Monday 00:29 GMT crosses one midnight only.
        var oneHour = PaymentAllocator.AccrueTimeDebt(debt, new DateTimeOffset(2025, 10, 26, 23, 30, 0, TimeSpan.Zero), new DateTimeOffset(2025, 10, 27, 0, 29, 0, TimeSpan.Zero), London);

        Assert.Equal(2, spring.Periods);
        Assert.Equal(1, autumn.Periods);
        Assert.Equal(1, oneHour.Periods);
    }

    [Fact]
    public void AccrueTimeDebt_Weeks_CountsLocalMondays()
    {
        var debt = DebtRegister.TimeBased("t", "x", Gbp(100m), Gbp(2m), DebtPeriod.Week);

        var overMonday = PaymentAllocator.AccrueTimeDebt(debt, LondonLocal(2025, 3, 9, 23), LondonLocal(2025, 3, 10, 0), London);
        var withinWeek = PaymentAllocator.AccrueTimeDebt(debt, LondonLocal(2025, 3, 10, 0), LondonLocal(2025, 3, 16, 23, 59), London);
        var threeWeeks = PaymentAllocator.AccrueTimeDebt(debt, LondonLocal(2025, 3, 5, 12), LondonLocal(2025, 3, 26, 12), London);

        Assert.Equal((Gbp(2m), 1), (overMonday.Due, overMonday.Periods));
        Assert.Equal(0, withinWeek.Periods);
        Assert.Equal(Gbp(6m), threeWeeks.Due);
    }

    [Fact]
    public void AccrueTimeDebt_NeverMoreDueThanOutstanding()
    {
        var debt = DebtRegister.TimeBased("t", "x", Gbp(1.20m), Gbp(0.50m), DebtPeriod.Day);
        var first = PaymentAllocator.AccrueTimeDebt(debt, LondonLocal(2025, 3, 3, 12), LondonLocal(2025, 3, 6, 12), London);
        var second = PaymentAllocator.AccrueTimeDebt(first.Debt, LondonLocal(2025, 3, 6, 12), LondonLocal(2025, 3, 9, 12), London);

        Assert.Equal((Gbp(1.20m), 3), (first.Due, first.Periods));
        Assert.Equal(Gbp(0m), second.Due);
        Assert.Equal(Gbp(1.20m), second.Debt.DueUnpaid);
    }

    [Fact]
    public void TimeDebt_BalancePaysPart_RestRecoveredFromNextTopUp()
    {
        var debt = DebtRegister.TimeBased("t", "x", Gbp(10m), Gbp(0.50m), DebtPeriod.Day);
        var accrued = PaymentAllocator.AccrueTimeDebt(debt, LondonLocal(2025, 3, 3, 12), LondonLocal(2025, 3, 5, 12), London).Debt;
        var afterBalance = accrued.SettleDueFromBalance(Gbp(0.30m));
        Assert.Equal((Gbp(0.70m), Gbp(9.70m)), (afterBalance.DueUnpaid, afterBalance.Outstanding));

        var a = PaymentAllocator.Allocate(Gbp(0.50m), LondonLocal(2025, 3, 5, 13), Gbp(0m), [afterBalance], London);

        Assert.Equal([new AllocationLine(AllocationLineKind.DebtRecovered, Gbp(0.50m), "t")], a.Lines);
        Assert.Equal((Gbp(0.20m), Gbp(9.20m)), (a.Debts[0].DueUnpaid, a.Debts[0].Outstanding));
        Assert.Throws<ArgumentException>(() => afterBalance.SettleDueFromBalance(Gbp(0.71m)));
    }

    [Fact]
    public void Allocate_BadInputs_ClearArgumentExceptions()
    {
        var at = LondonLocal(2025, 3, 3, 12);
        var debt = TenPercentCapFive();
        Assert.Contains("positive", Assert.Throws<ArgumentException>(() => PaymentAllocator.Allocate(Gbp(0m), at, Gbp(0m), [debt], London)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => PaymentAllocator.Allocate(Gbp(-1m), at, Gbp(0m), [debt], London));
        Assert.Throws<ArgumentException>(() => PaymentAllocator.Allocate(default, at, Gbp(0m), [debt], London));
        var wrong = Assert.Throws<ArgumentException>(() => PaymentAllocator.Allocate(Money.FromMajor(10m, Currency.EUR), at, Money.Zero(Currency.EUR), [debt], London));
        Assert.Equal("Debt payment-1 is in GBP but the top-up is in EUR. (Parameter 'debts')", wrong.Message);
        Assert.Throws<ArgumentException>(() => PaymentAllocator.Allocate(Gbp(10m), at, Money.Zero(Currency.EUR), [debt], London));
        Assert.Throws<ArgumentException>(() => PaymentAllocator.Allocate(Gbp(10m), at, Gbp(-1m), [debt], London));
        Assert.Contains("appears twice", Assert.Throws<ArgumentException>(() => PaymentAllocator.Allocate(Gbp(10m), at, Gbp(0m), [debt, debt], London)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DebtRegister_BadSettings_Rejected()
    {
        Assert.Throws<ArgumentException>(() => DebtRegister.PaymentBased("d", "x", Gbp(10m), 0m, Gbp(5m)));
        Assert.Throws<ArgumentException>(() => DebtRegister.PaymentBased("d", "x", Gbp(10m), 100.5m, Gbp(5m)));
        Assert.Throws<ArgumentException>(() => DebtRegister.PaymentBased("d", "x", Gbp(10m), 10m, Gbp(0m)));
        Assert.Throws<ArgumentException>(() => DebtRegister.PaymentBased("d", "x", Gbp(10m), 10m, Money.FromMajor(5m, Currency.EUR)));
        Assert.Throws<ArgumentException>(() => DebtRegister.PaymentBased("", "x", Gbp(10m), 10m, Gbp(5m)));
        Assert.Throws<ArgumentException>(() => DebtRegister.TimeBased("d", "x", Gbp(-0.01m), Gbp(1m), DebtPeriod.Day));
        Assert.Throws<ArgumentException>(() => DebtRegister.TimeBased("d", "x", Gbp(10m), Gbp(1m), (DebtPeriod)7));
        var time = DebtRegister.TimeBased("d", "x", Gbp(10m), Gbp(1m), DebtPeriod.Day);
        Assert.Throws<ArgumentException>(() => PaymentAllocator.AccrueTimeDebt(time, LondonLocal(2025, 3, 4, 0), LondonLocal(2025, 3, 3, 0), London));
        Assert.Throws<ArgumentException>(() => PaymentAllocator.AccrueTimeDebt(TenPercentCapFive(), LondonLocal(2025, 3, 3, 0), LondonLocal(2025, 3, 4, 0), London));
        Assert.Throws<ArgumentException>(() => TenPercentCapFive().SettleDueFromBalance(Gbp(0m)));
    }

    [Fact]
    public void WeekStartOf_IsLocalMonday()
    {
        Assert.Equal(new DateOnly(2025, 3, 3), PaymentAllocator.WeekStartOf(LondonLocal(2025, 3, 9, 23, 59), London));
        Assert.Equal(new DateOnly(2025, 3, 10), PaymentAllocator.WeekStartOf(LondonLocal(2025, 3, 10, 0), London));
        Assert.Equal(DayOfWeek.Monday, DateOnly.FromDayNumber(0).DayOfWeek);
    }

    /// <summary>The register after <paramref name="days"/> local days of accrual with nothing paid.</summary>
    private static DebtRegister Due(DebtRegister debt, int days)
    {
        var from = LondonLocal(2025, 2, 20, 12);
        return PaymentAllocator.AccrueTimeDebt(debt, from, from.AddDays(days), London).Debt;
    }
}
