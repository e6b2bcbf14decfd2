using PrepaidPower.Contracts.Accounts;
using PrepaidPower.Simulator;
using PrepaidPower.Tests.Shared;

namespace PrepaidPower.Grains.Tests.Concentrators;

/// <summary>
/// A wave of arrears cuts on one concentrator: written one after another, confirmed to the meters side by side, and
/// all confirmed when the poll returns.
/// </summary>
[Collection(ConcentratorClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class ConcentratorCommandWaveTests(ConcentratorClusterFixture fixture)
{
    private const int Meters = 12;

    [Fact]
    public async Task Poll_ElevenCutsFallDue_AllWrittenAndConfirmedBeforeThePollReturns()
    {
        // The default protection calendar defers cuts at night and at weekends: start at 09:00 on the next weekday.
        var clock = ConcentratorClusterFixture.Time;
        var day = TimeZoneInfo.ConvertTime(clock.GetUtcNow(), TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).Date.AddDays(1);
        while (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
        {
            day = day.AddDays(1);
        }

        clock.SetUtcNow(new DateTimeOffset(day.AddHours(9), TimeSpan.FromHours(8)));
        await using var city = await CityHarness.StartAsync(fixture.Client, clock, new SimulatorOptions
        {
            Meters = Meters,
            Concentrators = 1,
            Layout = SimulatedLayouts.Table,
            Seed = 11,
        }, new CitySetup
        {
            TariffId = ConcentratorClusterFixture.Tariff,
            Policy = new CreditPolicySpec { NoticePeriod = TimeSpan.Zero, GracePeriod = TimeSpan.Zero, EmergencyCreditLimitMinor = 0 },
            TopUpMinor = m => m == 0 ? 1_000_000 : 300,
        });
        for (var m = 0; m < Meters; m++)
        {
            city.City.SetLoad(m, ConsumptionKind.Constant, 3000);
        }

        await city.PollAllAsync();

        // 3 kW for 2 h = 6 kWh × 0.617 = 3.70 CNY > 3.00: every meter but the first bills its account into arrears at
        // 11:00, and the cut is due at once.
        var poll = (await city.StepAsync(TimeSpan.FromHours(2)))[0];

        Assert.Equal(Meters - 1, poll.CommandsExecuted);
        var status = await city.Concentrator(0).GetStatusAsync();
        Assert.Equal((11L, 11L, 0L, 0), (status.Counters.CommandsExecuted, status.Counters.CommandsConfirmed, status.Counters.CommandsFailed, status.QueuedCommands));
        for (var m = 1; m < Meters; m++)
        {
            Assert.Equal("Disconnected", (await city.Meter(m).GetSupplyAsync()).Status);
            Assert.False(city.City.GetTruth(m).RelayClosed);
        }

        Assert.Equal("Connected", (await city.Meter(0).GetSupplyAsync()).Status);
        Assert.True(city.City.GetTruth(0).RelayClosed);
    }
}
