using Microsoft.Extensions.Time.Testing;
using PrepaidPower.Domain.Credit;
using PrepaidPower.Domain.Protection;

namespace PrepaidPower.Domain.Tests.Credit;

/// <summary>
/// A GBP policy and a London calendar used by the credit tests, and a way to drive an account into each status.
/// Alarm levels 10.00 and 5.00; manual emergency credit available at 2.00 with a 10.00 limit; cut at 0.00, reconnect at
/// 1.00; notice 7 days, grace 3 days; limit 6 kW, 3 kW, then the 1 kW floor, 7 days each, then disconnect.
/// Protected: nights 20:00–08:00, weekends, Christmas and Boxing Day 2026.
/// </summary>
internal sealed class CreditFixture
{
    public static readonly DateTimeOffset Monday = new(2026, 1, 5, 12, 0, 0, TimeSpan.Zero);

    public CreditFixture(CreditPolicy? policy = null, ProtectionCalendar? calendar = null, DateTimeOffset? start = null)
    {
        Time = new FakeTimeProvider(start ?? Monday);
        Machine = new CreditPolicyMachine(policy ?? Policy(), calendar ?? Calendar(), Time);
    }

    public FakeTimeProvider Time { get; }

    public CreditPolicyMachine Machine { get; }

    public static Money Gbp(decimal amount) => Money.FromMajor(amount, Currency.GBP);

    public static CreditPolicy Policy() => new()
    {
        AlarmLevels = [Gbp(10.00m), Gbp(5.00m)],
        DaysLeftWarning = 3m,
        EmergencyCredit = new EmergencyCreditPolicy(Gbp(2.00m), Gbp(10.00m), Automatic: false),
        DisconnectionThreshold = Gbp(0m),
        ReconnectThreshold = Gbp(1.00m),
        ArrearsMode = ArrearsMode.LimitThenDisconnect,
        NoticePeriod = TimeSpan.FromDays(7),
        GracePeriod = TimeSpan.FromDays(3),
        Limiting = new LimitingSchedule([6m, 3m], 1m, LimitStepInterval.Days(7)),
    };

    public static ProtectionCalendar Calendar() => ProtectionCalendar.Create(
        "Europe/London",
        WeeklyProfile.Of(ProtectedWindow.Daily(new TimeOnly(20, 0), new TimeOnly(8, 0)), [ProtectedWindow.Weekend()]),
        [ProtectedDay.PublicHoliday(new DateOnly(2026, 12, 25), "Christmas Day"), ProtectedDay.PublicHoliday(new DateOnly(2026, 12, 28), "Boxing Day (substitute)")]);

    public CreditStep Open(decimal balance) => Machine.Open(Gbp(balance));

    public CreditStep Handle(CreditState state, CreditTrigger trigger) => Machine.Handle(state, trigger);

    /// <summary>Moves the clock to the state's deadline and fires the timer.</summary>
    public CreditStep Fire(CreditState state)
    {
        Time.SetUtcNow(state.NextDeadline ?? throw new InvalidOperationException($"No deadline in {state.Status}."));
        return Machine.Handle(state, new TimerDue());
    }

    /// <summary>Drives a fresh account (opened at 50.00 on Monday noon) into <paramref name="status"/> by legal transitions.</summary>
    public CreditState Reach(CreditStatus status)
    {
        var s = Open(50m).State;
        switch (status)
        {
            case CreditStatus.InCredit:
                return s;
            case CreditStatus.LowCredit:
                return Handle(s, new BalanceChanged(Gbp(8m))).State;
            case CreditStatus.EmergencyCredit:
                s = Handle(s, new BalanceChanged(Gbp(1.50m))).State;
                return Handle(s, new EmergencyCreditActivated()).State;
            case CreditStatus.Arrears:
                return Handle(s, new BalanceChanged(Gbp(-1m))).State;
            case CreditStatus.Limited:
                return Fire(Reach(CreditStatus.Arrears)).State;
            case CreditStatus.DisconnectionDue:
                s = Reach(CreditStatus.Limited);
                s = Fire(s).State; // 3 kW
                s = Fire(s).State; // floor 1 kW
                return Fire(s).State; // Thursday 29 Jan 12:00: unprotected, cut ordered
            case CreditStatus.Disconnected:
                return Handle(Reach(CreditStatus.DisconnectionDue), new DisconnectConfirmed()).State;
            case CreditStatus.DisconnectionDeferred:
                return Handle(Reach(CreditStatus.DisconnectionDue), new ProtectionAdded(Medical(days: 5))).State;
            case CreditStatus.EnforcementCut:
                return Handle(s, new EnforcementCut("op-7", "meter bypass found")).State;
            case CreditStatus.SafetyTripped:
                return Handle(s, new SafetyTripped("arc fault")).State;
            default:
                throw new ArgumentOutOfRangeException(nameof(status));
        }
    }

    /// <summary>Medical protection ending <paramref name="days"/> days from now, at the same time of day.</summary>
    public AccountProtection Medical(int days) => AccountProtection.Medical(Time.GetUtcNow().AddDays(days), "dialysis at home");

    public static string Describe(SupplyOrder order) => order switch
    {
        LimitTo l => $"LimitTo({l.Kilowatts})",
        Disconnect d => $"Disconnect({d.Reason})",
        Reconnect => "Reconnect",
        _ => order.ToString()!,
    };
}
