using System.Buffers;

namespace PrepaidPower.Modbus.Tests.Framing;

/// <summary>Request encodings checked against the worked examples of the Modbus Application Protocol v1.1b3 §6.</summary>
[Trait("Category", "Unit")]
public sealed class ModbusRequestWriterTests
{
    [Theory]
    [InlineData(ModbusFunction.ReadCoils, 0x0013, 0x0013, "1234000000061101 0013 0013")]            // §6.1
    [InlineData(ModbusFunction.ReadDiscreteInputs, 0x00C4, 0x0016, "1234000000061102 00C4 0016")]   // §6.2
    [InlineData(ModbusFunction.ReadHoldingRegisters, 0x006B, 0x0003, "1234000000061103 006B 0003")] // §6.3
    [InlineData(ModbusFunction.ReadInputRegisters, 0x0008, 0x0001, "1234000000061104 0008 0001")]   // §6.4
    public void WriteRead_SpecExamples_EncodeExactly(ModbusFunction function, ushort address, ushort quantity, string expected)
    {
        var hex = Hex.Written(w => ModbusRequestWriter.WriteRead(w, 0x1234, 0x11, function, address, quantity));

        Assert.Equal(expected.Replace(" ", "", StringComparison.Ordinal), hex);
    }

    [Fact]
    public void WriteSingleCoil_SpecExample_EncodesFF00()
    {
        Assert.Equal("0001000000061105 00AC FF00".Replace(" ", "", StringComparison.Ordinal),
            Hex.Written(w => ModbusRequestWriter.WriteSingleCoil(w, 1, 0x11, 0x00AC, true)));
        Assert.Equal("0001000000061105 00AC 0000".Replace(" ", "", StringComparison.Ordinal),
            Hex.Written(w => ModbusRequestWriter.WriteSingleCoil(w, 1, 0x11, 0x00AC, false)));
    }

    [Fact]
    public void WriteSingleRegister_SpecExample_EncodesExactly() =>
        Assert.Equal("0001000000061106 0001 0003".Replace(" ", "", StringComparison.Ordinal),
            Hex.Written(w => ModbusRequestWriter.WriteSingleRegister(w, 1, 0x11, 0x0001, 0x0003)));

    [Fact]
    public void WriteMultipleCoils_SpecExample_PacksLsbFirst()
    {
        // §6.11: coils 20–29 = 1011 0011 (CD) then 01 → values listed from coil 20 upwards.
        bool[] coils = [true, false, true, true, false, false, true, true, true, false];

        Assert.Equal("00010000000911 0F 0013 000A 02 CD01".Replace(" ", "", StringComparison.Ordinal),
            Hex.Written(w => ModbusRequestWriter.WriteMultipleCoils(w, 1, 0x11, 0x0013, coils)));
    }

    [Fact]
    public void WriteMultipleRegisters_SpecExample_EncodesExactly() =>
        Assert.Equal("00010000000B11 10 0001 0002 04 000A 0102".Replace(" ", "", StringComparison.Ordinal),
            Hex.Written(w => ModbusRequestWriter.WriteMultipleRegisters(w, 1, 0x11, 0x0001, [0x000A, 0x0102])));

    [Theory]
    [InlineData(ModbusFunction.ReadHoldingRegisters, 0)]
    [InlineData(ModbusFunction.ReadHoldingRegisters, 126)]
    [InlineData(ModbusFunction.ReadInputRegisters, 126)]
    [InlineData(ModbusFunction.ReadCoils, 2001)]
    [InlineData(ModbusFunction.ReadDiscreteInputs, 0)]
    public void WriteRead_QuantityOutsideLimit_ThrowsAndWritesNothing(ModbusFunction function, ushort quantity)
    {
        var writer = new ArrayBufferWriter<byte>();

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ModbusRequestWriter.WriteRead(writer, 1, 1, function, 0, quantity));

        Assert.Contains("split the read", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, writer.WrittenCount);
    }

    [Theory]
    [InlineData(ModbusFunction.ReadHoldingRegisters, 125)]
    [InlineData(ModbusFunction.ReadCoils, 2000)]
    public void WriteRead_QuantityAtLimit_IsAccepted(ModbusFunction function, ushort quantity) =>
        Assert.Equal(12, Hex.Written(w => ModbusRequestWriter.WriteRead(w, 1, 1, function, 0, quantity)).Length / 2);

    [Fact]
    public void WriteRead_RangePastAddress65535_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            ModbusRequestWriter.WriteRead(new ArrayBufferWriter<byte>(), 1, 1, ModbusFunction.ReadHoldingRegisters, 65530, 7));

    [Fact]
    public void WriteRead_NotARead_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            ModbusRequestWriter.WriteRead(new ArrayBufferWriter<byte>(), 1, 1, ModbusFunction.WriteSingleRegister, 0, 1));

    [Fact]
    public void WriteMultipleRegisters_124Values_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            ModbusRequestWriter.WriteMultipleRegisters(new ArrayBufferWriter<byte>(), 1, 1, 0, new ushort[124]));

    [Fact]
    public void WriteMultipleRegisters_123Values_FillsTheLargestRequestAdu()
    {
        var hex = Hex.Written(w => ModbusRequestWriter.WriteMultipleRegisters(w, 1, 1, 0, new ushort[123]));

        Assert.Equal(7 + 6 + 246, hex.Length / 2);
    }

    [Fact]
    public void WriteMultipleCoils_1969Values_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            ModbusRequestWriter.WriteMultipleCoils(new ArrayBufferWriter<byte>(), 1, 1, 0, new bool[1969]));
}
