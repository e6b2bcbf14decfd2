using Microsoft.Extensions.Time.Testing;
using PrepaidPower.Modbus.Profiles;

namespace PrepaidPower.Simulator.Tests;

[Trait("Category", "Unit")]
public sealed class SimulatedCityTests
{
    // Monday 2025-01-06 00:00 in the city's +08:00.
    private static readonly DateTimeOffset Monday = new(2025, 1, 6, 0, 0, 0, TimeSpan.FromHours(8));

    private static (SimulatedCity City, FakeTimeProvider Time) City(
        int meters = 4, int concentrators = 2, DateTimeOffset? start = null, TimeSpan? tripDelay = null, int rolloverEvery = 0, SimulatedLayouts layout = SimulatedLayouts.Alternate)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var city = new SimulatedCity(new SimulatorOptions
        {
            Meters = meters,
            Concentrators = concentrators,
            Layout = layout,
            Start = start ?? Monday,
            TimeProvider = time,
            Seed = 42,
            OverloadTripDelay = tripDelay ?? TimeSpan.FromSeconds(60),
            RolloverEvery = rolloverEvery,
        });
        return (city, time);
    }

    [Fact]
    public void Integrate_ConstantLoad_CountsWholeWattHoursAndRegisterCounts()
    {
        var (city, time) = City();
        city.SetLoad(1, ConsumptionKind.Constant, 1500);

        time.Advance(TimeSpan.FromMinutes(150) + TimeSpan.FromSeconds(5));
        var truth = city.GetTruth(1);

        // 1500 W × 9005 s = 13,507,500 W·s = 3752.08 Wh → 3752 whole Wh; the register counts 0.01 kWh = 10 Wh.
        Assert.Equal(3752, truth.TrueWh);
        Assert.Equal(375UL, truth.TotalRegisterRaw);
        Assert.Equal(3750, truth.RegisteredWh);
        Assert.Equal(10, truth.WattHoursPerCount);
        Assert.Equal(3752, truth.ValleyWh); // 00:00–02:30 local is valley
    }

    [Fact]
    public void Integrate_ConstantLoadAcrossBands_SplitsByLocalHour()
    {
        var (city, time) = City(start: Monday.AddHours(18));
        city.SetLoad(0, ConsumptionKind.Constant, 1000);

        time.Advance(TimeSpan.FromHours(4));
        var truth = city.GetTruth(0);

        // 18–19 peak, 19–21 sharp, 21–22 peak.
        Assert.Equal(4000, truth.TrueWh);
        Assert.Equal(2000, truth.SharpWh);
        Assert.Equal(2000, truth.PeakWh);
        Assert.Equal(0, truth.FlatWh + truth.ValleyWh);
    }

    [Fact]
    public void Integrate_AnyReadPattern_EqualsIndependentPerSecondSum()
    {
        var (city, time) = City(meters: 5, concentrators: 1);
        city.SetLoad(0, ConsumptionKind.Residential, 3000);
        city.SetLoad(1, ConsumptionKind.Commercial, 20000);
        city.SetLoad(2, ConsumptionKind.Heater, 2000);
        city.SetLoad(3, ConsumptionKind.Vacant, 5);
        city.SetLoad(4, ConsumptionKind.Residential, 65535);
        var random = new Random(7);
        const int Horizon = 2 * 86400;
        var elapsed = 0;
        while (elapsed < Horizon)
        {
            var step = Math.Min(Horizon - elapsed, random.Next(1, 5000));
            time.Advance(TimeSpan.FromSeconds(step));
            elapsed += step;
            city.GetTruth(random.Next(5)); // reads at random instants split the integration differently per meter
        }

        var startUnix = Monday.ToUnixTimeSeconds();
        for (var meter = 0; meter < 5; meter++)
        {
            var truth = city.GetTruth(meter);
            var seed = ConsumptionModel.Mix(42, meter);
            long ws = 0, wh = 0;
            var bands = new long[4];
            for (long s = 0; s < Horizon; s++)
            {
                var local = startUnix + s + (8 * 3600);
                ws += ConsumptionModel.DemandW(truth.Kind, seed, truth.NominalW, local);
                while (ws >= 3600)
                {
                    ws -= 3600;
                    wh++;
                    bands[TouSchedule.BandAt(local)]++;
                }
            }

            Assert.Equal(wh, truth.TrueWh);
            Assert.Equal(bands, new[] { truth.SharpWh, truth.PeakWh, truth.FlatWh, truth.ValleyWh });
            Assert.True(truth.TrueWh > 0 || meter == 3);
        }
    }

    [Fact]
    public void Demand_Commercial_HighOnWeekdayNoonLowOnSunday()
    {
        var mondayNoon = Monday.AddHours(12).ToUnixTimeSeconds() + (8 * 3600);
        var sundayNoon = mondayNoon - 86400;

        var weekday = ConsumptionModel.DemandW(ConsumptionKind.Commercial, 1, 10000, mondayNoon);
        var sunday = ConsumptionModel.DemandW(ConsumptionKind.Commercial, 1, 10000, sundayNoon);

        Assert.InRange(weekday, 8100, 9900); // 900 ‰ × noise 0.9–1.1
        Assert.InRange(sunday, 540, 660);    // 60 ‰ × noise
    }

    [Fact]
    public void CommandRelay_Open_StopsConsumptionUntilClosed()
    {
        var (city, time) = City();
        city.SetLoad(2, ConsumptionKind.Constant, 3600);
        time.Advance(TimeSpan.FromHours(1));
        city.CommandRelay(2, closed: false);

        time.Advance(TimeSpan.FromHours(5));
        var open = city.GetTruth(2);
        city.CommandRelay(2, closed: true);
        time.Advance(TimeSpan.FromHours(1));
        var closed = city.GetTruth(2);

        Assert.Equal(3600, open.TrueWh);
        Assert.False(open.RelayClosed);
        Assert.False(open.RelayCommandedClosed);
        Assert.Equal(7200, closed.TrueWh);
        Assert.True(closed.RelayClosed);
    }

    [Fact]
    public void SetPowerLimit_LoadAboveLimit_CapsThenTripsAfterDelay()
    {
        var (city, time) = City(tripDelay: TimeSpan.FromHours(1));
        city.SetLoad(0, ConsumptionKind.Constant, 3000);
        city.SetPowerLimit(0, 2000);

        time.Advance(TimeSpan.FromMinutes(30));
        var capped = city.GetTruth(0);
        time.Advance(TimeSpan.FromMinutes(30));
        var atDelay = city.GetTruth(0);
        time.Advance(TimeSpan.FromHours(2));
        var tripped = city.GetTruth(0);

        Assert.Equal(1000, capped.TrueWh); // 2000 W × 1800 s, not 3000 W
        Assert.True(capped.RelayClosed);
        Assert.True(atDelay.RelayClosed);  // trips when the delay has fully passed, not at it
        Assert.Equal(2000, atDelay.TrueWh);
        Assert.Equal(2000, tripped.TrueWh);
        Assert.False(tripped.RelayClosed);
        Assert.True(tripped.RelayCommandedClosed);
        Assert.True(tripped.Has(MeterEvent.Overload));
        Assert.Equal(2000, tripped.PowerLimitW);
    }

    [Fact]
    public void SetPowerLimit_LoadBelowLimit_NeitherCapsNorTrips()
    {
        var (city, time) = City();
        city.SetLoad(0, ConsumptionKind.Constant, 1000);
        city.SetPowerLimit(0, 2000);

        time.Advance(TimeSpan.FromHours(3));
        var truth = city.GetTruth(0);

        Assert.Equal(3000, truth.TrueWh);
        Assert.True(truth.RelayClosed);
        Assert.Equal(0, truth.Events);
    }

    [Fact]
    public void Overload_TripIsIndependentOfReadPattern()
    {
        var (city, time) = City(meters: 2, concentrators: 1);
        foreach (var m in new[] { 0, 1 })
        {
            city.SetLoad(m, ConsumptionKind.Constant, 3000);
            city.SetPowerLimit(m, 2500);
        }

        for (var i = 0; i < 100; i++)
        {
            time.Advance(TimeSpan.FromSeconds(7));
            city.GetTruth(0); // meter 0 is read every 7 s, meter 1 only at the end
        }

        Assert.Equal(city.GetTruth(1), city.GetTruth(0) with { Meter = 1 });
        Assert.Equal(41, city.GetTruth(1).TrueWh); // 2500 W × 60 s = 150,000 W·s = 41.67 Wh
    }

    [Theory]
    [InlineData(MeterEvent.ArcFault)]
    [InlineData(MeterEvent.ResidualCurrent)]
    [InlineData(MeterEvent.OverTemperature)]
    public void TriggerEvent_Safety_OpensRelayAndCloseIsRefusedUntilCleared(MeterEvent safety)
    {
        var (city, time) = City();
        city.SetLoad(3, ConsumptionKind.Constant, 1800);
        time.Advance(TimeSpan.FromHours(1));

        city.TriggerEvent(3, safety);
        city.CommandRelay(3, closed: true); // e.g. a top-up: must not restore a safety trip
        time.Advance(TimeSpan.FromHours(1));
        var refused = city.GetTruth(3);
        city.ClearEvents(3, safety);
        var cleared = city.GetTruth(3);
        city.CommandRelay(3, closed: true);
        time.Advance(TimeSpan.FromHours(1));
        var restored = city.GetTruth(3);

        Assert.True(refused.Has(safety));
        Assert.False(refused.RelayClosed);
        Assert.Equal(1800, refused.TrueWh);
        Assert.False(cleared.RelayClosed);
        Assert.Equal(0, cleared.Events);
        Assert.True(restored.RelayClosed);
        Assert.Equal(3600, restored.TrueWh);
    }

    [Fact]
    public void TriggerEvent_Tamper_FlagsOnly()
    {
        var (city, _) = City();

        city.TriggerEvent(0, MeterEvent.Tamper);
        city.TriggerEvent(0, MeterEvent.CoverOpen);

        var truth = city.GetTruth(0);
        Assert.True(truth.RelayClosed);
        Assert.True(truth.Has(MeterEvent.Tamper) && truth.Has(MeterEvent.CoverOpen));
        Assert.Equal((1 << (int)MeterEvent.Tamper) | (1 << (int)MeterEvent.CoverOpen), truth.Events);
    }

    [Fact]
    public void Rollover_StartNearMaximum_WrapsRegisterAndKeepsTruth()
    {
        var (city, time) = City(rolloverEvery: 2);
        city.SetLoad(0, ConsumptionKind.Constant, 3000);
        var start = city.GetTruth(0).TotalRegisterRaw;
        var otherStarts = new[] { city.GetTruth(1).TotalRegisterRaw, city.GetTruth(2).TotalRegisterRaw };

        time.Advance(TimeSpan.FromHours(2));
        var truth = city.GetTruth(0);

        // Starts 5000 Wh = 500 counts (+1) below 2^32; 6000 Wh = 600 counts later it has wrapped once.
        Assert.Equal(uint.MaxValue - 500UL, start);
        Assert.Equal(99UL, truth.TotalRegisterRaw);
        Assert.Equal(1, truth.Rollovers);
        Assert.Equal(6000, truth.TrueWh);
        Assert.Equal(6000, truth.RegisteredWh);
        Assert.Equal(6000, city.EnergyBetweenRegisterValues(0, start, truth.TotalRegisterRaw));
        Assert.Equal([0UL, uint.MaxValue - 500UL], otherStarts); // every 2nd meter
    }

    [Fact]
    public void ExchangeMeter_RecordsOldFinalAndKeepsTruth()
    {
        var (city, time) = City();
        city.SetLoad(1, ConsumptionKind.Constant, 1000);
        time.Advance(TimeSpan.FromSeconds(3600 + 36)); // 1010 Wh: register 101 counts

        var exchange = city.ExchangeMeter(1, newStartRaw: 5000);
        time.Advance(TimeSpan.FromMinutes(30));
        var truth = city.GetTruth(1);

        Assert.Equal(101UL, exchange.OldFinalRaw);
        Assert.Equal(1010, exchange.OldRegisteredWh);
        Assert.Equal(1010, exchange.TrueWhAtExchange);
        Assert.Equal(1510, truth.TrueWh);
        Assert.Equal(5050UL, truth.TotalRegisterRaw);
        Assert.Equal(1510, truth.RegisteredWh);
        Assert.Equal(1, truth.Exchanges);
        Assert.Equal(500, truth.WhSinceInstall);
        Assert.Equal(500, truth.ValleyWh); // band registers restart with the new meter
        Assert.Equal([exchange], city.Exchanges);
    }

    [Fact]
    public void Options_TooManyMetersForGateways_SaysHowManyConcentrators()
    {
        var e = Assert.Throws<ArgumentException>(() => new SimulatedCity(new SimulatorOptions { Meters = 1000, Concentrators = 2, Layout = SimulatedLayouts.Gateway }));

        Assert.Contains("use at least 5 concentrators", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_SameSeed_SameCity()
    {
        var (a, ta) = City(meters: 50, concentrators: 2);
        var (b, tb) = City(meters: 50, concentrators: 2);
        ta.Advance(TimeSpan.FromHours(10));
        tb.Advance(TimeSpan.FromHours(10));

        Assert.Equal(a.Totals(), b.Totals());
        Assert.True(a.Totals().TrueWh > 0);
    }

    [Fact]
    public void WriteTruthJson_ContainsEveryMeterAndTotals()
    {
        var (city, time) = City();
        city.SetLoad(0, ConsumptionKind.Constant, 1000);
        time.Advance(TimeSpan.FromHours(1));
        city.ExchangeMeter(0);
        using var stream = new MemoryStream();

        city.WriteTruthJson(stream);

        using var doc = System.Text.Json.JsonDocument.Parse(stream.ToArray());
        var root = doc.RootElement;
        Assert.Equal(4, root.GetProperty("meters").GetArrayLength());
        Assert.Equal(1000, root.GetProperty("meters")[0].GetProperty("trueWh").GetInt64());
        Assert.Equal(100UL, root.GetProperty("exchanges")[0].GetProperty("oldFinalRaw").GetUInt64());
        Assert.Equal(city.Totals().TrueWh, root.GetProperty("totalTrueWh").GetInt64());
    }
}
