using Microsoft.Extensions.Time.Testing;
using PrepaidPower.Modbus;
using PrepaidPower.Modbus.Profiles;

namespace PrepaidPower.Simulator.Tests;

/// <summary>The simulator over real loopback sockets, read and written by the Modbus project's client.</summary>
[Trait("Category", "Integration")]
public sealed class SimulatorSocketTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Monday = new(2025, 1, 6, 0, 0, 0, TimeSpan.FromHours(8));

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly List<ModbusTcpClient> _clients = [];
    private RunningSimulator _sim = null!;

    private SimulatedCity City => _sim.City;

    public async Task InitializeAsync() => _sim = await StartAsync(DeviceProfiles.Simulator);

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        await _sim.DisposeAsync();
    }

    // 10 meters: concentrator 0 is a gateway (meters 0–4, unit ids 1–5), concentrator 1 a table (meters 5–9, blocks 0–4).
    private Task<RunningSimulator> StartAsync(DeviceProfile profile) => SimulatorHost.StartAsync(new SimulatorOptions
    {
        Meters = 10,
        Concentrators = 2,
        Profile = profile,
        Start = Monday,
        TimeProvider = _time,
        Seed = 9,
    });

    // The request timeout is long unless a test is about timeouts: on a loaded machine an answer (or a dropped
    // connection) can take longer than a short timeout, and the test would then see Timeout instead of what it asserts.
    private ModbusTcpClient Client(int concentrator, RunningSimulator? sim = null, TimeSpan? requestTimeout = null)
    {
        var client = new ModbusTcpClient(new ModbusTcpClientOptions
        {
            EndPoint = (sim ?? _sim).Endpoints[concentrator].EndPoint,
            RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(30),
            ReconnectDelayMin = TimeSpan.FromMilliseconds(1),
            ReconnectDelayMax = TimeSpan.FromMilliseconds(10),
        });
        _clients.Add(client);
        return client;
    }

    private static ulong Raw(ushort[] registers, int address, RegisterFormat format) => format.ReadRaw(registers.AsSpan(address));

    [Fact]
    public async Task Gateway_ReadInputRegisters_DecodeToTheTruth()
    {
        City.SetLoad(2, ConsumptionKind.Residential, 4000);
        _time.Advance(TimeSpan.FromHours(20));
        var client = Client(0);
        var registers = new ushort[20];

        var result = await client.ReadInputRegistersAsync(unitId: 3, 0, registers);

        result.EnsureSuccess();
        var truth = City.GetTruth(2);
        var map = City.Profile.Gateway!.Registers;
        Assert.True(truth.TrueWh > 1000);
        Assert.Equal(truth.TotalRegisterRaw, Raw(registers, 0, map.TotalEnergy.Point.Format));
        Assert.Equal(truth.TotalRegisterRaw * 0.01m, map.TotalEnergy.Point.Format.Decode(registers));
        Assert.Equal(new[] { truth.SharpWh / 10, truth.PeakWh / 10, truth.FlatWh / 10, truth.ValleyWh / 10 },
            map.BandEnergy.Select(b => (long)Raw(registers, b.Register.Point.Address, b.Register.Point.Format)).ToArray());
        Assert.Equal(1, registers[10]); // relay status closed
        Assert.Equal((ulong)City.Clock.Now.ToUnixTimeSeconds(), Raw(registers, 18, map.Clock!.Format));
        Assert.Equal(Monday.AddHours(20), City.Clock.Now);
    }

    [Fact]
    public async Task Table_OneReadCarriesSeveralMeters_EachBlockDecodesToItsTruth()
    {
        _time.Advance(TimeSpan.FromHours(9));
        var client = Client(1);
        var registers = new ushort[100];

        (await client.ReadHoldingRegistersAsync(unitId: 1, 0, registers)).EnsureSuccess();

        var format = City.Profile.Table!.Registers.TotalEnergy.Point.Format;
        for (var slot = 0; slot < 5; slot++)
        {
            Assert.Equal(City.GetTruth(5 + slot).TotalRegisterRaw, Raw(registers, slot * 20, format));
            Assert.Equal(1, registers[(slot * 20) + 10]);
        }

        Assert.Equal(new MeterAddress(7, 1, ConcentratorLayout.Table, 1, 40), City.AddressOf(7));
        var pastLastMeter = await client.ReadHoldingRegistersAsync(1, 0, new ushort[101]);
        Assert.Equal(ModbusStatus.ExceptionResponse, pastLastMeter.Status);
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, pastLastMeter.ExceptionCode);
    }

    [Fact]
    public async Task Gateway_WriteRelayOpenWithFc06_StatusReadsBackOpenAndEnergyStops()
    {
        City.SetLoad(0, ConsumptionKind.Constant, 2000);
        _time.Advance(TimeSpan.FromHours(1));
        var client = Client(0);

        (await client.WriteSingleRegisterAsync(1, 11, 0)).EnsureSuccess();
        _time.Advance(TimeSpan.FromHours(1));
        var status = new ushort[1];
        (await client.ReadInputRegistersAsync(1, 10, status)).EnsureSuccess();
        var control = new ushort[1];
        (await client.ReadHoldingRegistersAsync(1, 11, control)).EnsureSuccess();

        Assert.Equal(0, status[0]);
        Assert.Equal(0, control[0]);
        Assert.Equal(2000, City.GetTruth(0).TrueWh);
        Assert.False(City.GetTruth(0).RelayClosed);
    }

    [Fact]
    public async Task Table_WriteLimitWithFc16_CapsAndTripsThenClearAndClose()
    {
        City.SetLoad(6, ConsumptionKind.Constant, 5000);
        var client = Client(1);

        (await client.WriteMultipleRegistersAsync(1, 20 + 12, new ushort[] { 0, 3000 })).EnsureSuccess();
        _time.Advance(TimeSpan.FromMinutes(10));
        var block = new ushort[20];
        (await client.ReadHoldingRegistersAsync(1, 20, block)).EnsureSuccess();

        Assert.Equal(0, block[10]);            // tripped open after 60 s over 3000 W
        Assert.Equal(1 << 3, block[16]);       // overload flag
        Assert.Equal(3000, block[13]);         // limit reads back
        Assert.Equal(50, City.GetTruth(6).TrueWh); // 3000 W × 60 s

        (await client.WriteSingleRegisterAsync(1, 20 + 17, 1 << 3)).EnsureSuccess(); // clear overload
        (await client.WriteMultipleRegistersAsync(1, 20 + 12, new ushort[] { 0, 0 })).EnsureSuccess(); // no limit
        (await client.WriteSingleRegisterAsync(1, 20 + 11, 1)).EnsureSuccess(); // close
        _time.Advance(TimeSpan.FromMinutes(6));
        (await client.ReadHoldingRegistersAsync(1, 20, block)).EnsureSuccess();

        Assert.Equal(1, block[10]);
        Assert.Equal(0, block[16]);
        Assert.Equal(550, City.GetTruth(6).TrueWh); // + 5000 W × 360 s
    }

    [Fact]
    public async Task Writes_BadAddressOrValue_AreRejectedWithoutEffect()
    {
        var client = Client(1);

        var halfLimit = await client.WriteSingleRegisterAsync(1, 12, 5);
        var badRelay = await client.WriteSingleRegisterAsync(1, 11, 7);
        var readOnly = await client.WriteSingleRegisterAsync(1, 0, 1);
        var mixed = await client.WriteMultipleRegistersAsync(1, 11, new ushort[] { 0, 0, 7, 1 }); // open, limit 7 W, then read-only active power

        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, halfLimit.ExceptionCode);
        Assert.Equal(ModbusExceptionCode.IllegalDataValue, badRelay.ExceptionCode);
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, readOnly.ExceptionCode);
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, mixed.ExceptionCode);
        Assert.True(City.GetTruth(5).RelayClosed); // all or none
        Assert.Equal(0, City.GetTruth(5).PowerLimitW);
    }

    [Fact]
    public async Task Fault_ExceptionResponse_PerConcentratorAndPerMeter()
    {
        var gateway = Client(0);
        var buffer = new ushort[2];

        City.SetFault(FaultTarget.Meter(1), FaultKind.ExceptionResponse, ModbusExceptionCode.GatewayTargetDeviceFailedToRespond);
        var meterFault = await gateway.ReadInputRegistersAsync(2, 0, buffer);
        var neighbour = await gateway.ReadInputRegistersAsync(1, 0, buffer);
        City.SetFault(FaultTarget.Concentrator(0), FaultKind.ExceptionResponse);
        var concentratorFault = await gateway.ReadInputRegistersAsync(1, 0, buffer);
        City.ClearFault(FaultTarget.Concentrator(0));
        City.ClearFault(FaultTarget.Meter(1));
        var healed = await gateway.ReadInputRegistersAsync(2, 0, buffer);

        Assert.Equal(ModbusExceptionCode.GatewayTargetDeviceFailedToRespond, meterFault.ExceptionCode);
        Assert.True(neighbour.IsSuccess);
        Assert.Equal(ModbusExceptionCode.ServerDeviceFailure, concentratorFault.ExceptionCode);
        Assert.True(healed.IsSuccess);
        Assert.Equal(2, City.CountersOf(0).ExceptionResponses);
    }

    [Fact]
    public async Task Fault_Timeout_RequestIsNeverAnswered()
    {
        var table = Client(1, requestTimeout: TimeSpan.FromMilliseconds(300));
        City.SetFault(FaultTarget.Meter(8), FaultKind.Timeout);

        var touchingMeter8 = await table.ReadHoldingRegistersAsync(1, 40, new ushort[60]); // blocks of meters 7, 8 and 9
        var otherMeter = await table.ReadHoldingRegistersAsync(1, 0, new ushort[20]);
        City.ClearFault(FaultTarget.Meter(8));
        var healed = await table.ReadHoldingRegistersAsync(1, 40, new ushort[60]);

        Assert.Equal(ModbusStatus.Timeout, touchingMeter8.Status);
        Assert.True(otherMeter.IsSuccess, otherMeter.ToString());
        Assert.True(healed.IsSuccess, healed.ToString());
        Assert.Equal(1, City.CountersOf(1).Unanswered);
    }

    [Fact]
    public async Task Fault_DropConnection_ClientSeesConnectionLostThenReconnects()
    {
        var gateway = Client(0);
        (await gateway.ReadInputRegistersAsync(1, 0, new ushort[2])).EnsureSuccess();
        City.SetFault(FaultTarget.Concentrator(0), FaultKind.DropConnection);

        var dropped = await gateway.ReadInputRegistersAsync(1, 0, new ushort[2]);
        City.ClearFault(FaultTarget.Concentrator(0));
        var again = await gateway.ReadInputRegistersAsync(1, 0, new ushort[2]);

        Assert.Equal(ModbusStatus.ConnectionLost, dropped.Status);
        Assert.True(again.IsSuccess, again.ToString());
        Assert.Equal(1, City.CountersOf(0).ConnectionsDropped);
    }

    [Fact]
    public async Task Fault_StaleRegisters_FrozenWhileTruthMovesOn()
    {
        City.SetLoad(4, ConsumptionKind.Constant, 3000);
        _time.Advance(TimeSpan.FromHours(1));
        var gateway = Client(0);
        City.SetFault(FaultTarget.Meter(4), FaultKind.StaleRegisters);
        var before = new ushort[20];
        var during = new ushort[20];
        var after = new ushort[20];

        (await gateway.ReadInputRegistersAsync(5, 0, before)).EnsureSuccess();
        _time.Advance(TimeSpan.FromHours(1));
        (await gateway.ReadInputRegistersAsync(5, 0, during)).EnsureSuccess();
        City.ClearFault(FaultTarget.Meter(4));
        (await gateway.ReadInputRegistersAsync(5, 0, after)).EnsureSuccess();

        Assert.Equal(before, during);
        Assert.Equal(300, (int)Raw(during, 0, City.Profile.Gateway!.Registers.TotalEnergy.Point.Format));
        Assert.Equal(600, (int)Raw(after, 0, City.Profile.Gateway.Registers.TotalEnergy.Point.Format));
        Assert.Equal(6000, City.GetTruth(4).TrueWh);
    }

    [Fact]
    public async Task Rollover_ReadOverTheSocket_WrapsAndTruthBridgesIt()
    {
        City.SetLoad(0, ConsumptionKind.Constant, 6000);
        City.ExchangeMeter(0, newStartRaw: uint.MaxValue - 99); // 100 counts = 1000 Wh before the wrap
        var gateway = Client(0);
        var first = new ushort[2];
        var second = new ushort[2];
        var format = City.Profile.Gateway!.Registers.TotalEnergy.Point.Format;

        (await gateway.ReadInputRegistersAsync(1, 0, first)).EnsureSuccess();
        _time.Advance(TimeSpan.FromMinutes(20)); // 2000 Wh
        (await gateway.ReadInputRegistersAsync(1, 0, second)).EnsureSuccess();

        Assert.Equal(uint.MaxValue - 99UL, format.ReadRaw(first));
        Assert.Equal(100UL, format.ReadRaw(second));
        Assert.Equal(2000, City.EnergyBetweenRegisterValues(0, format.ReadRaw(first), format.ReadRaw(second)));
        Assert.Equal(2000, City.GetTruth(0).TrueWh);
        Assert.Equal(1, City.GetTruth(0).Rollovers);
    }

    [Fact]
    public async Task WordOrder_CdabProfile_ServesLowWordFirst()
    {
        var json = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "devices", "prepaidpower-sim.json"));
        var cdab = DeviceProfileLoader.Parse(json.Replace("\"ABCD\"", "\"CDAB\"", StringComparison.Ordinal));
        await using var sim = await StartAsync(cdab);
        sim.City.SetLoad(5, ConsumptionKind.Constant, 60000);
        _time.Advance(TimeSpan.FromHours(20)); // 1,200,000 Wh = 120,000 counts = 0x0001_D4C0
        var table = Client(1, sim);
        var registers = new ushort[2];

        (await table.ReadHoldingRegistersAsync(1, 0, registers)).EnsureSuccess();

        Assert.Equal(new ushort[] { 0xD4C0, 0x0001 }, registers);
        Assert.Equal(1200m, cdab.Table!.Registers.TotalEnergy.Point.Format.Decode(registers));
    }

    [Fact]
    public async Task UnknownUnitOrFunction_AnsweredLikeAGateway()
    {
        var gateway = Client(0);
        var table = Client(1);

        var silentUnit = await gateway.ReadInputRegistersAsync(6, 0, new ushort[2]);
        var wrongTableUnit = await table.ReadHoldingRegistersAsync(2, 0, new ushort[2]);
        var coils = await gateway.ReadCoilsAsync(1, 0, new bool[8]);
        var beyondMap = await gateway.ReadInputRegistersAsync(1, 19, new ushort[2]);

        Assert.Equal(ModbusExceptionCode.GatewayTargetDeviceFailedToRespond, silentUnit.ExceptionCode);
        Assert.Equal(ModbusExceptionCode.GatewayTargetDeviceFailedToRespond, wrongTableUnit.ExceptionCode);
        Assert.Equal(ModbusExceptionCode.IllegalFunction, coils.ExceptionCode);
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, beyondMap.ExceptionCode);
    }

    [Fact]
    public async Task Manifest_ListsEveryEndpoint()
    {
        using var stream = new MemoryStream();

        _sim.WriteManifestJson(stream);

        using var doc = System.Text.Json.JsonDocument.Parse(stream.ToArray());
        var concentrators = doc.RootElement.GetProperty("concentrators");
        Assert.Equal(2, concentrators.GetArrayLength());
        Assert.Equal("gateway", concentrators[0].GetProperty("layout").GetString());
        Assert.Equal(_sim.Endpoints[1].EndPoint.Port, concentrators[1].GetProperty("port").GetInt32());
        Assert.Equal(20, concentrators[1].GetProperty("stride").GetInt32());
        Assert.NotEqual(0, _sim.Endpoints[0].EndPoint.Port);
    }
}
