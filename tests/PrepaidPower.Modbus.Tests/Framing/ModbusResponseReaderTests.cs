using System.Buffers;

namespace PrepaidPower.Modbus.Tests.Framing;

/// <summary>Responses decoded against their requests: golden vectors from the spec, every exception code, and every mismatch rejected.</summary>
[Trait("Category", "Unit")]
public sealed class ModbusResponseReaderTests
{
    [Fact]
    public void TryReadRegisters_SpecExample_DecodesThreeRegisters()
    {
        // §6.3: registers 108–110 hold 555 (0x022B), 0, 100 (0x0064).
        var values = new ushort[3];

        Assert.True(ModbusResponseReader.TryReadRegisters(Frame("03 06 022B 0000 0064"), 0x11, ModbusFunction.ReadHoldingRegisters, values, out _));

        Assert.Equal([555, 0, 100], values);
    }

    [Fact]
    public void TryReadRegisters_InputRegisterSpecExample_Decodes10()
    {
        var values = new ushort[1];

        Assert.True(ModbusResponseReader.TryReadRegisters(Frame("04 02 000A"), 0x11, ModbusFunction.ReadInputRegisters, values, out _));

        Assert.Equal(10, values[0]);
    }

    [Fact]
    public void TryReadBits_SpecExamples_UnpackLsbFirst()
    {
        // §6.1: coils 20–38 = CD 6B 05; §6.2: inputs 197–218 = AC DB 35.
        var coils = new bool[19];
        var inputs = new bool[22];

        Assert.True(ModbusResponseReader.TryReadBits(Frame("01 03 CD6B05"), 0x11, ModbusFunction.ReadCoils, coils, out _));
        Assert.True(ModbusResponseReader.TryReadBits(Frame("02 03 ACDB35"), 0x11, ModbusFunction.ReadDiscreteInputs, inputs, out _));

        Assert.Equal("1011001111010110101", string.Concat(coils.Select(b => b ? '1' : '0')));
        Assert.Equal("0011010111011011101011", string.Concat(inputs.Select(b => b ? '1' : '0')));
    }

    [Theory]
    [InlineData(ModbusFunction.WriteSingleCoil, "05 00AC FF00", 0x00AC, 0xFF00)]
    [InlineData(ModbusFunction.WriteSingleRegister, "06 0001 0003", 0x0001, 0x0003)]
    [InlineData(ModbusFunction.WriteMultipleCoils, "0F 0013 000A", 0x0013, 10)]
    [InlineData(ModbusFunction.WriteMultipleRegisters, "10 0001 0002", 0x0001, 2)]
    public void TryReadWriteEcho_SpecExamples_Accepted(ModbusFunction function, string pdu, ushort address, ushort value) =>
        Assert.True(ModbusResponseReader.TryReadWriteEcho(Frame(pdu), 0x11, function, address, value, out _));

    [Theory]
    [InlineData(0x01, ModbusExceptionCode.IllegalFunction)]
    [InlineData(0x02, ModbusExceptionCode.IllegalDataAddress)]
    [InlineData(0x03, ModbusExceptionCode.IllegalDataValue)]
    [InlineData(0x04, ModbusExceptionCode.ServerDeviceFailure)]
    [InlineData(0x05, ModbusExceptionCode.Acknowledge)]
    [InlineData(0x06, ModbusExceptionCode.ServerDeviceBusy)]
    [InlineData(0x07, ModbusExceptionCode.NegativeAcknowledge)]
    [InlineData(0x08, ModbusExceptionCode.MemoryParityError)]
    [InlineData(0x0A, ModbusExceptionCode.GatewayPathUnavailable)]
    [InlineData(0x0B, ModbusExceptionCode.GatewayTargetDeviceFailedToRespond)]
    public void TryReadRegisters_EveryExceptionCode_IsTypedAndLeavesTheBufferUntouched(byte code, ModbusExceptionCode expected)
    {
        ushort[] values = [0xAAAA, 0xBBBB];

        Assert.False(ModbusResponseReader.TryReadRegisters(Frame($"83 {code:X2}"), 0x11, ModbusFunction.ReadHoldingRegisters, values, out var exception));

        Assert.Equal(expected, exception);
        Assert.Equal([0xAAAA, 0xBBBB], values);
    }

    [Fact]
    public void TryReadRegisters_SpecExceptionExample_IsIllegalDataAddress()
    {
        // §7: read input register 0x04A1 → 84 02.
        Assert.False(ModbusResponseReader.TryReadRegisters(Frame("84 02"), 0x11, ModbusFunction.ReadInputRegisters, new ushort[1], out var exception));

        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, exception);
    }

    [Theory]
    [InlineData("83 00", ModbusProtocolError.UndefinedExceptionCode)]
    [InlineData("83 09", ModbusProtocolError.UndefinedExceptionCode)]
    [InlineData("83 0C", ModbusProtocolError.UndefinedExceptionCode)]
    [InlineData("83 02 00", ModbusProtocolError.MalformedResponse)]           // exception PDU too long
    [InlineData("84 02", ModbusProtocolError.FunctionMismatch)]               // exception for another function
    [InlineData("04 04 0001 0002", ModbusProtocolError.FunctionMismatch)]     // answer for FC04
    [InlineData("03 02 0001", ModbusProtocolError.MalformedResponse)]         // 1 register for 2 requested
    [InlineData("03 06 0001 0002 0003", ModbusProtocolError.MalformedResponse)] // 3 registers for 2
    [InlineData("03 04 0001 00", ModbusProtocolError.MalformedResponse)]      // byte count 4, 3 bytes follow
    [InlineData("03 04 0001 0002 00", ModbusProtocolError.MalformedResponse)] // trailing byte
    [InlineData("03", ModbusProtocolError.MalformedResponse)]                 // no byte count
    public void TryReadRegisters_MalformedOrMismatched_ThrowsAndNeverFillsTheBuffer(string pdu, ModbusProtocolError expected)
    {
        ushort[] values = [0xAAAA, 0xBBBB];

        var e = Assert.Throws<ModbusProtocolException>(() =>
            ModbusResponseReader.TryReadRegisters(Frame(pdu), 0x11, ModbusFunction.ReadHoldingRegisters, values, out _));

        Assert.Equal(expected, e.Error);
        Assert.Equal([0xAAAA, 0xBBBB], values);
    }

    [Fact]
    public void TryReadRegisters_OtherUnitId_IsAProtocolError()
    {
        var e = Assert.Throws<ModbusProtocolException>(() =>
            ModbusResponseReader.TryReadRegisters(Frame("03 02 0001", unit: 0x12), 0x11, ModbusFunction.ReadHoldingRegisters, new ushort[1], out _));

        Assert.Equal(ModbusProtocolError.UnitIdMismatch, e.Error);
    }

    [Fact]
    public void TryReadBits_ByteCountNotCeilingOfQuantityOver8_IsAProtocolError() =>
        Assert.Throws<ModbusProtocolException>(() =>
            ModbusResponseReader.TryReadBits(Frame("01 03 CD6B05"), 0x11, ModbusFunction.ReadCoils, new bool[16], out _));

    [Theory]
    [InlineData("06 0001 0004")] // value differs
    [InlineData("06 0002 0003")] // address differs
    [InlineData("06 0001 0003 00")]
    public void TryReadWriteEcho_EchoDiffers_IsAProtocolError(string pdu) =>
        Assert.Throws<ModbusProtocolException>(() =>
            ModbusResponseReader.TryReadWriteEcho(Frame(pdu), 0x11, ModbusFunction.WriteSingleRegister, 0x0001, 0x0003, out _));

    [Fact]
    public void TryReadRegisters_PduSplitAcrossSegments_DecodesTheSame()
    {
        var pdu = Hex.Bytes("03 06 022B 0000 0064");
        var frame = new MbapFrame(1, 0x11, Hex.Segments(pdu[..3], pdu[3..4], pdu[4..]));
        var values = new ushort[3];

        Assert.True(ModbusResponseReader.TryReadRegisters(frame, 0x11, ModbusFunction.ReadHoldingRegisters, values, out _));

        Assert.Equal([555, 0, 100], values);
    }

    [Fact]
    public void ResponseWriter_SpecExamples_EncodeExactly()
    {
        Assert.Equal("000100000009110306022B00000064",
            Hex.Written(w => ModbusResponseWriter.WriteReadRegisters(w, 1, 0x11, ModbusFunction.ReadHoldingRegisters, [555, 0, 100])));
        Assert.Equal("00010000000611010 3CD6B05".Replace(" ", "", StringComparison.Ordinal),
            Hex.Written(w => ModbusResponseWriter.WriteReadBits(w, 1, 0x11, ModbusFunction.ReadCoils,
                [true, false, true, true, false, false, true, true, true, true, false, true, false, true, true, false, true, false, true])));
        Assert.Equal("0001000000061110 0001 0002".Replace(" ", "", StringComparison.Ordinal),
            Hex.Written(w => ModbusResponseWriter.WriteWriteEcho(w, 1, 0x11, ModbusFunction.WriteMultipleRegisters, 1, 2)));
        Assert.Equal("000100000003118402",
            Hex.Written(w => ModbusResponseWriter.WriteException(w, 1, 0x11, 0x04, ModbusExceptionCode.IllegalDataAddress)));
    }

    private static MbapFrame Frame(string pdu, byte unit = 0x11) => new(1, unit, new ReadOnlySequence<byte>(Hex.Bytes(pdu)));
}
