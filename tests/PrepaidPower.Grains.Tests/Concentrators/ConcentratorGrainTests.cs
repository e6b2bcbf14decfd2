using Microsoft.Extensions.DependencyInjection;
using PrepaidPower.Contracts.Accounts;
using PrepaidPower.Contracts.Concentrators;
using PrepaidPower.Contracts.Errors;
using PrepaidPower.Grains.Concentrators;
using PrepaidPower.Modbus.Profiles;
using PrepaidPower.Simulator;
using PrepaidPower.Tests.Shared;

namespace PrepaidPower.Grains.Tests.Concentrators;

/// <summary>
/// Concentrator grains against a real in-process simulator over loopback sockets, in a two-silo cluster. Time is the
/// fixture's fake clock: a test advances it, then polls (PollNowAsync); nothing sleeps.
/// </summary>
[Collection(ConcentratorClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class ConcentratorGrainTests(ConcentratorClusterFixture fixture)
{
    private static readonly CreditPolicySpec NoGrace = new()
    {
        NoticePeriod = TimeSpan.Zero,
        GracePeriod = TimeSpan.Zero,
        EmergencyCreditLimitMinor = 0,
    };

    private Task<CityHarness> CityAsync(int meters, int concentrators, CitySetup? setup = null, SimulatedLayouts layout = SimulatedLayouts.Alternate, Action<SimulatedCity>? loads = null) =>
        CityHarness.StartAsync(fixture.Client, ConcentratorClusterFixture.Time, new SimulatorOptions
        {
            Meters = meters,
            Concentrators = concentrators,
            Layout = layout,
            Seed = 7,
            RolloverEvery = 5,
        }, setup ?? new CitySetup { TariffId = ConcentratorClusterFixture.Tariff }, loads);

    [Fact]
    public async Task Poll_BothLayouts_BillsTheSimulatorsRegisteredEnergyExactly()
    {
        // 14 meters: concentrator 0 a gateway (unit ids 1–7), concentrator 1 a table (blocks 0–6, 6 per read); every
        // fifth meter starts 5 kWh below the register wrap, so rollovers happen within the hours polled.
        await using var city = await CityAsync(14, 2, loads: c =>
        {
            foreach (var m in new[] { 0, 5, 10 })
            {
                c.SetLoad(m, ConsumptionKind.Constant, 3000);
            }
        });
        var first = await city.PollAllAsync();
        for (var i = 0; i < 8; i++)
        {
            await city.StepAsync(TimeSpan.FromMinutes(45));
        }

        Assert.All(first, s => Assert.Equal((7, 7, 0), (s.Meters, s.Read, s.Failed)));
        long totalBilled = 0;
        for (var m = 0; m < city.MeterCount; m++)
        {
            var truth = city.City.GetTruth(m);
            var billed = (await city.Account(m).GetBalanceAsync()).BilledEnergyWh;
            Assert.Equal(truth.RegisteredWh, billed);
            Assert.InRange(truth.TrueWh - billed, 0, truth.WattHoursPerCount - 1);
            totalBilled += billed;
        }

        Assert.All(new[] { 0, 5, 10 }, m => Assert.Equal(1, city.City.GetTruth(m).Rollovers));
        Assert.True(totalBilled > 0);
        var gateway = await city.Concentrator(0).GetStatusAsync();
        var table = await city.Concentrator(1).GetStatusAsync();
        Assert.Equal(("Online", "gateway", 9L * 7, 0L), (gateway.Health, gateway.Layout, gateway.Counters.Reads, gateway.Counters.DecodeErrors));
        Assert.Equal(("Online", "table", 9L * 7, 0L), (table.Health, table.Layout, table.Counters.Reads, table.Counters.DecodeErrors));
        // Table: 7 meters = one read of 6 blocks and one of 1, per poll. Gateway: an input and a holding read per meter.
        Assert.Equal(9L * 2, table.Counters.Requests);
        Assert.Equal(9L * 7 * 2, gateway.Counters.Requests);
        Assert.Equal(9L * 7, table.Counters.ReadingsReported);
    }

    [Theory]
    [InlineData(FaultKind.Timeout)]
    [InlineData(FaultKind.DropConnection)]
    [InlineData(FaultKind.ExceptionResponse)]
    [InlineData(FaultKind.StaleRegisters)]
    public async Task Fault_OnOneConcentrator_DegradesItToOfflineWhileTheOtherKeepsPolling(FaultKind fault)
    {
        await using var city = await CityAsync(8, 2, layout: SimulatedLayouts.Table);
        await city.PollAllAsync();
        city.City.SetFault(FaultTarget.Concentrator(0), fault);

        var healths = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var polls = await city.StepAsync(TimeSpan.FromMinutes(5));
            healths.Add(polls[0].Health);
            Assert.Equal(("Online", 4), (polls[1].Health, polls[1].Read));
        }

        Assert.Equal(["Degraded", "Degraded", "Offline"], healths);
        var status = await city.Concentrator(0).GetStatusAsync();
        Assert.Equal(("Offline", 3), (status.Health, status.ConsecutiveFailedPolls));
        Assert.Contains(status.RecentAlarms, a => a.Code == "CONCENTRATOR_OFFLINE" && a.Severity == "Critical");
        var c = status.Counters;
        switch (fault)
        {
            case FaultKind.Timeout:
                Assert.Equal(3, c.Timeouts);
                break;
            case FaultKind.DropConnection:
                Assert.Equal(3, c.ConnectionFailures);
                Assert.True(c.Reconnects >= 2, "each dropped connection is reopened by the next request");
                break;
            case FaultKind.ExceptionResponse:
                Assert.Equal(3, c.ExceptionResponses);
                break;
            default:
                Assert.Equal(3 * 4, c.StaleReads);
                break;
        }

        // Readings stopped with the fault; they resume when it clears, and nothing is lost.
        var billedBefore = (await city.Account(0).GetBalanceAsync()).BilledEnergyWh;
        city.City.ClearFault(FaultTarget.Concentrator(0));
        var recovered = await city.StepAsync(TimeSpan.FromMinutes(5));
        Assert.Equal(("Online", 4), (recovered[0].Health, recovered[0].Read));
        Assert.Equal(city.City.GetTruth(0).RegisteredWh, (await city.Account(0).GetBalanceAsync()).BilledEnergyWh);
        Assert.True((await city.Account(0).GetBalanceAsync()).BilledEnergyWh >= billedBefore);
        if (fault == FaultKind.Timeout)
        {
            Assert.True((await city.Concentrator(0).GetStatusAsync()).Counters.Reconnects >= 1, "three timeouts in a row reopen the connection");
        }
    }

    [Fact]
    public async Task Timeout_OnAGatewayOfManyMeters_CutsThePollShortAfterThreeTransportFailures()
    {
        await using var city = await CityAsync(20, 1, layout: SimulatedLayouts.Gateway);
        city.City.SetFault(FaultTarget.Concentrator(0), FaultKind.Timeout);

        var poll = (await city.StepAsync(TimeSpan.FromMinutes(1)))[0];

        Assert.Equal((0, 3, 17), (poll.Read, poll.Failed, poll.Skipped));
        var counters = (await city.Concentrator(0).GetStatusAsync()).Counters;
        Assert.Equal((3L, 1L, 17L), (counters.Timeouts, counters.PollsAborted, counters.ReadsSkipped));
    }

    [Fact]
    public async Task ImpossibleRelayValue_IsADecodeError_NeverAReading()
    {
        await using var city = await CityAsync(3, 1, new CitySetup { TariffId = ConcentratorClusterFixture.Tariff, ProfileId = ConcentratorClusterFixture.BrokenRelayProfile }, SimulatedLayouts.Table);

        var poll = (await city.StepAsync(TimeSpan.FromMinutes(10)))[0];

        Assert.Equal((0, 3, "Degraded"), (poll.Read, poll.Failed, poll.Health));
        var status = await city.Concentrator(0).GetStatusAsync();
        Assert.Equal((3L, 0L), (status.Counters.DecodeErrors, status.Counters.ReadingsReported));
        Assert.Null((await city.Meter(0).GetAsync()).LastRegisterWh);
    }

    [Fact]
    public async Task ArrearsCut_OpensTheSimulatedRelay_IsConfirmed_AndATopUpReconnectsWithinSeconds()
    {
        await using var city = await CityAsync(2, 1, new CitySetup { TariffId = ConcentratorClusterFixture.Tariff, Policy = NoGrace, TopUpMinor = m => m == 0 ? 300 : 1_000_000 }, SimulatedLayouts.Gateway);
        city.City.SetLoad(0, ConsumptionKind.Constant, 3000);
        await city.PollAllAsync();

        // 3 kW for 2 h = 6 kWh ≈ 3.70 CNY > 3.00: the reading that shows it bills the account into arrears, the cut is
        // ordered on fresh data, written between read batches and confirmed by reading the relay back.
        var poll = (await city.StepAsync(TimeSpan.FromHours(2)))[0];

        Assert.Equal(1, poll.CommandsExecuted);
        Assert.False(city.City.GetTruth(0).RelayClosed);
        Assert.Equal("Disconnected", (await city.Meter(0).GetSupplyAsync()).Status);
        Assert.Equal("Disconnected", (await city.Account(0).GetBalanceAsync()).CreditStatus);
        Assert.True(city.City.GetTruth(1).RelayClosed);
        var counters = (await city.Concentrator(0).GetStatusAsync()).Counters;
        Assert.Equal((1L, 1L, 0L), (counters.CommandsExecuted, counters.CommandsConfirmed, counters.CommandsFailed));

        // No consumption while open.
        var registered = city.City.GetTruth(0).RegisteredWh;
        await city.StepAsync(TimeSpan.FromHours(1));
        Assert.Equal(registered, city.City.GetTruth(0).RegisteredWh);

        // The top-up clears the threshold: the close command runs at once (no poll, no clock step).
        await city.TopUpAsync(0, 5_000, "reconnect");
        await CityHarness.UntilAsync(async () => (await city.Meter(0).GetSupplyAsync()).Status == "Connected", TimeSpan.FromSeconds(10), "the meter is reconnected");
        Assert.True(city.City.GetTruth(0).RelayClosed);
    }

    [Fact]
    public async Task StaleData_ConcentratorOffline_ArrearsCutIsNotSent()
    {
        await using var city = await CityAsync(2, 1, new CitySetup { TariffId = ConcentratorClusterFixture.Tariff, Policy = NoGrace, TopUpMinor = _ => 1_000 }, SimulatedLayouts.Table);
        await city.PollAllAsync();
        city.City.SetFault(FaultTarget.Concentrator(0), FaultKind.Timeout);
        for (var i = 0; i < 4; i++)
        {
            await city.StepAsync(TimeSpan.FromMinutes(10));
        }

        // An operator's adjustment puts the account into arrears while the last read is 40 minutes old.
        await city.Account(0).AdjustAsync(new PaymentRequest { Id = city.AccountId(0) + "-adj", Amount = new Contracts.MoneyAmount(-2_000, "CNY"), Channel = "ops", Reason = "correction", OperatorId = "op-9" });

        Assert.Equal("DisconnectionDue", (await city.Account(0).GetBalanceAsync()).CreditStatus);
        var supply = await city.Meter(0).GetSupplyAsync();
        Assert.Equal(("Connected", null), (supply.Status, supply.Pending));
        Assert.True(city.City.GetTruth(0).RelayClosed);
        Assert.Equal(0, (await city.Concentrator(0).GetStatusAsync()).QueuedCommands);
    }

    [Fact]
    public async Task SafetyEvent_TripsTheMeter_OpenIsWrittenAndConfirmed_PaymentDoesNotRestore()
    {
        await using var city = await CityAsync(4, 1, layout: SimulatedLayouts.Table);
        await city.PollAllAsync();
        city.City.TriggerEvent(2, MeterEvent.ArcFault);

        var poll = (await city.StepAsync(TimeSpan.FromMinutes(5)))[0];

        Assert.Equal(1, poll.CommandsExecuted);
        var supply = await city.Meter(2).GetSupplyAsync();
        Assert.Equal(("SafetyTripped", null, "open"), (supply.Status, supply.Pending, supply.LastStatus));
        Assert.Equal("SafetyTripped", (await city.Account(2).GetBalanceAsync()).CreditStatus);
        var status = await city.Concentrator(0).GetStatusAsync();
        Assert.Equal((1L, 1L), (status.Counters.SafetyEventsReported, status.Counters.CommandsConfirmed));
        Assert.Contains(status.RecentAlarms, a => a.Code == "METER_SAFETY_EVENT" && a.MeterId == city.MeterId(2));

        // Latched flag: reported once, not again on the next polls; a payment changes nothing.
        await city.TopUpAsync(2, 10_000, "after-trip");
        await city.StepAsync(TimeSpan.FromMinutes(5));
        Assert.Equal(1L, (await city.Concentrator(0).GetStatusAsync()).Counters.SafetyEventsReported);
        Assert.Equal("SafetyTripped", (await city.Meter(2).GetSupplyAsync()).Status);
        Assert.False(city.City.GetTruth(2).RelayClosed);
        Assert.Equal("Connected", (await city.Meter(1).GetSupplyAsync()).Status);
    }

    [Fact]
    public async Task Command_DevicePathDown_TimesOutThroughTheSupplyMachine_ThenSucceedsOnTheRetry()
    {
        await using var city = await CityAsync(2, 1, layout: SimulatedLayouts.Gateway);
        await city.PollAllAsync();
        city.City.SetFault(FaultTarget.Concentrator(0), FaultKind.ExceptionResponse);

        var cut = await city.Account(1).EnforcementCutAsync(new OperatorAction { OperatorId = "op-9", Reason = "tamper seal broken" });
        await CityHarness.UntilAsync(async () => (await city.Concentrator(0).GetStatusAsync()).Counters.CommandsFailed == 1, TimeSpan.FromSeconds(10), "the write failed");
        var first = (await city.Meter(1).GetSupplyAsync()).Pending!;

        city.City.ClearFault(FaultTarget.Concentrator(0));
        await city.StepAsync(TimeSpan.FromSeconds(31)); // past the machine's first wait (30 s, no jitter)

        Assert.Equal("EnforcementCut", cut.CreditStatus);
        Assert.Equal(1, first.Attempts);
        var supply = await city.Meter(1).GetSupplyAsync();
        Assert.Equal(("Disconnected", null), (supply.Status, supply.Pending));
        Assert.False(city.City.GetTruth(1).RelayClosed);
        var status = await city.Concentrator(0).GetStatusAsync();
        Assert.Equal((2L, 1L, 1L, 1L), (status.Counters.CommandsExecuted, status.Counters.CommandsFailed, status.Counters.CommandTimeouts, status.Counters.CommandsConfirmed));
        Assert.Contains(status.RecentAlarms, a => a.Code == "COMMAND_UNCONFIRMED" && a.MeterId == city.MeterId(1));
    }

    [Fact]
    public async Task Register_BadInput_NamesEveryProblem_AndChangesNothing()
    {
        var grain = fixture.Client.GetGrain<IConcentratorGrain>("bad-" + Guid.NewGuid().ToString("N")[..8]);

        var e = await Assert.ThrowsAsync<InvalidRequestException>(() => grain.RegisterAsync(new ConcentratorRegistration
        {
            Endpoint = "10.1.2.3",
            Layout = "ring",
            ProfileId = "nope",
            PollPeriod = TimeSpan.FromMilliseconds(10),
            Bands = ["noon"],
            Meters = [new ConcentratorMeter { Slot = 1, MeterId = "a" }, new ConcentratorMeter { Slot = 1, MeterId = "b" }],
            OperatorId = "op-1",
        }));

        Assert.Equal(ErrorCodes.InvalidField, e.Code);
        foreach (var part in new[] { "endpoint '10.1.2.3'", "layout 'ring'", "profileId 'nope'", "prepaidpower-sim", "pollPeriod", "bands[0] 'noon'", "meters[1]: slot 1 is used twice" })
        {
            Assert.Contains(part, e.Message, StringComparison.Ordinal);
        }

        var missing = await Assert.ThrowsAsync<NotFoundException>(grain.GetStatusAsync);
        Assert.Equal(ConcentratorErrorCodes.ConcentratorNotFound, missing.Code);
        var gatewaySlot = await Assert.ThrowsAsync<InvalidRequestException>(() => grain.RegisterAsync(new ConcentratorRegistration
        {
            Endpoint = "127.0.0.1:1502",
            Layout = "gateway",
            ProfileId = "acrel-dtsd1352",
            Meters = [new ConcentratorMeter { Slot = 248, MeterId = "m" }],
            OperatorId = "op-1",
        }));
        Assert.Contains("slot 248 is outside 1–247", gatewaySlot.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_KeepsOneKeepAliveReminder_AndTheSameRegistrationAgainChangesNothing()
    {
        await using var city = await CityAsync(2, 1, layout: SimulatedLayouts.Table);
        var registration = city.Registration(0, new CitySetup { TariffId = ConcentratorClusterFixture.Tariff });
        var again = await city.Concentrator(0).RegisterAsync(registration);

        Assert.Equal((2, "Offline", "not polled yet"), (again.MeterCount, again.Health, again.HealthReason));
        var silo = Assert.IsType<Orleans.TestingHost.InProcessSiloHandle>(fixture.Cluster.Primary);
        var table = silo.SiloHost.Services.GetRequiredService<IReminderTable>();
        var rows = await table.ReadRows(city.Concentrator(0).GetGrainId());
        var row = Assert.Single(rows.Reminders);
        Assert.Equal(ConcentratorGrain.KeepAliveReminder, row.ReminderName);

        await city.Concentrator(0).UnregisterAsync("op-test");
        Assert.Empty((await table.ReadRows(city.Concentrator(0).GetGrainId())).Reminders);
    }
}
