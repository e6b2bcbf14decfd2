using PrepaidPower.Contracts.Concentrators;
using PrepaidPower.Grains.Concentrators;
using PrepaidPower.Modbus.Profiles;

namespace PrepaidPower.Grains.Tests.Concentrators;

/// <summary>The concentrator's pure parts: read planning, decoding, the command queue and health.</summary>
[Trait("Category", "Unit")]
public sealed class ConcentratorPartsTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 7, 0, 0, 0, TimeSpan.Zero);

    private static DeviceProfile Sim() =>
        DeviceProfileLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "devices", "prepaidpower-sim.json"));

    private static ConcentratorMeter[] Meters(params int[] slots) => [.. slots.Select(s => new ConcentratorMeter { Slot = s, MeterId = $"m{s}" })];

    [Fact]
    public void Build_Table_GroupsConsecutiveBlocksSixPerRead()
    {
        var plan = RegisterPlan.Build(Sim(), ConcentratorLayout.Table, Meters(0, 1, 2, 3, 4, 5, 6, 7, 9, 10), []);

        Assert.Equal([6, 2, 2], plan.Groups.Select(g => g.Meters.Length));
        // Blocks 0–5: one holding read from 0 (total energy) to the end of block 5's clock (5 × 20 + 20) = 120 registers.
        Assert.Equal(new ReadRequest(RegisterKind.Holding, 0, 120), Assert.Single(plan.Groups[0].Requests));
        Assert.Equal(new ReadRequest(RegisterKind.Holding, 120, 40), Assert.Single(plan.Groups[1].Requests));
        Assert.Equal(new ReadRequest(RegisterKind.Holding, 180, 40), Assert.Single(plan.Groups[2].Requests));
    }

    [Fact]
    public void Build_Gateway_OneInputAndOneHoldingReadPerUnit()
    {
        var plan = RegisterPlan.Build(Sim(), ConcentratorLayout.Gateway, Meters(3, 1), [TouBand.Peak]);

        Assert.Equal([1, 3], plan.Groups.Select(g => g.UnitId));
        Assert.Equal(
            [new ReadRequest(RegisterKind.Holding, 12, 2), new ReadRequest(RegisterKind.Input, 0, 20)],
            plan.Groups[0].Requests);
        Assert.Single(plan.Bands);
    }

    [Fact]
    public void TryDecode_ImpossibleValues_AreErrorsNamingTheRegister()
    {
        var plan = RegisterPlan.Build(Sim(), ConcentratorLayout.Table, Meters(0), []);
        var block = new ushort[20];
        block[0] = 0x0001; // total = 65,536 counts = 655,360 Wh
        block[10] = 1;     // relay closed
        block[12] = 0;
        block[13] = 2500;  // limit 2,500 W
        block[16] = 0b10_0001; // arc fault + cover open
        block[19] = 100;   // clock = 100 s after 1970

        Assert.True(MeterDecoder.TryDecode(plan, new RegisterWindow(block, 0, [], 0), 0, out var ok, out _));
        Assert.Equal((655_360L, true, 2_500, (1 << (int)MeterEvent.ArcFault) | (1 << (int)MeterEvent.CoverOpen), 100UL),
            (ok.TotalWh, ok.RelayClosed!.Value, ok.LimitWatts!.Value, ok.Events, ok.ClockRaw!.Value));

        block[10] = 2;
        Assert.False(MeterDecoder.TryDecode(plan, new RegisterWindow(block, 0, [], 0), 0, out _, out var relayError));
        Assert.Equal("relayStatus: raw 2 is neither closed (1) nor open (0)", relayError);

        block[10] = 0;
        block[12] = 0x0010; // 1,048,576 W: above any possible limit
        block[13] = 0;
        Assert.False(MeterDecoder.TryDecode(plan, new RegisterWindow(block, 0, [], 0), 0, out _, out var limitError));
        Assert.StartsWith("powerLimit: 1048576 W is not a possible limit", limitError, StringComparison.Ordinal);
    }

    [Fact]
    public void TryPlanWrites_SetLimit_WritesTheLimitThenClosesTheRelay()
    {
        var plan = RegisterPlan.Build(Sim(), ConcentratorLayout.Table, Meters(2), []);
        Assert.True(plan.TryLocate("m2", out var meter));

        Assert.True(plan.TryPlanWrites(SupplyCommandType.SetLimit, 70_000, meter, out var writes, out _));

        Assert.Equal([(ushort)52, (ushort)51], writes.Select(w => w.Address)); // block 2 = 40; limit at +12, control at +11
        Assert.Equal([(ushort)1, (ushort)4464], writes[0].Values);              // 70,000 = 0x0001_1170
        Assert.Equal([(ushort)1], writes[1].Values);
        var readOnly = DeviceProfileLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "devices", "acrel-dtsd1352.json"));
        var acrel = RegisterPlan.Build(readOnly, ConcentratorLayout.Gateway, Meters(1), []);
        Assert.False(acrel.TryPlanWrites(SupplyCommandType.Open, null, acrel.Meters[0], out _, out var why));
        Assert.Contains("no relay control register", why, StringComparison.Ordinal);
    }

    [Fact]
    public void CommandQueue_SafetyFirst_ThenArrival_DuplicatesIgnored_NewerReplaces()
    {
        var queue = new CommandQueue();
        ConcentratorCommand Cmd(string meter, CommandPriority p, int attempt = 1, Guid? id = null) =>
            new() { MeterId = meter, CommandId = id ?? Guid.NewGuid(), Kind = SupplyCommandType.Open, Attempt = attempt, NextRetryAt = T0, Priority = p };

        var a = Cmd("a", CommandPriority.Supply);
        Assert.True(queue.Upsert(a));
        Assert.True(queue.Upsert(Cmd("b", CommandPriority.Supply)));
        Assert.True(queue.Upsert(Cmd("c", CommandPriority.Safety)));
        Assert.False(queue.Upsert(a));

        var order = new List<string>();
        while (queue.NextToExecute() is { } next)
        {
            order.Add(next.Command.MeterId);
            queue.MarkExecuted(next);
        }

        Assert.Equal(["c", "a", "b"], order);
        Assert.False(queue.Upsert(a)); // attempt 1 already executed
        Assert.True(queue.Upsert(a with { Attempt = 2 }));
        Assert.Equal(3, queue.Count);
        Assert.Equal(3, queue.DueTimeouts(T0).Length);
        queue.Remove("a", Guid.NewGuid());
        Assert.Equal(3, queue.Count);
        queue.Remove("a", a.CommandId);
        Assert.Equal(2, queue.Count);
    }

    [Fact]
    public void Health_FailedPollsThenAGoodOne_OfflineAfterThree_OnlineAgain()
    {
        var options = new ConcentratorOptions();
        var tracker = new ConcentratorHealthTracker();
        var period = TimeSpan.FromMinutes(1);

        Assert.Equal(ConcentratorHealth.Offline, tracker.Evaluate(T0, period, options).Health);
        tracker.RecordPoll(T0, read: 10, failed: 0);
        Assert.Equal(ConcentratorHealth.Online, tracker.Evaluate(T0, period, options).Health);
        tracker.RecordPoll(T0.AddMinutes(1), read: 9, failed: 1);
        Assert.Equal(ConcentratorHealth.Degraded, tracker.Evaluate(T0.AddMinutes(1), period, options).Health);
        var states = new List<ConcentratorHealth>();
        for (var i = 2; i <= 4; i++)
        {
            tracker.RecordPoll(T0.AddMinutes(i), read: 0, failed: 10);
            states.Add(tracker.Evaluate(T0.AddMinutes(i), period, options).Health);
        }

        Assert.Equal([ConcentratorHealth.Degraded, ConcentratorHealth.Degraded, ConcentratorHealth.Offline], states);
        tracker.RecordPoll(T0.AddMinutes(5), read: 10, failed: 0);
        Assert.Equal(ConcentratorHealth.Online, tracker.Evaluate(T0.AddMinutes(5), period, options).Health);
        // No good read for more than three poll periods: offline even without failed polls.
        var (late, why) = tracker.Evaluate(T0.AddMinutes(8).AddSeconds(1), period, options);
        Assert.Equal(ConcentratorHealth.Offline, late);
        Assert.StartsWith("no good read since", why, StringComparison.Ordinal);
    }
}
