using CsCheck;
using PrepaidPower.Domain.Credit;
using PrepaidPower.Domain.Protection;
using static PrepaidPower.Domain.Tests.Credit.CreditFixture;

namespace PrepaidPower.Domain.Tests.Credit;

[Trait("Category", "Unit")]
public sealed class CreditPolicyMachineTests
{
    private static DateTimeOffset Utc(int month, int day, int hour, int minute = 0, int year = 2026) =>
        new(year, month, day, hour, minute, 0, TimeSpan.Zero);

    private static string[] Orders(CreditStep step) => step.Orders.Select(Describe).ToArray();

    // London is on UTC in January, so the local times below equal the UTC times.
    [Fact]
    public void Handle_WholeStory_FallsThroughLevelsLimitsDefersCutToMondayAndReconnectsOnTopUp()
    {
        var f = new CreditFixture();
        var s = f.Open(50m);
        Assert.Equal(CreditStatus.InCredit, s.State.Status);
        Assert.Empty(s.Events);

        s = f.Handle(s.State, new BalanceChanged(Gbp(9.99m)));
        Assert.Equal(["LOW_CREDIT_1"], s.Codes);
        Assert.Equal((CreditStatus.LowCredit, 1), (s.State.Status, s.State.AlarmLevel));

        s = f.Handle(s.State, new BalanceChanged(Gbp(4.00m)));
        Assert.Equal(["LOW_CREDIT_2"], s.Codes);
        Assert.Equal(Gbp(4.00m), s.Events[0].Balance);

        s = f.Handle(s.State, new BalanceChanged(Gbp(1.80m), DaysOfCreditLeft: 1.2m));
        Assert.Equal(["LOW_CREDIT_DAYS_LEFT", "EMERGENCY_CREDIT_AVAILABLE"], s.Codes);
        Assert.Equal(1.2m, s.Events[0].DaysOfCreditLeft);

        f.Time.SetUtcNow(Utc(1, 6, 9));
        s = f.Handle(s.State, new EmergencyCreditActivated());
        Assert.Equal(["EMERGENCY_CREDIT_ACTIVATED"], s.Codes);
        Assert.Equal(CreditStatus.EmergencyCredit, s.State.Status);

        s = f.Handle(s.State, new BalanceChanged(Gbp(-6.00m)));
        Assert.Empty(s.Events);
        Assert.Equal(CreditStatus.EmergencyCredit, s.State.Status);

        // Wednesday 22:00: emergency credit (10.00) is used up; notice served, grace 3 days.
        f.Time.SetUtcNow(Utc(1, 7, 22));
        s = f.Handle(s.State, new BalanceChanged(Gbp(-10.00m)));
        Assert.Equal(["EMERGENCY_CREDIT_EXHAUSTED", "ARREARS_NOTICE_SERVED"], s.Codes);
        Assert.Equal(CreditStatus.Arrears, s.State.Status);
        Assert.Equal(Utc(1, 10, 22), s.NextDeadline);
        Assert.Equal(Utc(1, 7, 22), s.State.NoticeServedAt);

        s = f.Fire(s.State);
        Assert.Equal(["LIMIT_STEP_APPLIED"], s.Codes);
        Assert.Equal(["LimitTo(6)"], Orders(s));
        Assert.Equal((1, 6m, Utc(1, 17, 22)), (s.Events[0].Level!.Value, s.Events[0].Kilowatts!.Value, s.Events[0].Until!.Value));

        s = f.Fire(s.State);
        Assert.Equal(["LimitTo(3)"], Orders(s));
        Assert.Equal(Utc(1, 24, 22), s.NextDeadline);

        s = f.Fire(s.State);
        Assert.Equal(["LimitTo(1)"], Orders(s));
        Assert.Equal(3, s.Events[0].Level);
        Assert.Equal(Utc(1, 31, 22), s.NextDeadline); // Saturday night

        // Saturday 31 Jan 22:00: night and weekend → deferred to Monday 08:00.
        s = f.Fire(s.State);
        Assert.Equal(["DISCONNECTION_DEFERRED_PROTECTED"], s.Codes);
        Assert.Empty(s.Orders);
        Assert.Equal(CreditStatus.DisconnectionDeferred, s.State.Status);
        Assert.Equal(Utc(2, 2, 8), s.NextDeadline);
        Assert.Equal(Utc(2, 2, 8), s.Events[0].Until);
        Assert.StartsWith("WeeklyWindow: protected window Saturday", s.Events[0].Reason, StringComparison.Ordinal);

        s = f.Fire(s.State);
        Assert.Equal(["DISCONNECTION_DUE"], s.Codes);
        Assert.Equal(["Disconnect(Arrears)"], Orders(s));
        Assert.Null(s.NextDeadline);

        s = f.Handle(s.State, new DisconnectConfirmed());
        Assert.Equal(["DISCONNECTED"], s.Codes);
        Assert.Equal(CreditStatus.Disconnected, s.State.Status);

        s = f.Handle(s.State, new TopUp(Gbp(0.50m)));
        Assert.Equal(["RECONNECT_THRESHOLD_NOT_REACHED"], s.Codes);
        Assert.Equal(CreditStatus.Disconnected, s.State.Status);

        s = f.Handle(s.State, new TopUp(Gbp(25.00m)));
        Assert.Equal(["ARREARS_CLEARED", "RECONNECTED"], s.Codes);
        Assert.Equal(["Reconnect"], Orders(s));
        Assert.Equal((CreditStatus.InCredit, 0, -1), (s.State.Status, s.State.AlarmLevel, s.State.LimitStep));
        Assert.Null(s.State.NoticeServedAt);
        Assert.False(s.State.EmergencyCreditExhausted);
    }

    private static CreditPolicy NoticeOnly() => Policy() with { ArrearsMode = ArrearsMode.DisconnectAfterNotice, Limiting = null };

    [Fact]
    public void Handle_DisconnectAfterNotice_WaitsForTheLongerOfNoticeAndGrace()
    {
        var f = new CreditFixture(NoticeOnly());
        var s = f.Handle(f.Open(50m).State, new BalanceChanged(Gbp(-1m)));
        Assert.Equal(Utc(1, 12, 12), s.NextDeadline); // notice 7 days > grace 3 days
        s = f.Fire(s.State);
        Assert.Equal(["Disconnect(Arrears)"], Orders(s));
    }

    [Fact]
    public void Handle_KeepSupplyOnOverride_DefersCutUntilItEnds()
    {
        var f = new CreditFixture(NoticeOnly());
        var s = f.Handle(f.Open(50m).State, new BalanceChanged(Gbp(-1m)));
        s = f.Handle(s.State, new ProtectionAdded(AccountProtection.KeepSupplyOn(Utc(1, 14, 17, 30), "ice storm", "op-3")));
        Assert.Equal(["PROTECTION_ADDED"], s.Codes);
        Assert.Equal("op-3", s.Events[0].OperatorId);

        s = f.Fire(s.State);
        Assert.Equal(CreditStatus.DisconnectionDeferred, s.State.Status);
        Assert.Equal("KeepSupplyOn: ice storm", s.Events[0].Reason);
        Assert.Equal(Utc(1, 14, 17, 30), s.NextDeadline);

        s = f.Fire(s.State);
        Assert.Equal(["DISCONNECTION_DUE"], s.Codes);
        Assert.Null(s.State.Protections.KeepSupplyOn); // expired protections are dropped
    }

    [Fact]
    public void Handle_MedicalProtectionEndingAtNight_DefersToFirstUnprotectedMorning()
    {
        var f = new CreditFixture(NoticeOnly());
        var s = f.Handle(f.Open(50m).State, new BalanceChanged(Gbp(-1m)));
        s = f.Handle(s.State, new ProtectionAdded(AccountProtection.Medical(Utc(1, 16, 21), "oxygen concentrator")));

        s = f.Fire(s.State); // Monday 12 Jan 12:00
        Assert.Equal("Medical: oxygen concentrator", s.Events[0].Reason);
        // Friday 21:00 is in the night window, then the weekend, then Monday's early hours.
        Assert.Equal(Utc(1, 19, 8), s.NextDeadline);

        s = f.Fire(s.State);
        Assert.Equal(["Disconnect(Arrears)"], Orders(s));
        Assert.Null(s.State.Protections.Medical);
    }

    [Fact]
    public void Handle_WeatherHoldRemovedEarly_CutsAtOnceWhenUnprotected()
    {
        var f = new CreditFixture(NoticeOnly());
        var s = f.Handle(f.Open(50m).State, new BalanceChanged(Gbp(-1m)));
        s = f.Handle(s.State, new ProtectionAdded(AccountProtection.WeatherHold(Utc(1, 13, 12), "North", "cold snap below 0 °C")));
        s = f.Fire(s.State);
        Assert.Equal("WeatherHold: North: cold snap below 0 °C", s.Events[0].Reason);
        Assert.Equal(Utc(1, 13, 12), s.NextDeadline);

        f.Time.SetUtcNow(Utc(1, 12, 15));
        s = f.Handle(s.State, new ProtectionRemoved(ProtectionKind.WeatherHold, "op-3"));
        Assert.Equal(["PROTECTION_REMOVED", "DISCONNECTION_DUE"], s.Codes);
        Assert.Equal(["Disconnect(Arrears)"], Orders(s));
    }

    [Fact]
    public void Handle_CutDueOnChristmas_DeferredOverHolidaysAndWeekendToTuesdayMorning()
    {
        var f = new CreditFixture(NoticeOnly(), start: Utc(12, 18, 10));
        var s = f.Handle(f.Open(50m).State, new BalanceChanged(Gbp(-1m)));
        s = f.Fire(s.State); // Friday 25 Dec 10:00
        Assert.Equal("PublicHoliday: Christmas Day", s.Events[0].Reason);
        Assert.Equal(Utc(12, 29, 8), s.NextDeadline); // Sat, Sun, Mon 28 (substitute holiday), Monday night
    }

    [Fact]
    public void Handle_CutDueAcrossSpringForward_DeferredToMondayEightLocal()
    {
        // Saturday 28 March 2026 22:00 GMT; clocks go forward on Sunday; Monday 08:00 BST is 07:00 UTC.
        var f = new CreditFixture(NoticeOnly(), start: Utc(3, 21, 22));
        var s = f.Handle(f.Open(50m).State, new BalanceChanged(Gbp(-1m)));
        Assert.Equal(Utc(3, 28, 22), s.NextDeadline);
        s = f.Fire(s.State);
        Assert.Equal(Utc(3, 30, 7), s.NextDeadline);
    }

    [Fact]
    public void Handle_EnforcementCutInProtectedWindow_CutsAtOnce()
    {
        var f = new CreditFixture(start: Utc(1, 10, 14)); // Saturday afternoon
        Assert.True(f.Machine.Calendar.Evaluate(f.Time.GetUtcNow()).IsProtected);
        var s = f.Handle(f.Open(50m).State, new EnforcementCut("op-7", "meter bypass found"));
        Assert.Equal(["ENFORCEMENT_CUT"], s.Codes);
        Assert.Equal(["Disconnect(Enforcement)"], Orders(s));
        Assert.Equal(("op-7", "meter bypass found"), (s.Events[0].OperatorId, s.Events[0].Reason));
        var d = Assert.IsType<Disconnect>(s.Orders[0]);
        Assert.Equal("meter bypass found", d.Detail);
    }

    [Fact]
    public void Handle_SafetyTripThenTopUpThenClear_StaysTrippedUntilClearedThenReconnects()
    {
        var f = new CreditFixture();
        var s = f.Handle(f.Reach(CreditStatus.Disconnected), new SafetyTripped("arc fault"));
        Assert.Equal(CreditStatus.SafetyTripped, s.State.Status);

        s = f.Handle(s.State, new TopUp(Gbp(25m)));
        Assert.Equal(["RECONNECT_BLOCKED_SAFETY"], s.Codes);
        Assert.Equal("arc fault", s.Events[0].Reason);
        Assert.Empty(s.Orders);
        Assert.Equal(CreditStatus.SafetyTripped, s.State.Status);

        s = f.Handle(s.State, new SafetyCleared("op-9", "inspected"));
        Assert.Equal(["SAFETY_CLEARED", "RECONNECTED", "ARREARS_CLEARED"], s.Codes);
        Assert.Equal(["Reconnect"], Orders(s));
        Assert.Equal(CreditStatus.InCredit, s.State.Status);
        Assert.Null(s.State.HeldFrom);
    }

    [Fact]
    public void Handle_SafetyClearedWithoutEnoughCredit_StaysDisconnected()
    {
        var f = new CreditFixture();
        var s = f.Handle(f.Reach(CreditStatus.Disconnected), new SafetyTripped("over-temperature"));
        s = f.Handle(s.State, new SafetyCleared("op-9", "inspected"));
        Assert.Equal(["SAFETY_CLEARED"], s.Codes);
        Assert.Empty(s.Orders);
        Assert.Equal(CreditStatus.Disconnected, s.State.Status);
    }

    [Fact]
    public void Handle_SafetyClearedWhileLimited_RestoresTheLimitAndThePausedDeadline()
    {
        var f = new CreditFixture();
        var limited = f.Reach(CreditStatus.Limited);
        var s = f.Handle(limited, new SafetyTripped("overload"));
        Assert.Null(s.NextDeadline); // timers pause during a hold
        s = f.Handle(s.State, new SafetyCleared("op-9", "inspected"));
        Assert.Equal(["SAFETY_CLEARED", "RECONNECTED"], s.Codes);
        Assert.Equal(["LimitTo(6)"], Orders(s));
        Assert.Equal((CreditStatus.Limited, limited.Deadline), (s.State.Status, s.NextDeadline));
    }

    [Fact]
    public void Handle_EnforcementUnderSafetyTrip_ClearingTheTripKeepsTheEnforcementCut()
    {
        var f = new CreditFixture();
        var s = f.Handle(f.Reach(CreditStatus.EnforcementCut), new SafetyTripped("arc fault"));
        s = f.Handle(s.State, new TopUp(Gbp(80m)));
        Assert.Equal(["RECONNECT_BLOCKED_SAFETY"], s.Codes);
        s = f.Handle(s.State, new SafetyCleared("op-9", "inspected"));
        Assert.Equal(CreditStatus.EnforcementCut, s.State.Status);
        Assert.Equal(["Disconnect(Enforcement)"], Orders(s));
        s = f.Handle(s.State, new EnforcementLifted("op-7", "fine paid"));
        Assert.Equal(["ENFORCEMENT_LIFTED", "RECONNECTED"], s.Codes);
        Assert.Equal(CreditStatus.InCredit, s.State.Status);
    }

    [Fact]
    public void Handle_EnforcementLiftedUnderTripWithoutCut_Rejected()
    {
        var f = new CreditFixture();
        var e = Assert.Throws<InvalidCreditTransitionException>(() =>
            f.Handle(f.Reach(CreditStatus.SafetyTripped), new EnforcementLifted("op-7", "x")));
        Assert.Equal("Cannot handle EnforcementLifted in state SafetyTripped: no enforcement cut is in force", e.Message);
    }

    [Fact]
    public void Handle_WigglingBalance_OneNoticePerLevelUntilTopUp()
    {
        var f = new CreditFixture();
        var s = f.Open(12m).State;
        var codes = new List<string>();
        foreach (var b in new[] { 9.99m, 10.50m, 9.50m, 10.01m, 4.99m, 5.01m, 4.00m, 5.50m, 4.50m })
        {
            var step = f.Handle(s, new BalanceChanged(Gbp(b)));
            codes.AddRange(step.Codes);
            s = step.State;
        }
        Assert.Equal(["LOW_CREDIT_1", "LOW_CREDIT_2"], codes);
        Assert.Equal(CreditStatus.LowCredit, s.Status);

        var topUp = f.Handle(s, new TopUp(Gbp(10.50m)));
        Assert.Equal(["LOW_CREDIT_RECOVERED"], topUp.Codes);
        Assert.Equal((0, CreditStatus.InCredit), (topUp.Events[0].Level!.Value, topUp.State.Status));
        Assert.Equal(["LOW_CREDIT_1"], f.Handle(topUp.State, new BalanceChanged(Gbp(9.90m))).Codes);
    }

    [Fact]
    public void Handle_RandomWalkAboveZero_AtMostOneNoticePerLevel()
    {
        Gen.Int[1, 2000].Array[1, 40].Sample(pennies =>
        {
            var f = new CreditFixture();
            var s = f.Open(20m).State;
            var codes = new List<string>();
            foreach (var p in pennies)
            {
                var step = f.Handle(s, new BalanceChanged(Money.FromMinor(p, Currency.GBP)));
                codes.AddRange(step.Codes.Where(c => c.StartsWith("LOW_CREDIT_", StringComparison.Ordinal)));
                s = step.State;
            }
            var min = pennies.Min();
            var deepest = min <= 500 ? 2 : min <= 1000 ? 1 : 0;
            Assert.True(codes.Count(c => c == "LOW_CREDIT_1") <= 1);
            Assert.Equal(deepest == 2 ? 1 : 0, codes.Count(c => c == "LOW_CREDIT_2"));
            Assert.Equal(deepest, s.AlarmLevel);
        });
    }

    [Fact]
    public void Handle_DaysLeftForecast_WarnsOnceUntilTopUp()
    {
        var f = new CreditFixture();
        var s = f.Open(50m).State;
        var first = f.Handle(s, new BalanceChanged(Gbp(40m), DaysOfCreditLeft: 2.5m));
        Assert.Equal(["LOW_CREDIT_DAYS_LEFT"], first.Codes);
        Assert.Empty(f.Handle(first.State, new BalanceChanged(Gbp(39m), DaysOfCreditLeft: 2.4m)).Events);
        var topped = f.Handle(first.State, new TopUp(Gbp(60m), DaysOfCreditLeft: 9m));
        Assert.Equal(["LOW_CREDIT_DAYS_LEFT"], f.Handle(topped.State, new BalanceChanged(Gbp(30m), DaysOfCreditLeft: 3m)).Codes);
    }

    [Fact]
    public void Handle_AutomaticEmergencyCredit_ActivatesAtThresholdAndIsRepaidFirstFromTopUp()
    {
        var policy = Policy() with { EmergencyCredit = new EmergencyCreditPolicy(Gbp(2m), Gbp(10m), Automatic: true) };
        var f = new CreditFixture(policy);
        var s = f.Handle(f.Open(50m).State, new BalanceChanged(Gbp(-0.50m)));
        Assert.Equal(["EMERGENCY_CREDIT_ACTIVATED", "LOW_CREDIT_2"], s.Codes);
        Assert.Equal("automatic", s.Events.Single(e => e.Code == "EMERGENCY_CREDIT_ACTIVATED").Reason);
        Assert.Equal(CreditStatus.EmergencyCredit, s.State.Status);

        // 4.00 paid on -4.50: the emergency credit in use is repaid first and is still not cleared.
        s = f.Handle(f.Handle(s.State, new BalanceChanged(Gbp(-4.50m))).State, new TopUp(Gbp(-0.50m)));
        Assert.Equal(CreditStatus.EmergencyCredit, s.State.Status);
        Assert.Empty(s.Events);

        s = f.Handle(s.State, new TopUp(Gbp(3.00m)));
        Assert.Equal(["EMERGENCY_CREDIT_REPAID"], s.Codes);
        Assert.Equal((CreditStatus.LowCredit, false), (s.State.Status, s.State.EmergencyCreditActive));
    }

    [Fact]
    public void Handle_EmergencyCreditAfterExhaustion_RejectedUntilPayment()
    {
        var f = new CreditFixture();
        var s = f.Handle(f.Reach(CreditStatus.EmergencyCredit), new BalanceChanged(Gbp(-10m)));
        Assert.True(s.State.EmergencyCreditExhausted);
        var e = Assert.Throws<InvalidCreditTransitionException>(() => f.Handle(s.State, new EmergencyCreditActivated()));
        Assert.Equal("Cannot handle EmergencyCreditActivated in state Arrears: emergency credit was used up; it is offered again after a payment", e.Message);
    }

    [Fact]
    public void Handle_EmergencyCreditWithoutAlarmLevels_ActivatesFromInCredit()
    {
        var f = new CreditFixture(Policy() with { AlarmLevels = [] });
        var s = f.Handle(f.Open(50m).State, new BalanceChanged(Gbp(1.50m)));
        Assert.Equal((CreditStatus.InCredit, "EMERGENCY_CREDIT_AVAILABLE"), (s.State.Status, s.Codes.Single()));
        Assert.Equal(CreditStatus.EmergencyCredit, f.Handle(s.State, new EmergencyCreditActivated()).State.Status);
    }

    [Fact]
    public void Handle_LimitOnly_HoldsFloorWithoutTimer()
    {
        var f = new CreditFixture(Policy() with { ArrearsMode = ArrearsMode.LimitOnly });
        var s = f.Handle(f.Open(50m).State, new BalanceChanged(Gbp(-1m)));
        s = f.Fire(f.Fire(f.Fire(s.State).State).State);
        Assert.Equal(["LimitTo(1)"], Orders(s));
        Assert.Null(s.NextDeadline);
        var e = Assert.Throws<InvalidCreditTransitionException>(() => f.Handle(s.State, new TimerDue()));
        Assert.StartsWith("Cannot handle TimerDue in state Limited: no timer is set", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Handle_MonthlySteps_UseLocalCalendarMonths()
    {
        var policy = Policy() with { GracePeriod = TimeSpan.Zero, Limiting = new LimitingSchedule([4m], 1.5m, LimitStepInterval.Months(1)) };
        var f = new CreditFixture(policy, start: Utc(1, 31, 12));
        var s = f.Fire(f.Handle(f.Open(50m).State, new BalanceChanged(Gbp(-1m))).State);
        Assert.Equal(Utc(2, 28, 12), s.NextDeadline); // 31 Jan + 1 month, clamped
        s = f.Fire(s.State);
        Assert.Equal(["LimitTo(1.5)"], Orders(s));
        Assert.Equal(Utc(3, 28, 12), s.NextDeadline);
    }

    [Fact]
    public void Handle_TimerBeforeDeadline_ChangesNothing()
    {
        var f = new CreditFixture();
        var arrears = f.Reach(CreditStatus.Arrears);
        var s = f.Handle(arrears, new TimerDue());
        Assert.Empty(s.Events);
        Assert.Equal(arrears, s.State);
    }

    [Fact]
    public void Handle_BalanceInOtherCurrency_RejectedWithoutChange()
    {
        var f = new CreditFixture();
        var e = Assert.Throws<ArgumentException>(() => f.Handle(f.Reach(CreditStatus.InCredit), new BalanceChanged(Money.FromMajor(1m, Currency.CNY))));
        Assert.StartsWith("The balance is in CNY but the credit policy is in GBP", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Handle_ExpiredProtection_Rejected()
    {
        var f = new CreditFixture();
        var stale = AccountProtection.Medical(f.Time.GetUtcNow().AddMinutes(-1), "old certificate");
        Assert.Throws<ArgumentException>(() => f.Handle(f.Reach(CreditStatus.InCredit), new ProtectionAdded(stale)));
    }

    [Fact]
    public void Handle_ProtectionAddedAfterHoldOnDisconnectedAccount_RestoresSupplyOnResume()
    {
        var f = new CreditFixture();
        var s = f.Handle(f.Reach(CreditStatus.Disconnected), new SafetyTripped("arc fault"));
        s = f.Handle(s.State, new ProtectionAdded(f.Medical(10)));
        s = f.Handle(s.State, new SafetyCleared("op-9", "inspected"));
        Assert.Equal(["SAFETY_CLEARED", "RECONNECTED", "DISCONNECTION_DEFERRED_PROTECTED"], s.Codes);
        Assert.Equal(CreditStatus.DisconnectionDeferred, s.State.Status);
    }

    [Fact]
    public void Handle_TimerInDeferralStillProtected_DefersAgain()
    {
        var f = new CreditFixture();
        var deferred = f.Reach(CreditStatus.DisconnectionDeferred); // medical until Tuesday 3 Feb 12:00
        var s = f.Handle(deferred, new SafetyTripped("overload"));
        s = f.Handle(s.State, new ProtectionAdded(AccountProtection.KeepSupplyOn(Utc(2, 5, 9), "welfare visit", "op-3")));
        s = f.Handle(s.State, new SafetyCleared("op-9", "inspected"));
        Assert.Equal(Utc(2, 3, 12), s.NextDeadline); // the paused deadline, not yet recomputed

        s = f.Fire(s.State);
        Assert.Equal(["DISCONNECTION_DEFERRED_PROTECTED"], s.Codes);
        Assert.Equal("KeepSupplyOn: welfare visit", s.Events[0].Reason);
        Assert.Equal((CreditStatus.DisconnectionDeferred, Utc(2, 5, 9)), (s.State.Status, s.NextDeadline));
    }

    [Fact]
    public void Open_NegativeBalance_ServesNoticeAtOnce()
    {
        var f = new CreditFixture();
        var s = f.Open(-20m);
        Assert.Equal(CreditStatus.Arrears, s.State.Status);
        Assert.Equal(["ARREARS_NOTICE_SERVED"], s.Codes);
    }

    [Fact]
    public void Constructor_InvalidPolicy_ListsEveryProblem()
    {
        var bad = Policy() with
        {
            AlarmLevels = [Gbp(5m), Gbp(10m)],
            ReconnectThreshold = Gbp(0m),
            Limiting = new LimitingSchedule([3m, 6m], 0m, LimitStepInterval.Days(0)),
        };
        var e = Assert.Throws<ArgumentException>(() => new CreditPolicyMachine(bad, Calendar(), TimeProvider.System));
        Assert.Contains("ReconnectThreshold 0.00 must be above DisconnectionThreshold 0.00", e.Message, StringComparison.Ordinal);
        Assert.Contains("AlarmLevels must be strictly descending: AlarmLevels[1] 10.00 is not below 5.00", e.Message, StringComparison.Ordinal);
        Assert.Contains("Limiting.FloorKilowatts 0 must be positive", e.Message, StringComparison.Ordinal);
        Assert.Contains("Limiting.StepsKilowatts must be strictly descending: [1] 6 is not below 3", e.Message, StringComparison.Ordinal);
        Assert.Contains("Limiting.Interval 0 days must be 1–366 days or 1–12 months", e.Message, StringComparison.Ordinal);
        Assert.Equal(5, bad.Problems().Count);
    }

    [Fact]
    public void Problems_MixedCurrencyAndMissingLimiting_Named()
    {
        var bad = Policy() with { ReconnectThreshold = Money.FromMajor(1m, Currency.CNY), Limiting = null };
        Assert.Equal(
            ["ReconnectThreshold is in CNY but DisconnectionThreshold is in GBP; use one currency.", "ArrearsMode LimitThenDisconnect needs a Limiting schedule."],
            bad.Problems());
        Assert.Empty(Policy().Problems());
    }

    [Fact]
    public void DaysOfCreditLeft_WorkedExample_RoundsDown()
    {
        // 14.00 spent in 7 days = 2.00/day; 9.50 left above a 0.00 threshold → 4.75 → 4.7 days.
        Assert.Equal(4.7m, CreditForecast.DaysOfCreditLeft(Gbp(9.50m), Gbp(0m), Gbp(14m), TimeSpan.FromDays(7)));
        Assert.Equal(0m, CreditForecast.DaysOfCreditLeft(Gbp(-1m), Gbp(0m), Gbp(14m), TimeSpan.FromDays(7)));
        Assert.Null(CreditForecast.DaysOfCreditLeft(Gbp(9.50m), Gbp(0m), Gbp(0m), TimeSpan.FromDays(7)));
    }
}
