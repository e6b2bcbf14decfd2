using PrepaidPower.Domain.Supply;

namespace PrepaidPower.Domain.Tests.Supply;

[Trait("Category", "Unit")]
public sealed class SupplyMachineTests
{
    private static readonly Guid IdA = Guid.Parse("00000000-0000-0000-0000-00000000000a");
    private static readonly Guid IdB = Guid.Parse("00000000-0000-0000-0000-00000000000b");

    [Fact]
    public void RequestLimit_FromConnected_SendsCommandAndKeepsStateUntilConfirmed()
    {
        var kit = new SupplyTestKit();
        var result = kit.Machine.Apply(kit.In(SupplyStatus.Connected), new SupplyTrigger.RequestLimit(SupplyTestKit.Three, IdA));

        Assert.Equal(SupplyStatus.LimitRequested, result.Next.Status);
        Assert.Null(result.Next.Limit);
        var command = Assert.Single(result.Commands);
        Assert.Equal(new SupplyCommand(IdA, SupplyCommandKind.SetLimit, SupplyTestKit.Three, 1), command);
        Assert.Equal(RelayStatus.ClosedLimited(SupplyTestKit.Three), command.ExpectedStatus);
        Assert.Equal(new PendingCommand(IdA, SupplyCommandKind.SetLimit, SupplyTestKit.Three, 1, SupplyTestKit.Start.AddSeconds(30)), result.Next.Pending);
        Assert.Equal(SupplyCodes.CommandIssued, Assert.Single(result.Events).Code);
    }

    [Fact]
    public void Confirmed_MatchingReadBack_GoesLimitedWithTheLimit()
    {
        var kit = new SupplyTestKit();
        var requested = kit.Apply(kit.In(SupplyStatus.Connected), new SupplyTrigger.RequestLimit(SupplyTestKit.Three, IdA));
        kit.Time.Advance(TimeSpan.FromSeconds(12));

        var result = kit.Machine.Apply(requested, new SupplyTrigger.Confirmed(IdA, RelayStatus.ClosedLimited(SupplyTestKit.Three)));

        Assert.Equal(SupplyStatus.Limited, result.Next.Status);
        Assert.Equal(3000, result.Next.Limit?.Watts);
        Assert.Null(result.Next.Pending);
        Assert.Equal(SupplyTestKit.Start.AddSeconds(12), result.Next.LastStatusAt);
        Assert.Equal(IdA, result.Next.LastConfirmedCommandId);
        Assert.Empty(result.Commands);
        Assert.Empty(result.Alarms);
    }

    [Fact]
    public void Confirmed_ReadBackContradicts_GoesUnknownWithCriticalAlarm()
    {
        var kit = new SupplyTestKit();
        var requested = kit.Apply(kit.In(SupplyStatus.Connected), new SupplyTrigger.RequestDisconnect(IdA, DisconnectReason.Arrears));

        var result = kit.Machine.Apply(requested, new SupplyTrigger.Confirmed(IdA, RelayStatus.Closed));

        Assert.Equal(SupplyStatus.Unknown, result.Next.Status);
        var alarm = Assert.Single(result.Alarms);
        Assert.Equal(SupplyCodes.ConfirmationMismatch, alarm.Code);
        Assert.Equal(AlarmSeverity.Critical, alarm.Severity);
        Assert.Null(result.Next.Pending);
    }

    [Fact]
    public void Confirmed_SupersededCommand_IgnoredAndNewCommandStillPending()
    {
        var kit = new SupplyTestKit();
        var first = kit.Apply(kit.In(SupplyStatus.Connected), new SupplyTrigger.RequestLimit(SupplyTestKit.Five, IdA));
        var second = kit.Machine.Apply(first, new SupplyTrigger.RequestDisconnect(IdB, DisconnectReason.Enforcement));
        Assert.Equal([SupplyCodes.CommandSuperseded, SupplyCodes.CommandIssued], second.Events.Select(e => e.Code));

        var late = kit.Machine.Apply(second.Next, new SupplyTrigger.Confirmed(IdA, RelayStatus.ClosedLimited(SupplyTestKit.Five)));

        Assert.Same(second.Next, late.Next);
        Assert.Equal(SupplyCodes.StaleConfirmationIgnored, Assert.Single(late.Events).Code);
        Assert.Equal(IdB, late.Next.Pending?.Id);
    }

    [Fact]
    public void Confirmed_DuplicateAfterConfirmation_IgnoredStaysSettled()
    {
        var kit = new SupplyTestKit();
        var requested = kit.Apply(kit.In(SupplyStatus.Disconnected), new SupplyTrigger.RequestReconnect(IdA));
        var connected = kit.Apply(requested, new SupplyTrigger.Confirmed(IdA, RelayStatus.Closed));

        var again = kit.Machine.Apply(connected, new SupplyTrigger.Confirmed(IdA, RelayStatus.Closed));

        Assert.Equal(SupplyStatus.Connected, again.Next.Status);
        Assert.Same(connected, again.Next);
        Assert.Equal(SupplyCodes.StaleConfirmationIgnored, Assert.Single(again.Events).Code);
    }

    [Fact]
    public void Timeout_UnconfirmedCommand_RetriesWithDoublingWaitsThenUnknown()
    {
        var kit = new SupplyTestKit();
        var state = kit.Apply(kit.In(SupplyStatus.Connected), new SupplyTrigger.RequestDisconnect(IdA, DisconnectReason.Enforcement));
        var sent = new List<SupplyCommand>();
        var alarms = new List<SupplyAlarm>();
        var retryTimes = new List<DateTimeOffset>();

        // Waits 30 s, 60 s, 120 s, 240 s, 480 s after sends 1–5 (MaxAttempts 5).
        for (var i = 0; i < 5; i++)
        {
            kit.Time.SetUtcNow(state.Pending!.Value.NextRetryAt);
            retryTimes.Add(kit.Time.GetUtcNow());
            var r = kit.Machine.Apply(state, new SupplyTrigger.Timeout(IdA));
            sent.AddRange(r.Commands);
            alarms.AddRange(r.Alarms);
            state = r.Next;
        }

        Assert.Equal(
            new[] { 30, 90, 210, 450, 930 }.Select(s => SupplyTestKit.Start.AddSeconds(s)),
            retryTimes);
        Assert.Equal([2, 3, 4, 5], sent.Select(c => c.Attempt));
        Assert.All(sent, c => Assert.Equal((IdA, SupplyCommandKind.Open), (c.Id, c.Kind)));
        Assert.Equal([SupplyCodes.CommandUnconfirmed, SupplyCodes.RetriesExhausted], alarms.Select(a => a.Code));
        Assert.Equal(SupplyStatus.Unknown, state.Status);
        Assert.Null(state.Pending);
    }

    [Fact]
    public void Timeout_BeforeDueOrForAnotherCommand_Ignored()
    {
        var kit = new SupplyTestKit();
        var state = kit.Apply(kit.In(SupplyStatus.Connected), new SupplyTrigger.RequestLimit(SupplyTestKit.Five, IdA));
        kit.Time.Advance(TimeSpan.FromSeconds(29));

        var early = kit.Machine.Apply(state, new SupplyTrigger.Timeout(IdA));
        kit.Time.Advance(TimeSpan.FromSeconds(1));
        var other = kit.Machine.Apply(state, new SupplyTrigger.Timeout(IdB));

        Assert.Same(state, early.Next);
        Assert.Empty(early.Commands);
        Assert.Same(state, other.Next);
        Assert.Equal(SupplyCodes.StaleTimeoutIgnored, Assert.Single(other.Events).Code);
    }

    [Fact]
    public void StatusObserved_ContradictsSettledState_UnknownThenNextReadAdopted()
    {
        var kit = new SupplyTestKit();
        var connected = kit.In(SupplyStatus.Connected);

        var drift = kit.Machine.Apply(connected, new SupplyTrigger.StatusObserved(RelayStatus.Open));
        Assert.Equal(SupplyStatus.Unknown, drift.Next.Status);
        Assert.Equal(SupplyCodes.StatusDrift, Assert.Single(drift.Alarms).Code);

        var adopted = kit.Machine.Apply(drift.Next, new SupplyTrigger.StatusObserved(RelayStatus.Open));
        Assert.Equal(SupplyStatus.Disconnected, adopted.Next.Status);
        Assert.Equal(SupplyCodes.StatusAdopted, Assert.Single(adopted.Events).Code);
    }

    [Fact]
    public void StatusObserved_LimitedAtAnotherLimit_IsDrift()
    {
        var kit = new SupplyTestKit();
        var result = kit.Machine.Apply(kit.In(SupplyStatus.Limited), new SupplyTrigger.StatusObserved(RelayStatus.ClosedLimited(SupplyTestKit.Three)));
        Assert.Equal(SupplyStatus.Unknown, result.Next.Status);
        Assert.Null(result.Next.Limit);
    }

    [Fact]
    public void StatusObserved_WhileRequested_RecordsButDoesNotConfirm()
    {
        var kit = new SupplyTestKit();
        var requested = kit.Apply(kit.In(SupplyStatus.Connected), new SupplyTrigger.RequestDisconnect(IdA, DisconnectReason.Enforcement));
        kit.Time.Advance(TimeSpan.FromSeconds(5));

        var result = kit.Machine.Apply(requested, new SupplyTrigger.StatusObserved(RelayStatus.Open));

        Assert.Equal(SupplyStatus.DisconnectRequested, result.Next.Status);
        Assert.Equal(RelayStatus.Open, result.Next.LastStatus);
        Assert.Equal(SupplyTestKit.Start.AddSeconds(5), result.Next.LastStatusAt);
        Assert.Equal(IdA, result.Next.Pending?.Id);
    }

    [Fact]
    public void SafetyEvent_WhileLimitPending_SupersedesAndOrdersOpen()
    {
        var kit = new SupplyTestKit();
        var requested = kit.Apply(kit.In(SupplyStatus.Connected), new SupplyTrigger.RequestLimit(SupplyTestKit.Five, IdA));

        var result = kit.Machine.Apply(requested, new SupplyTrigger.SafetyEvent(SafetyEventKind.ResidualCurrent, IdB));

        Assert.Equal(SupplyStatus.SafetyTripped, result.Next.Status);
        Assert.Equal(SafetyEventKind.ResidualCurrent, result.Next.TrippedBy);
        Assert.Equal(new SupplyCommand(IdB, SupplyCommandKind.Open, null, 1), Assert.Single(result.Commands));
        Assert.Equal(SupplyCodes.SafetyTrip, Assert.Single(result.Alarms).Code);
        Assert.Equal([SupplyCodes.CommandSuperseded, SupplyCodes.SafetyTripped], result.Events.Select(e => e.Code));
    }

    [Fact]
    public void SafetyTripped_ReconnectRequested_RejectedNamingStateAndTrigger()
    {
        var kit = new SupplyTestKit();
        var tripped = kit.In(SupplyStatus.SafetyTripped);

        var e = Assert.Throws<InvalidSupplyTransitionException>(() => kit.Machine.Apply(tripped, new SupplyTrigger.RequestReconnect(IdA)));

        Assert.Equal("Cannot apply RequestReconnect in supply state SafetyTripped: the supply is safety-tripped; an operator must inspect and clear it (ClearSafety) before any order.", e.Message);
    }

    [Fact]
    public void ClearSafety_AfterOpenConfirmed_DisconnectedThenReconnectAllowed()
    {
        var kit = new SupplyTestKit();
        var tripped = kit.Apply(kit.In(SupplyStatus.Limited), new SupplyTrigger.SafetyEvent(SafetyEventKind.OverTemperature, IdA));
        var opened = kit.Apply(tripped, new SupplyTrigger.Confirmed(IdA, RelayStatus.Open));
        Assert.Equal(SupplyStatus.SafetyTripped, opened.Status);

        var cleared = kit.Machine.Apply(opened, new SupplyTrigger.ClearSafety("inspector-12"));

        Assert.Equal(SupplyStatus.Disconnected, cleared.Next.Status);
        Assert.Null(cleared.Next.TrippedBy);
        Assert.Empty(cleared.Commands);
        Assert.Contains("inspector-12", Assert.Single(cleared.Events).Detail, StringComparison.Ordinal);
        var reconnect = kit.Machine.Apply(cleared.Next, new SupplyTrigger.RequestReconnect(IdB));
        Assert.Equal(SupplyStatus.ReconnectRequested, reconnect.Next.Status);
    }

    [Fact]
    public void ClearSafety_RelayNeverSeenOpen_UnknownWithAlarm()
    {
        var kit = new SupplyTestKit();
        var result = kit.Machine.Apply(kit.In(SupplyStatus.SafetyTripped), new SupplyTrigger.ClearSafety("op-1"));
        Assert.Equal(SupplyStatus.Unknown, result.Next.Status);
        Assert.Null(result.Next.Pending);
        Assert.Equal(SupplyCodes.ClearedWithoutOpenRelay, Assert.Single(result.Alarms).Code);
    }

    [Fact]
    public void SafetyTripped_OpenNeverConfirmed_StaysTrippedWithCriticalAlarm()
    {
        var kit = new SupplyTestKit(SupplyTestKit.ExactOptions with { MaxAttempts = 1 });
        var tripped = kit.Apply(kit.In(SupplyStatus.Connected), new SupplyTrigger.SafetyEvent(SafetyEventKind.ArcFault, IdA));
        kit.Time.SetUtcNow(tripped.Pending!.Value.NextRetryAt);

        var result = kit.Machine.Apply(tripped, new SupplyTrigger.Timeout(IdA));

        Assert.Equal(SupplyStatus.SafetyTripped, result.Next.Status);
        Assert.Null(result.Next.Pending);
        Assert.Equal((SupplyCodes.SafetyOpenUnconfirmed, AlarmSeverity.Critical), (result.Alarms[0].Code, result.Alarms[0].Severity));
    }

    [Fact]
    public void StatusObserved_RelayClosedWhileTripped_CriticalAlarmStaysTripped()
    {
        var kit = new SupplyTestKit();
        var result = kit.Machine.Apply(kit.In(SupplyStatus.SafetyTripped), new SupplyTrigger.StatusObserved(RelayStatus.Closed));
        Assert.Equal(SupplyStatus.SafetyTripped, result.Next.Status);
        Assert.Equal(SupplyCodes.RelayClosedWhileTripped, Assert.Single(result.Alarms).Code);
    }

    [Fact]
    public void RequestDisconnect_ArrearsOnStaleStatus_DeferredWithAlarm()
    {
        var kit = new SupplyTestKit();
        var connected = kit.In(SupplyStatus.Connected);
        kit.Time.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromTicks(1));

        var arrears = kit.Machine.Apply(connected, new SupplyTrigger.RequestDisconnect(IdA, DisconnectReason.Arrears));
        var enforcement = kit.Machine.Apply(connected, new SupplyTrigger.RequestDisconnect(IdB, DisconnectReason.Enforcement));

        Assert.Same(connected, arrears.Next);
        Assert.Empty(arrears.Commands);
        Assert.Equal(SupplyCodes.CutoffStaleStatus, Assert.Single(arrears.Alarms).Code);
        Assert.Equal(SupplyStatus.DisconnectRequested, enforcement.Next.Status);
    }

    [Fact]
    public void RequestDisconnect_ArrearsOnStatusExactlyMaxAgeOld_Sent()
    {
        var kit = new SupplyTestKit();
        var connected = kit.In(SupplyStatus.Connected);
        kit.Time.Advance(TimeSpan.FromMinutes(15));

        var result = kit.Machine.Apply(connected, new SupplyTrigger.RequestDisconnect(IdA, DisconnectReason.Arrears));

        Assert.Equal(SupplyStatus.DisconnectRequested, result.Next.Status);
        Assert.Single(result.Commands);
    }

    [Fact]
    public void IsStatusFresh_Boundaries()
    {
        var t = SupplyTestKit.Start;
        var read = SupplyState.Initial with { LastStatus = RelayStatus.Closed, LastStatusAt = t };
        var maxAge = TimeSpan.FromMinutes(5);

        Assert.True(read.IsStatusFresh(t, maxAge));
        Assert.True(read.IsStatusFresh(t + maxAge, maxAge));
        Assert.False(read.IsStatusFresh(t + maxAge + TimeSpan.FromTicks(1), maxAge));
        Assert.False(read.IsStatusFresh(t - TimeSpan.FromSeconds(1), maxAge));
        Assert.False(SupplyState.Initial.IsStatusFresh(t, maxAge));
        Assert.Throws<ArgumentOutOfRangeException>(() => read.IsStatusFresh(t, TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public void Request_SameIdAgain_DuplicateNothingSent()
    {
        var kit = new SupplyTestKit();
        var requested = kit.Apply(kit.In(SupplyStatus.Connected), new SupplyTrigger.RequestLimit(SupplyTestKit.Five, IdA));

        var again = kit.Machine.Apply(requested, new SupplyTrigger.RequestLimit(SupplyTestKit.Five, IdA));
        Assert.Same(requested, again.Next);
        Assert.Empty(again.Commands);
        Assert.Equal(SupplyCodes.DuplicateRequest, Assert.Single(again.Events).Code);

        var limited = kit.Apply(requested, new SupplyTrigger.Confirmed(IdA, RelayStatus.ClosedLimited(SupplyTestKit.Five)));
        var redelivered = kit.Machine.Apply(limited, new SupplyTrigger.RequestLimit(SupplyTestKit.Five, IdA));
        Assert.Same(limited, redelivered.Next);
        Assert.Empty(redelivered.Commands);
    }

    [Fact]
    public void Request_SameIdDifferentOrder_Rejected()
    {
        var kit = new SupplyTestKit();
        var requested = kit.Apply(kit.In(SupplyStatus.Connected), new SupplyTrigger.RequestLimit(SupplyTestKit.Five, IdA));
        var e = Assert.Throws<ArgumentException>(() => kit.Machine.Apply(requested, new SupplyTrigger.RequestLimit(SupplyTestKit.Three, IdA)));
        Assert.Contains("already pending as SetLimit(5 kW)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_BadPayload_ArgumentException()
    {
        var kit = new SupplyTestKit();
        var connected = kit.In(SupplyStatus.Connected);
        Assert.Throws<ArgumentException>(() => kit.Machine.Apply(connected, new SupplyTrigger.RequestLimit(SupplyTestKit.Five, Guid.Empty)));
        Assert.Throws<ArgumentException>(() => kit.Machine.Apply(connected, new SupplyTrigger.RequestLimit(default, IdA)));
        Assert.Throws<ArgumentException>(() => kit.Machine.Apply(kit.In(SupplyStatus.SafetyTripped), new SupplyTrigger.ClearSafety(" ")));
        Assert.Throws<ArgumentException>(() => kit.Machine.Apply(connected, new SupplyTrigger.RequestDisconnect(IdA, (DisconnectReason)99)));
    }

    [Fact]
    public void WaitAfter_DoublesUpToMaxWait()
    {
        var options = SupplyTestKit.ExactOptions with { MaxWait = TimeSpan.FromSeconds(100) };
        Assert.Equal(
            [30, 60, 100, 100, 100],
            Enumerable.Range(1, 5).Select(n => options.WaitAfter(n, IdA).TotalSeconds));
    }

    [Fact]
    public void WaitAfter_Jitter_DeterministicBoundedAndSpread()
    {
        var options = new SupplyOptions { InitialWait = TimeSpan.FromSeconds(30), JitterFraction = 0.5, JitterSeed = 42 };
        var ids = Enumerable.Range(1, 50).Select(i => new Guid(i, 0, 0, new byte[8])).ToList();

        var waits = ids.Select(id => options.WaitAfter(2, id)).ToList();

        Assert.Equal(waits, ids.Select(id => options.WaitAfter(2, id)));
        Assert.All(waits, w => Assert.InRange(w, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(90)));
        Assert.True(waits.Distinct().Count() > 40, "jitter should spread meters apart");
        Assert.NotEqual(waits, ids.Select(id => (options with { JitterSeed = 43 }).WaitAfter(2, id)));
    }

    [Fact]
    public void Options_OutOfRange_Rejected()
    {
        var time = TimeProvider.System;
        Assert.Throws<ArgumentException>(() => new SupplyMachine(new SupplyOptions { MaxAttempts = 0 }, time));
        Assert.Throws<ArgumentException>(() => new SupplyMachine(new SupplyOptions { JitterFraction = 1.5 }, time));
        Assert.Throws<ArgumentException>(() => new SupplyMachine(new SupplyOptions { MaxWait = TimeSpan.FromSeconds(1) }, time));
    }

    [Fact]
    public void PowerLimit_FromKilowatts_WholeWattsOnly()
    {
        Assert.Equal(2500, PowerLimit.FromKilowatts(2.5m).Watts);
        Assert.Equal("2.5 kW", PowerLimit.FromKilowatts(2.5m).ToString());
        Assert.Throws<ArgumentException>(() => PowerLimit.FromKilowatts(0.0005m));
        Assert.Throws<ArgumentException>(() => PowerLimit.FromKilowatts(0m));
        Assert.Throws<ArgumentException>(() => PowerLimit.FromKilowatts(1001m));
        Assert.Throws<ArgumentOutOfRangeException>(() => PowerLimit.FromWatts(-1));
    }

    [Fact]
    public void RelayStatus_OpenWithLimit_DropsLimit()
    {
        Assert.Equal(RelayStatus.Open, RelayStatus.From(RelayPosition.Open, SupplyTestKit.Five));
        Assert.Equal(RelayStatus.ClosedLimited(SupplyTestKit.Five), RelayStatus.From(RelayPosition.Closed, SupplyTestKit.Five));
        Assert.Equal(RelayStatus.Closed, RelayStatus.From(RelayPosition.Closed, null));
    }
}
