using System.Globalization;

namespace PrepaidPower.Domain.Credit;

/// <summary>What happens after the arrears notice and grace period.</summary>
public enum ArrearsMode
{
    /// <summary>No limiting: the cut is due when both the grace and the notice period have passed.</summary>
    DisconnectAfterNotice = 1,

    /// <summary>Limit step by step down to the floor; after the floor has held for one interval the cut is due.</summary>
    LimitThenDisconnect = 2,

    /// <summary>Limit step by step down to the floor and stay there: basic supply is never cut for arrears.</summary>
    LimitOnly = 3,
}

/// <summary>Unit of a limiting step interval. Both count local calendar time in the protection calendar's zone.</summary>
public enum LimitIntervalUnit
{
    Days = 1,
    Months = 2,
}

/// <summary>How long each limit step holds: N local days or N local calendar months (1–366 days, 1–12 months).</summary>
public readonly record struct LimitStepInterval(int Count, LimitIntervalUnit Unit)
{
    public static LimitStepInterval Days(int count) => new(count, LimitIntervalUnit.Days);

    public static LimitStepInterval Months(int count) => new(count, LimitIntervalUnit.Months);

    public override string ToString() => $"{Count} {Unit.ToString().ToLowerInvariant()}";
}

/// <summary>
/// Emergency credit: becomes available when the balance is at or below <see cref="AvailableAtOrBelow"/>, lets the balance
/// fall to <c>DisconnectionThreshold − Limit</c> before arrears start, and is repaid first from the next top-up (the
/// balance carries the debt, so a top-up covers it before anything else). <see cref="Automatic"/>: activated by the
/// system when the balance reaches the disconnection threshold; otherwise the customer activates it.
/// </summary>
public sealed record EmergencyCreditPolicy(Money AvailableAtOrBelow, Money Limit, bool Automatic);

/// <summary>
/// Progressive power limiting: <see cref="StepsKilowatts"/> (strictly descending, each above the floor) are applied one
/// per <see cref="Interval"/>, then <see cref="FloorKilowatts"/>, the basic supply (lights, fridge) that limiting never
/// goes below. kW values are positive with at most 3 decimals (whole watts).
/// </summary>
public sealed record LimitingSchedule(IReadOnlyList<decimal> StepsKilowatts, decimal FloorKilowatts, LimitStepInterval Interval)
{
    /// <summary>Steps then floor: index i of the state's limit step reads here.</summary>
    public decimal KilowattsAt(int step) => step < StepsKilowatts.Count ? StepsKilowatts[step] : FloorKilowatts;

    /// <summary>Index of the floor step (= number of steps above the floor).</summary>
    public int FloorStep => StepsKilowatts.Count;
}

/// <summary>
/// An account's credit policy: alarm levels, emergency credit, notice and grace, limiting, and the disconnection and
/// reconnect thresholds. All money is in one currency. Immutable; <see cref="Problems"/> lists every rule broken and
/// <see cref="Validated"/> throws with all of them. Thresholds are inclusive: an alarm or a cut applies when the balance
/// is at or below its level; reconnection when it is at or above the reconnect threshold.
/// </summary>
public sealed record CreditPolicy
{
    public const int MaxAlarmLevels = 9;
    public const int MaxLimitSteps = 12;
    private static readonly TimeSpan MaxPeriod = TimeSpan.FromDays(366);

    /// <summary>Low-balance alarm levels, strictly descending, all above <see cref="DisconnectionThreshold"/>. Level 1 is the first (highest).</summary>
    public IReadOnlyList<Money> AlarmLevels { get; init; } = [];

    /// <summary>Warn once (per top-up) when the days-of-credit-left forecast is at or below this; null = no forecast warning.</summary>
    public decimal? DaysLeftWarning { get; init; }

    /// <summary>Null = no emergency credit.</summary>
    public EmergencyCreditPolicy? EmergencyCredit { get; init; }

    /// <summary>Arrears start when the balance (less any active emergency credit) is at or below this.</summary>
    public required Money DisconnectionThreshold { get; init; }

    /// <summary>The arrears process ends (supply restored) when the balance is at or above this; must exceed the disconnection threshold.</summary>
    public required Money ReconnectThreshold { get; init; }

    public ArrearsMode ArrearsMode { get; init; } = ArrearsMode.DisconnectAfterNotice;

    /// <summary>Minimum time between the written arrears notice and an arrears cut (0–366 days).</summary>
    public TimeSpan NoticePeriod { get; init; }

    /// <summary>Time between the notice and the first restriction (a limit step, or the cut without limiting) (0–366 days).</summary>
    public TimeSpan GracePeriod { get; init; }

    /// <summary>Required when <see cref="ArrearsMode"/> limits; must be null for <see cref="ArrearsMode.DisconnectAfterNotice"/>.</summary>
    public LimitingSchedule? Limiting { get; init; }

    public Currency Currency => DisconnectionThreshold.Currency;

    /// <summary>The deepest alarm level the balance is at or below (0 = none).</summary>
    public int AlarmLevelOf(Money balance)
    {
        var level = 0;
        for (var i = 0; i < AlarmLevels.Count; i++)
        {
            if (balance <= AlarmLevels[i])
            {
                level = i + 1;
            }
        }
        return level;
    }

    /// <summary>Every rule this policy breaks, each naming the setting and what to do; empty when valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (!DisconnectionThreshold.Currency.IsDefined)
        {
            problems.Add("DisconnectionThreshold has no currency; build it with Money.FromMajor.");
            return problems;
        }
        var currency = Currency;
        bool Same(Money m, string name)
        {
            if (m.Currency == currency)
            {
                return true;
            }
            problems.Add($"{name} is in {(m.Currency.IsDefined ? m.Currency.Code : "no currency")} but DisconnectionThreshold is in {currency}; use one currency.");
            return false;
        }

        if (Same(ReconnectThreshold, nameof(ReconnectThreshold)) && ReconnectThreshold <= DisconnectionThreshold)
        {
            problems.Add($"ReconnectThreshold {ReconnectThreshold.ToAmountString()} must be above DisconnectionThreshold {DisconnectionThreshold.ToAmountString()}, or a reconnected account would be cut again at once.");
        }

        if (AlarmLevels is null || AlarmLevels.Count > MaxAlarmLevels)
        {
            problems.Add($"AlarmLevels: give 0 to {MaxAlarmLevels} levels.");
        }
        else
        {
            for (var i = 0; i < AlarmLevels.Count; i++)
            {
                var name = $"AlarmLevels[{i}]";
                if (!Same(AlarmLevels[i], name))
                {
                    continue;
                }
                if (AlarmLevels[i] <= DisconnectionThreshold)
                {
                    problems.Add($"{name} {AlarmLevels[i].ToAmountString()} must be above DisconnectionThreshold {DisconnectionThreshold.ToAmountString()}.");
                }
                if (i > 0 && AlarmLevels[i - 1].Currency == currency && AlarmLevels[i] >= AlarmLevels[i - 1])
                {
                    problems.Add($"AlarmLevels must be strictly descending: {name} {AlarmLevels[i].ToAmountString()} is not below {AlarmLevels[i - 1].ToAmountString()}.");
                }
            }
        }

        if (DaysLeftWarning is { } days && (days <= 0 || days > 366))
        {
            problems.Add($"DaysLeftWarning {days.ToString(CultureInfo.InvariantCulture)} must be above 0 and at most 366 days (or null for none).");
        }

        if (EmergencyCredit is { } ec)
        {
            if (Same(ec.AvailableAtOrBelow, "EmergencyCredit.AvailableAtOrBelow") && ec.AvailableAtOrBelow < DisconnectionThreshold)
            {
                problems.Add($"EmergencyCredit.AvailableAtOrBelow {ec.AvailableAtOrBelow.ToAmountString()} must be at or above DisconnectionThreshold {DisconnectionThreshold.ToAmountString()}, or it could never be offered before arrears.");
            }
            if (Same(ec.Limit, "EmergencyCredit.Limit") && !ec.Limit.IsPositive)
            {
                problems.Add($"EmergencyCredit.Limit {ec.Limit.ToAmountString()} must be positive (or set EmergencyCredit to null).");
            }
        }

        Period(NoticePeriod, nameof(NoticePeriod), problems);
        Period(GracePeriod, nameof(GracePeriod), problems);

        if (!Enum.IsDefined(ArrearsMode))
        {
            problems.Add($"ArrearsMode {(int)ArrearsMode} is not defined.");
        }
        else if (ArrearsMode == ArrearsMode.DisconnectAfterNotice && Limiting is not null)
        {
            problems.Add("Limiting is set but ArrearsMode is DisconnectAfterNotice; choose LimitThenDisconnect or LimitOnly, or remove Limiting.");
        }
        else if (ArrearsMode != ArrearsMode.DisconnectAfterNotice && Limiting is null)
        {
            problems.Add($"ArrearsMode {ArrearsMode} needs a Limiting schedule.");
        }

        if (Limiting is { } l)
        {
            LimitingProblems(l, problems);
        }
        return problems;
    }

    /// <summary>This policy, after checking it.</summary>
    /// <exception cref="ArgumentException">Lists every problem found by <see cref="Problems"/>.</exception>
    public CreditPolicy Validated()
    {
        var problems = Problems();
        return problems.Count == 0
            ? this
            : throw new ArgumentException("The credit policy is invalid:" + string.Concat(problems.Select(p => Environment.NewLine + " - " + p)));
    }

    private static void Period(TimeSpan value, string name, List<string> problems)
    {
        if (value < TimeSpan.Zero || value > MaxPeriod)
        {
            problems.Add($"{name} {value} must be between 0 and 366 days.");
        }
    }

    private static void LimitingProblems(LimitingSchedule l, List<string> problems)
    {
        static bool Watts(decimal kw) => kw * 1000 == decimal.Truncate(kw * 1000);

        if (l.FloorKilowatts <= 0 || !Watts(l.FloorKilowatts))
        {
            problems.Add($"Limiting.FloorKilowatts {l.FloorKilowatts.ToString(CultureInfo.InvariantCulture)} must be positive with at most 3 decimals: the floor keeps a basic supply.");
        }
        if (l.StepsKilowatts is null || l.StepsKilowatts.Count > MaxLimitSteps)
        {
            problems.Add($"Limiting.StepsKilowatts: give 0 to {MaxLimitSteps} steps above the floor.");
        }
        else
        {
            for (var i = 0; i < l.StepsKilowatts.Count; i++)
            {
                var kw = l.StepsKilowatts[i];
                var text = kw.ToString(CultureInfo.InvariantCulture);
                if (kw <= l.FloorKilowatts || !Watts(kw))
                {
                    problems.Add($"Limiting.StepsKilowatts[{i}] {text} must be above the floor {l.FloorKilowatts.ToString(CultureInfo.InvariantCulture)} with at most 3 decimals.");
                }
                if (i > 0 && kw >= l.StepsKilowatts[i - 1])
                {
                    problems.Add($"Limiting.StepsKilowatts must be strictly descending: [{i}] {text} is not below {l.StepsKilowatts[i - 1].ToString(CultureInfo.InvariantCulture)}.");
                }
            }
        }
        var okCount = l.Interval.Unit switch
        {
            LimitIntervalUnit.Days => l.Interval.Count is >= 1 and <= 366,
            LimitIntervalUnit.Months => l.Interval.Count is >= 1 and <= 12,
            _ => false,
        };
        if (!okCount)
        {
            problems.Add($"Limiting.Interval {l.Interval} must be 1–366 days or 1–12 months.");
        }
    }
}
