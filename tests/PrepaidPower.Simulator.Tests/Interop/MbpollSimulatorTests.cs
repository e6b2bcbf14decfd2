// libmodbus's mbpoll, an independent Modbus master, reading and writing the simulated city's concentrators (both layouts, word order, faults).
using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using PrepaidPower.Modbus;
using PrepaidPower.Modbus.Profiles;

namespace PrepaidPower.Simulator.Tests.Interop;

/// <summary>
/// Every command line is derived from the device profile (register kind → <c>-t 3</c>/<c>-t 4</c>, word order →
/// <c>-B</c> or not), so these tests check that the registers the simulator serves are what the profile says to a
/// client that shares none of our code. The simulated clock is a <see cref="FakeTimeProvider"/>: the truth is known
/// and does not move while mbpoll runs. Never skipped: without mbpoll they fail with the apt-get line to install it.
/// </summary>
[Trait("Category", "Integration")]
public sealed class MbpollSimulatorTests : IAsyncLifetime
{
    // Monday 00:00 local (+08:00, the city's offset): 20 h later the bands are hand-computable (see Table_ReadTwoBlocks…).
    private static readonly DateTimeOffset Monday = new(2025, 1, 6, 0, 0, 0, TimeSpan.FromHours(8));

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private RunningSimulator _sim = null!;

    private SimulatedCity City => _sim.City;

    private static RegisterMap GatewayMap => DeviceProfiles.Simulator.Gateway!.Registers;

    private static RegisterMap TableMap => DeviceProfiles.Simulator.Table!.Registers;

    public async Task InitializeAsync()
    {
        Mbpoll.Require();
        _sim = await StartAsync(DeviceProfiles.Simulator);
    }

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    // 10 meters, Alternate: concentrator 0 is a gateway (meters 0–4 = unit ids 1–5), concentrator 1 a table
    // (meters 5–9 = blocks at 0, 20, 40, 60, 80 of unit id 1). Listening as soon as StartAsync returns.
    private Task<RunningSimulator> StartAsync(DeviceProfile profile) => SimulatorHost.StartAsync(new SimulatorOptions
    {
        Meters = 10,
        Concentrators = 2,
        Layout = SimulatedLayouts.Alternate,
        Profile = profile,
        Start = Monday,
        TimeProvider = _time,
        Seed = 3,
    });

    [Fact]
    public async Task Gateway_ReadTotalEnergyAsInt32_EqualsTheTruthForTwoUnitIds()
    {
        City.SetLoad(1, ConsumptionKind.Constant, 50_000);
        City.SetLoad(3, ConsumptionKind.Constant, 1_234);
        _time.Advance(TimeSpan.FromHours(20));
        var (endPoint, meter1) = _sim.Locate(1);
        var (_, meter3) = _sim.Locate(3);
        var total = GatewayMap.TotalEnergy.Point;

        var first = await Mbpoll.PollAsync(endPoint, [.. At(meter1.UnitId, total.Address), .. Int32(total)]);
        var second = await Mbpoll.PollAsync(endPoint, [.. At(meter3.UnitId, total.Address), .. Int32(total)]);

        Assert.Equal((2, 4), (meter1.UnitId, meter3.UnitId));
        Assert.Equal(["100000"], first);   // 50 kW × 20 h = 1,000,000 Wh = 100,000 × 0.01 kWh (above 2^16: both words count)
        Assert.Equal(["2468"], second);    // 1234 W × 20 h = 24,680 Wh
        Assert.Equal(Text(City.GetTruth(1).TotalRegisterRaw), first[0]);
        Assert.Equal(Text(City.GetTruth(3).TotalRegisterRaw), second[0]);
    }

    [Fact]
    public async Task Gateway_WriteRelayControlWithFc06_RelayOpensAndStatusReadsBackOpen()
    {
        City.SetLoad(2, ConsumptionKind.Constant, 2_000);
        _time.Advance(TimeSpan.FromHours(1));
        var (endPoint, address) = _sim.Locate(2);
        var status = GatewayMap.RelayStatus!;
        var control = GatewayMap.RelayControl!;
        Assert.Equal(ModbusFunction.WriteSingleRegister, DeviceProfiles.Simulator.SingleRegisterWrite); // mbpoll writes one register with FC06
        Assert.Equal(RegisterKind.Holding, control.Point.Kind);

        var before = await Mbpoll.PollAsync(endPoint, [.. At(address.UnitId, status.Point.Address), .. Word(status.Point)]);
        await Mbpoll.WriteAsync(endPoint, [.. At(address.UnitId, control.Point.Address, once: false), "-t", "4"], Text(control.OpenRaw));
        var truthAfterWrite = City.GetTruth(2);
        var after = await Mbpoll.PollAsync(endPoint, [.. At(address.UnitId, status.Point.Address), .. Word(status.Point)]);
        var commanded = await Mbpoll.PollAsync(endPoint, [.. At(address.UnitId, control.Point.Address), .. Word(control.Point)]);
        _time.Advance(TimeSpan.FromHours(1));

        Assert.Equal([Text(status.ClosedRaw)], before);
        Assert.False(truthAfterWrite.RelayClosed);
        Assert.False(truthAfterWrite.RelayCommandedClosed);
        Assert.Equal([Text(status.OpenRaw)], after);
        Assert.Equal([Text(control.OpenRaw)], commanded);
        Assert.Equal(2_000, City.GetTruth(2).TrueWh); // the open relay stopped the second hour
        Assert.True(City.GetTruth(1).RelayClosed);    // the neighbouring unit was not touched
    }

    [Fact]
    public async Task Gateway_WritePowerLimitAsInt32WithFc16_StoredReadBackAndEnforced()
    {
        var (endPoint, address) = _sim.Locate(4);
        var limit = GatewayMap.PowerLimit!;
        Assert.Equal(RegisterDataType.UInt32, limit.Point.Format.Type); // two registers: mbpoll must use FC16
        string[] writeLimit = [.. At(address.UnitId, limit.Point.Address, once: false), .. Int32(limit.Point)];

        await Mbpoll.WriteAsync(endPoint, writeLimit, "70000");
        var stored = City.GetTruth(4).PowerLimitW;
        var readBack = await Mbpoll.PollAsync(endPoint, [.. At(address.UnitId, limit.Point.Address), .. Int32(limit.Point)]);
        var words = await Mbpoll.PollAsync(endPoint, [.. At(address.UnitId, limit.Point.Address, count: 2), "-t", "4:hex"]);

        Assert.Equal(70_000, stored);
        Assert.Equal(["70000"], readBack);
        Assert.Equal(["0x0001", "0x1170"], words); // 70,000 = 0x0001_1170, high word first (ABCD)

        // The limit acts: a 3 kW load over a 1.2 kW limit is capped for the 60 s trip delay, then the relay opens.
        City.SetLoad(4, ConsumptionKind.Constant, 3_000);
        await Mbpoll.WriteAsync(endPoint, writeLimit, "1200");
        _time.Advance(TimeSpan.FromMinutes(10));
        var status = await Mbpoll.PollAsync(endPoint, [.. At(address.UnitId, GatewayMap.RelayStatus!.Point.Address), .. Word(GatewayMap.RelayStatus.Point)]);
        var flags = await Mbpoll.PollAsync(endPoint, [.. At(address.UnitId, GatewayMap.EventFlags!.Point.Address), .. Word(GatewayMap.EventFlags.Point)]);

        Assert.Equal([Text(GatewayMap.RelayStatus.OpenRaw)], status);
        Assert.Equal([Text(1UL << GatewayMap.EventFlags.BitOf(MeterEvent.Overload)!.Value)], flags); // "8"
        Assert.Equal(20, City.GetTruth(4).TrueWh); // 1200 W × 60 s
    }

    [Fact]
    public async Task Table_ReadTwoBlocksAtTheirAddresses_EnergyBandsAndRelayEqualTheTruth()
    {
        City.SetLoad(6, ConsumptionKind.Constant, 40_000);
        City.SetLoad(8, ConsumptionKind.Constant, 1_234);
        _time.Advance(TimeSpan.FromHours(20));
        var (endPoint, meter6) = _sim.Locate(6);
        var (_, meter8) = _sim.Locate(8);
        var total = TableMap.TotalEnergy.Point;
        var status = TableMap.RelayStatus!.Point;
        // total, sharp, peak, flat, valley are five consecutive UInt32 at offsets 0, 2, 4, 6, 8 of the block.
        Assert.Equal([2, 4, 6, 8], TableMap.BandEnergy.Select(b => b.Register.Point.Address - total.Address).ToArray());
        Assert.Equal([TouBand.Sharp, TouBand.Peak, TouBand.Flat, TouBand.Valley], TableMap.BandEnergy.Select(b => b.Band).ToArray());

        var energy6 = await Mbpoll.PollAsync(endPoint, [.. At(meter6.UnitId, meter6.BlockAddress + total.Address, count: 5), .. Int32(total)]);
        var energy8 = await Mbpoll.PollAsync(endPoint, [.. At(meter8.UnitId, meter8.BlockAddress + total.Address, count: 5), .. Int32(total)]);
        var relay6 = await Mbpoll.PollAsync(endPoint, [.. At(meter6.UnitId, meter6.BlockAddress + status.Address), .. Word(status)]);

        Assert.Equal((1, 20, 1, 60), (meter6.UnitId, meter6.BlockAddress, meter8.UnitId, meter8.BlockAddress));
        // Monday 00–20 local: valley 00–07 (7 h), flat 07–08 and 11–17 (7 h), peak 08–11 and 17–19 (5 h), sharp 19–20 (1 h).
        Assert.Equal(["80000", "4000", "20000", "28000", "28000"], energy6);  // 40 kW: 800,000 Wh; 40,000; 200,000; 280,000; 280,000
        Assert.Equal(["2468", "123", "617", "863", "863"], energy8);          // 1234 W: 24,680 Wh; 1,234; 6,170; 8,638; 8,638 (truncated)
        Assert.Equal(Expected(City.GetTruth(6)), energy6);
        Assert.Equal(Expected(City.GetTruth(8)), energy8);
        Assert.Equal([Text(TableMap.RelayStatus.ClosedRaw)], relay6);

        static string[] Expected(MeterTruth t) =>
            [Text(t.TotalRegisterRaw), .. new[] { t.SharpWh, t.PeakWh, t.FlatWh, t.ValleyWh }.Select(wh => Text((ulong)(wh / t.WattHoursPerCount)))];
    }

    [Fact]
    public async Task Table_WriteRelayControlInOneBlock_OnlyThatMeterOpens()
    {
        var (endPoint, meter8) = _sim.Locate(8);
        var control = TableMap.RelayControl!;
        var status = TableMap.RelayStatus!.Point;

        await Mbpoll.WriteAsync(endPoint, [.. At(meter8.UnitId, meter8.BlockAddress + control.Point.Address, once: false), "-t", "4"], Text(control.OpenRaw));
        // Status of meters 7, 8 and 9: one word every stride (20) from block 40's status register.
        var statuses = new List<string>();
        foreach (var meter in new[] { 7, 8, 9 })
        {
            var address = City.AddressOf(meter);
            statuses.AddRange(await Mbpoll.PollAsync(endPoint, [.. At(address.UnitId, address.BlockAddress + status.Address), .. Word(status)]));
        }

        Assert.Equal(["1", "0", "1"], statuses);
        Assert.Equal((true, false, true), (City.GetTruth(7).RelayClosed, City.GetTruth(8).RelayClosed, City.GetTruth(9).RelayClosed));
    }

    [Fact]
    public async Task WordOrder_CdabProfile_ReadWithoutBigEndianFlagAndSwappedWithIt()
    {
        var json = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "devices", "prepaidpower-sim.json"));
        var cdab = DeviceProfileLoader.Parse(json.Replace("\"ABCD\"", "\"CDAB\"", StringComparison.Ordinal));
        await using var cdabSim = await StartAsync(cdab);
        var cdabTotal = cdab.Gateway!.Registers.TotalEnergy.Point;
        var cdabLimit = cdab.Gateway.Registers.PowerLimit!.Point;
        Assert.Equal(WordOrder.CDAB, cdabTotal.Format.WordOrder);
        foreach (var city in new[] { City, cdabSim.City })
        {
            city.SetLoad(1, ConsumptionKind.Constant, 50_000);
        }

        _time.Advance(TimeSpan.FromHours(20)); // both cities: 100,000 counts = 0x0001_86A0
        var cdabGateway = cdabSim.Locate(1).EndPoint;
        var abcdGateway = _sim.Locate(1).EndPoint;
        string[] unit2Total = At(2, cdabTotal.Address);

        var cdabAsProfile = await Mbpoll.PollAsync(cdabGateway, [.. unit2Total, .. Int32(cdabTotal)]);
        var cdabWithB = await Mbpoll.PollAsync(cdabGateway, [.. unit2Total, .. Int32(cdabTotal, WordOrder.ABCD)]);
        var cdabWords = await Mbpoll.PollAsync(cdabGateway, [.. At(2, cdabTotal.Address, count: 2), "-t", "3:hex"]);
        var abcdWithoutB = await Mbpoll.PollAsync(abcdGateway, [.. unit2Total, .. Int32(GatewayMap.TotalEnergy.Point, WordOrder.CDAB)]);
        await Mbpoll.WriteAsync(cdabGateway, [.. At(2, cdabLimit.Address, once: false), .. Int32(cdabLimit)], "70000");

        Assert.Equal([], Int32(cdabTotal).Where(a => a == "-B")); // the profile's CDAB means no -B
        Assert.Equal(["100000"], cdabAsProfile);
        Assert.Equal(Text(cdabSim.City.GetTruth(1).TotalRegisterRaw), cdabAsProfile[0]);
        Assert.Equal(["0x86A0", "0x0001"], cdabWords);
        // The same words in the other order: 0x86A0_0001 as mbpoll's signed int32 = 2,258,632,705 − 2^32.
        Assert.Equal(["-2036334591"], cdabWithB);
        Assert.Equal(["-2036334591"], abcdWithoutB);
        Assert.Equal(70_000, cdabSim.City.GetTruth(1).PowerLimitW); // written low word first, decoded as CDAB
    }

    [Fact]
    public async Task ErrorPaths_UnknownUnitOrPastTheTable_MbpollReportsTheException()
    {
        var gateway = _sim.Endpoints[0].EndPoint;
        var table = _sim.Endpoints[1].EndPoint;
        Assert.Equal(5, _sim.Endpoints[0].Info.MeterCount);

        var unknownUnit = await Mbpoll.RunAsync(gateway, [.. At(6, 0), "-t", "3"]);                   // gateway: units 1–5 only
        var wrongTableUnit = await Mbpoll.RunAsync(table, [.. At(2, 0), "-t", "4"]);                  // table: unit 1 only
        var pastLastMeter = await Mbpoll.RunAsync(table, [.. At(1, 100), "-t", "4"]);                 // 5 blocks end at 99
        var beyondGatewayMap = await Mbpoll.RunAsync(gateway, [.. At(1, 19, count: 2), "-t", "3"]);  // input map ends at 19

        Assert.True(unknownUnit.ExitCode == 1, unknownUnit.ToString());
        Assert.Contains("Target device failed to respond", unknownUnit.Output, StringComparison.Ordinal); // exception 0B
        Assert.True(wrongTableUnit.ExitCode == 1, wrongTableUnit.ToString());
        Assert.Contains("Target device failed to respond", wrongTableUnit.Output, StringComparison.Ordinal);
        Assert.True(pastLastMeter.ExitCode == 1, pastLastMeter.ToString());
        Assert.Contains("Illegal data address", pastLastMeter.Output, StringComparison.Ordinal); // exception 02
        Assert.True(beyondGatewayMap.ExitCode == 1, beyondGatewayMap.ToString());
        Assert.Contains("Illegal data address", beyondGatewayMap.Output, StringComparison.Ordinal);
        Assert.Empty(unknownUnit.Values.Concat(wrongTableUnit.Values).Concat(pastLastMeter.Values).Concat(beyondGatewayMap.Values));
        Assert.Equal((2, 2), (City.CountersOf(0).ExceptionResponses, City.CountersOf(1).ExceptionResponses));
    }

    [Fact]
    public async Task ErrorPaths_ConcentratorTimeoutFault_MbpollTimesOutThenReadsWhenCleared()
    {
        var (endPoint, address) = _sim.Locate(0);
        var total = GatewayMap.TotalEnergy.Point;
        string[] readTotal = [.. At(address.UnitId, total.Address), .. Int32(total)];
        City.SetFault(FaultTarget.Concentrator(0), FaultKind.Timeout);

        var timedOut = await Mbpoll.RunAsync(endPoint, readTotal, responseTimeoutSeconds: 0.2);
        City.ClearFault(FaultTarget.Concentrator(0));
        var healed = await Mbpoll.PollAsync(endPoint, readTotal);

        Assert.True(timedOut.ExitCode == 1, timedOut.ToString());
        Assert.Contains("Connection timed out", timedOut.Output, StringComparison.Ordinal);
        Assert.Empty(timedOut.Values);
        Assert.Equal(1, City.CountersOf(0).Unanswered);
        Assert.Equal([Text(City.GetTruth(0).TotalRegisterRaw)], healed);
    }

    /// <summary><c>-a unit -r address -c count</c>, and <c>-1</c> (poll once) for reads.</summary>
    private static string[] At(int unitId, int address, int count = 1, bool once = true) =>
        ["-a", Text(unitId), "-r", Text(address), .. once ? ["-c", Text(count), "-1"] : Array.Empty<string>()];

    /// <summary>mbpoll's 32-bit integer type for a profile register: FC04 or FC03 by its kind, <c>-B</c> for ABCD.</summary>
    private static string[] Int32(RegisterPoint point, WordOrder? readAs = null)
    {
        Assert.True(point.Format.RegisterCount == 2, $"{point} is not a 32-bit register pair; mbpoll's :int reads two registers");
        var order = readAs ?? point.Format.WordOrder;
        string[] flag = order switch
        {
            WordOrder.ABCD => ["-B"],
            WordOrder.CDAB => [],
            _ => throw new ArgumentException($"mbpoll reads 32-bit values ABCD (-B) or CDAB only, not {order}", nameof(readAs)),
        };
        return ["-t", (point.Kind == RegisterKind.Input ? "3" : "4") + ":int", .. flag];
    }

    /// <summary>mbpoll's 16-bit type for a profile register: FC04 or FC03 by its kind.</summary>
    private static string[] Word(RegisterPoint point) =>
        ["-t", point.Kind == RegisterKind.Input ? "3" : "4"];

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(ulong value) => value.ToString(CultureInfo.InvariantCulture);
}
