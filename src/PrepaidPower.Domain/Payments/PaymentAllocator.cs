namespace PrepaidPower.Domain.Payments;

/// <summary>
/// The payment allocation waterfall and time-based debt accrual. Pure functions: inputs are never changed, results
/// are new values.
/// </summary>
/// <remarks>
/// Waterfall for one top-up T:
/// <list type="number">
/// <item>Emergency credit used is repaid first, up to T.</item>
/// <item>Debt registers in the order given (the account's priority):
///   a time-based debt takes what is due and unpaid; a payment-based debt takes ⌊percent × T⌋ in minor units (rounded
///   down: the part-unit stays with the customer), limited by what is left of its weekly cap.
///   Every debt is also limited by its outstanding amount and by what is left of T.</item>
/// <item>The rest goes to the balance.</item>
/// </list>
/// The percentage is of the whole top-up, not of what is left after emergency credit (GB meters work this way: "10 %
/// of each payment"). Weeks run Monday 00:00 to Sunday 24:00 local time in the account's zone.
/// The order differs from the Aclara SGM1400 meter, which takes debt before emergency credit; repaying emergency
/// credit first is our product decision (it restores the customer's safety net first).
/// </remarks>
public static class PaymentAllocator
{
    /// <summary>Splits a top-up received at <paramref name="instant"/> (UTC) into the waterfall lines.</summary>
    /// <param name="topUp">The payment, positive.</param>
    /// <param name="instant">When it was received (UTC); decides the week of a weekly cap.</param>
    /// <param name="emergencyCreditUsed">Emergency credit the customer has used and not repaid, ≥ 0.</param>
    /// <param name="debts">The account's debt registers in recovery order (ids unique).</param>
    /// <param name="timeZone">The account's IANA zone; decides the Monday–Sunday week of a weekly cap.</param>
    /// <exception cref="ArgumentException">Top-up zero or negative, a currency that differs from the top-up's,
    /// negative emergency credit, duplicate debt ids.</exception>
    public static Allocation Allocate(Money topUp, DateTimeOffset instant, Money emergencyCreditUsed, IReadOnlyList<DebtRegister> debts, TimeZoneInfo timeZone)
    {
        ArgumentNullException.ThrowIfNull(debts);
        ArgumentNullException.ThrowIfNull(timeZone);
        Validate(topUp, emergencyCreditUsed, debts);

        var currency = topUp.Currency;
        var left = topUp;
        var lines = new List<AllocationLine>(debts.Count + 2);
        var events = new List<PaymentEvent>();

        var ecRepaid = Money.Min(left, emergencyCreditUsed);
        if (ecRepaid.IsPositive)
        {
            lines.Add(new AllocationLine(AllocationLineKind.EmergencyCreditRepaid, ecRepaid));
            left -= ecRepaid;
            if (ecRepaid == emergencyCreditUsed)
            {
                events.Add(new PaymentEvent(PaymentCodes.EmergencyCreditRepaid, null, $"Emergency credit of {ecRepaid} fully repaid."));
            }
        }

        var week = WeekStartOf(instant, timeZone);
        var updated = new DebtRegister[debts.Count];
        for (var i = 0; i < debts.Count; i++)
        {
            var debt = debts[i].InWeek(week);
            var take = debt.Recovery switch
            {
                TimeBasedRecovery => debt.DueUnpaid,
                PaymentBasedRecovery p => Money.Min(PercentOf(topUp, p.Percent), p.WeeklyCap - debt.CollectedThisWeek),
                _ => throw new InvalidOperationException($"Unknown recovery {debt.Recovery}."),
            };
            take = Money.Min(Money.Min(take, debt.Outstanding), left);
            if (take.IsPositive)
            {
                debt = debt.Recover(take);
                left -= take;
                lines.Add(new AllocationLine(AllocationLineKind.DebtRecovered, take, debt.Id));
                if (debt.IsCleared)
                {
                    events.Add(new PaymentEvent(PaymentCodes.DebtCleared, debt.Id, $"{debt.Label}: last {take} recovered; debt cleared."));
                }
                else if (debt.Recovery is PaymentBasedRecovery cap && debt.CollectedThisWeek == cap.WeeklyCap)
                {
                    events.Add(new PaymentEvent(PaymentCodes.WeeklyCapReached, debt.Id, $"{debt.Label}: weekly cap {cap.WeeklyCap} reached for the week of {week:yyyy-MM-dd}."));
                }
            }
            updated[i] = debt;
        }

        if (left.IsPositive)
        {
            lines.Add(new AllocationLine(AllocationLineKind.ToBalance, left));
        }
        return new Allocation(topUp, lines, updated, emergencyCreditUsed - ecRepaid, events);
    }

    /// <summary>
    /// The amount of a time-based debt that becomes due between <paramref name="from"/> (exclusive) and
    /// <paramref name="to"/> (inclusive): one rate for every local period start in that span — each local midnight for
    /// <see cref="DebtPeriod.Day"/>, each local Monday 00:00 for <see cref="DebtPeriod.Week"/>. Calendar periods, not
    /// 24-hour spans: a 23-hour spring-forward day is one day, and 00:30 → 00:20 the next night is one day too.
    /// Because it counts boundaries, accrual over (a, b] plus (b, c] equals accrual over (a, c]: call it with the last
    /// <paramref name="to"/> as the next <paramref name="from"/>. The amount is capped so that what is due never exceeds
    /// what is outstanding; the returned register has <see cref="DebtRegister.DueUnpaid"/> raised by it.
    /// </summary>
    /// <exception cref="ArgumentException">The debt is not time-based, or <paramref name="to"/> is before <paramref name="from"/>.</exception>
    public static TimeDebtAccrual AccrueTimeDebt(DebtRegister debt, DateTimeOffset from, DateTimeOffset to, TimeZoneInfo timeZone)
    {
        ArgumentNullException.ThrowIfNull(debt);
        ArgumentNullException.ThrowIfNull(timeZone);
        if (debt.Recovery is not TimeBasedRecovery rate)
        {
            throw new ArgumentException($"Debt {debt.Id} is payment-based; only time-based debts accrue over time.", nameof(debt));
        }
        if (to < from)
        {
            throw new ArgumentException($"Accrual of debt {debt.Id} runs backwards: to {to:O} is before from {from:O}.", nameof(to));
        }

        var fromDay = LocalDate(from, timeZone).DayNumber;
        var toDay = LocalDate(to, timeZone).DayNumber;
        // DateOnly day 0 (0001-01-01) is a Monday, so day / 7 numbers Monday–Sunday weeks.
        var periods = rate.Period == DebtPeriod.Day ? toDay - fromDay : (toDay / 7) - (fromDay / 7);
        // A zone whose clocks fall back across midnight can step the local date back; that span owes nothing.
        periods = Math.Max(0, periods);

        var room = debt.Outstanding - debt.DueUnpaid;
        var full = Money.FromMinor(checked(rate.AmountPerPeriod.MinorUnits * periods), debt.Currency);
        var due = Money.Min(full, room);
        return new TimeDebtAccrual(due, periods, debt.WithDue(debt.DueUnpaid + due));
    }

    /// <summary>The local Monday that starts the Monday–Sunday week containing <paramref name="instant"/>.</summary>
    public static DateOnly WeekStartOf(DateTimeOffset instant, TimeZoneInfo timeZone)
    {
        ArgumentNullException.ThrowIfNull(timeZone);
        var day = LocalDate(instant, timeZone).DayNumber;
        return DateOnly.FromDayNumber(day - (day % 7));
    }

    /// <summary>⌊<paramref name="percent"/> % of <paramref name="amount"/>⌋ in minor units (rounded down).</summary>
    public static Money PercentOf(Money amount, decimal percent) =>
        Money.FromMinor(decimal.ToInt64(decimal.Floor(amount.MinorUnits * percent / 100m)), amount.Currency);

    private static DateOnly LocalDate(DateTimeOffset instant, TimeZoneInfo timeZone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, timeZone).DateTime);

    private static void Validate(Money topUp, Money emergencyCreditUsed, IReadOnlyList<DebtRegister> debts)
    {
        if (!topUp.Currency.IsDefined || !topUp.IsPositive)
        {
            throw new ArgumentException($"A top-up must be a positive amount, not {topUp}.", nameof(topUp));
        }
        if (emergencyCreditUsed.Currency != topUp.Currency || emergencyCreditUsed.IsNegative)
        {
            throw new ArgumentException(
                $"Emergency credit used must be zero or more in {topUp.Currency}, not {emergencyCreditUsed}.", nameof(emergencyCreditUsed));
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var debt in debts)
        {
            ArgumentNullException.ThrowIfNull(debt, nameof(debts));
            if (debt.Currency != topUp.Currency)
            {
                throw new ArgumentException($"Debt {debt.Id} is in {debt.Currency} but the top-up is in {topUp.Currency}.", nameof(debts));
            }
            if (!ids.Add(debt.Id))
            {
                throw new ArgumentException($"Debt id {debt.Id} appears twice; every register needs its own id.", nameof(debts));
            }
        }
    }
}
