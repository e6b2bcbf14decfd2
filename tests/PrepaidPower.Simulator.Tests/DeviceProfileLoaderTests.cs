using PrepaidPower.Modbus;
using PrepaidPower.Modbus.Profiles;

namespace PrepaidPower.Simulator.Tests;

[Trait("Category", "Unit")]
public sealed class DeviceProfileLoaderTests
{
    private static string Sample(string name) => Path.Combine(AppContext.BaseDirectory, "devices", name);

    [Fact]
    public void LoadFile_AcrelSample_MapsEnergyRegistersAndNoControl()
    {
        var profile = DeviceProfileLoader.LoadFile(Sample("acrel-dtsd1352.json"));

        Assert.Equal("acrel-dtsd1352", profile.Id);
        Assert.Null(profile.Table);
        var map = profile.Gateway!.Registers;
        Assert.Equal(new RegisterPoint(0x0000, RegisterKind.Holding, new RegisterFormat(RegisterDataType.UInt32, WordOrder.ABCD, 0.01m)), map.TotalEnergy.Point);
        Assert.Equal(10m, map.TotalEnergy.WattHoursPerCount);
        Assert.Equal((UInt128)uint.MaxValue + 1, map.TotalEnergy.RolloverAt);
        Assert.Equal(ModbusFunction.ReadHoldingRegisters, map.TotalEnergy.Point.ReadFunction);
        Assert.Equal(
            [(TouBand.Sharp, (ushort)0x0002), (TouBand.Peak, (ushort)0x0004), (TouBand.Flat, (ushort)0x0006), (TouBand.Valley, (ushort)0x0008)],
            map.BandEnergy.Select(b => (b.Band, b.Register.Point.Address)).ToArray());
        Assert.False(map.HasControl);
        Assert.Null(map.RelayStatus);
        Assert.Null(map.EventFlags);
        Assert.Contains("not documented publicly", profile.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadFile_SimulatorSample_HasBothLayoutsWithControl()
    {
        var profile = DeviceProfileLoader.LoadFile(Sample("prepaidpower-sim.json"));

        Assert.Equal(ModbusFunction.WriteSingleRegister, profile.SingleRegisterWrite);
        var table = profile.Table!;
        Assert.Equal(20, table.Stride);
        Assert.Equal(3276, table.MaxMeters);
        Assert.Equal(6, table.MetersPerRead(profile.MaxReadRegisters));
        Assert.Equal((ushort)40, table.BlockAddress(2));
        foreach (var map in new[] { profile.Gateway!.Registers, table.Registers })
        {
            Assert.True(map.HasControl);
            Assert.Equal(1UL, map.RelayControl!.ClosedRaw);
            Assert.Equal(0UL, map.RelayControl.OpenRaw);
            Assert.Equal(RegisterKind.Holding, map.RelayControl.Point.Kind);
            Assert.Equal(PowerUnit.Watts, map.PowerLimit!.Unit);
            Assert.Equal(0UL, map.PowerLimit.UnlimitedRaw);
            Assert.Equal(6, map.EventFlags!.Bits.Count);
            Assert.Equal(3, map.EventFlags.BitOf(MeterEvent.Overload));
            Assert.Equal(4, map.BandEnergy.Count);
        }

        Assert.Equal(RegisterKind.Input, profile.Gateway!.Registers.TotalEnergy.Point.Kind);
        Assert.Equal(20, profile.Gateway.Registers.Extent(RegisterKind.Input));
        Assert.Same(DeviceProfiles.Simulator.Id, DeviceProfiles.Simulator.Id);
        Assert.Equal(profile.Table!.Stride, DeviceProfiles.Simulator.Table!.Stride);
    }

    [Fact]
    public void Parse_ManyProblems_ReportsEachWithItsPath()
    {
        const string json = """
            {
              "id": "Bad Id",
              "maxReadRegisters": 200,
              "writeFunction": "fc05",
              "gateway": {
                "registers": {
                  "totalEnergy": { "address": 0, "kind": "holding", "type": "uint33", "scale": 0.01, "unit": "MWh" },
                  "bandEnergy": [ { "band": "noon", "address": 2, "kind": "holding", "type": "UInt32", "scale": 0.01, "unit": "kWh" } ],
                  "relayControl": { "address": 11, "kind": "input", "type": "UInt16", "closed": 1, "open": 1 },
                  "eventFlags": { "address": 16, "kind": "input", "type": "UInt16", "bits": { "arcFault": 0, "smoke": 1, "tamper": 0, "overload": 16 } }
                }
              }
            }
            """;

        var e = Assert.Throws<DeviceProfileLoadException>(() => DeviceProfileLoader.Parse(json, "test.json"));

        var paths = e.Problems.Select(p => p.Path).ToHashSet();
        Assert.Superset(new HashSet<string>
        {
            "id", "name", "maxReadRegisters", "writeFunction",
            "gateway.registers.totalEnergy.type", "gateway.registers.totalEnergy.unit",
            "gateway.registers.bandEnergy[0].band",
            "gateway.registers.relayControl.kind", "gateway.registers.relayControl.open", "gateway.registers.relayStatus",
            "gateway.registers.eventFlags.bits.smoke", "gateway.registers.eventFlags.bits.tamper", "gateway.registers.eventFlags.bits.overload",
        }, paths);
        Assert.Contains("test.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("gateway.registers.totalEnergy.unit: unknown unit 'MWh'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownProperty_NamesItAndItsPath()
    {
        const string json = """{ "id": "x", "name": "x", "maxReadRegisters": 10, "gateway": { "registers": { "totalEnergy": { "adress": 0 } } } }""";

        var e = Assert.Throws<DeviceProfileLoadException>(() => DeviceProfileLoader.Parse(json));

        var problem = Assert.Single(e.Problems);
        Assert.Equal("gateway.registers.totalEnergy.adress", problem.Path);
        Assert.Contains("unknown property 'adress'", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TableBlockOverflowsStrideAndOverlaps_Rejected()
    {
        const string json = """
            {
              "id": "t", "name": "t", "maxReadRegisters": 125,
              "table": {
                "unitId": 1, "stride": 4,
                "registers": {
                  "totalEnergy": { "address": 0, "kind": "holding", "type": "UInt32", "scale": 0.01, "unit": "kWh" },
                  "activePower": { "address": 1, "kind": "holding", "type": "UInt32", "unit": "W" },
                  "clock": { "address": 3, "kind": "holding", "type": "UInt32" }
                }
              }
            }
            """;

        var e = Assert.Throws<DeviceProfileLoadException>(() => DeviceProfileLoader.Parse(json));

        Assert.Contains(e.Problems, p => p.Path == "table.registers.activePower" && p.Message.Contains("overlap totalEnergy", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.Path == "table.registers.clock" && p.Message.Contains("run past the block stride 4", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_NoLayout_Rejected()
    {
        var e = Assert.Throws<DeviceProfileLoadException>(() => DeviceProfileLoader.Parse("""{ "id": "x", "name": "x", "maxReadRegisters": 10 }"""));

        Assert.Equal("$", Assert.Single(e.Problems).Path);
    }

    [Fact]
    public void LoadFile_Missing_ReportsTheFile()
    {
        var e = Assert.Throws<DeviceProfileLoadException>(() => DeviceProfileLoader.LoadFile("/nonexistent/profile.json"));

        Assert.Contains("/nonexistent/profile.json", e.Message, StringComparison.Ordinal);
    }
}
