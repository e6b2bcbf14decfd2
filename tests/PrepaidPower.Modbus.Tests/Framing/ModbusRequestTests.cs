using System.Buffers;
using CsCheck;

namespace PrepaidPower.Modbus.Tests.Framing;

/// <summary>Server-side request validation: every rejection is the exception code the spec's state diagrams name.</summary>
[Trait("Category", "Unit")]
public sealed class ModbusRequestTests
{
    [Theory]
    [InlineData("41 0000 0001", ModbusExceptionCode.IllegalFunction)]           // unknown function
    [InlineData("83 0000 0001", ModbusExceptionCode.IllegalFunction)]           // exception bit set on a request
    [InlineData("2B 0E01 00", ModbusExceptionCode.IllegalFunction)]             // FC43 (device id) is not served
    [InlineData("03 0000 0000", ModbusExceptionCode.IllegalDataValue)]          // quantity 0
    [InlineData("03 0000 007E", ModbusExceptionCode.IllegalDataValue)]          // 126 registers
    [InlineData("04 0000 007E", ModbusExceptionCode.IllegalDataValue)]
    [InlineData("01 0000 07D1", ModbusExceptionCode.IllegalDataValue)]          // 2001 coils
    [InlineData("03 0000", ModbusExceptionCode.IllegalDataValue)]               // PDU too short
    [InlineData("03 0000 0001 00", ModbusExceptionCode.IllegalDataValue)]       // PDU too long
    [InlineData("03 FFFF 0002", ModbusExceptionCode.IllegalDataAddress)]        // runs past 65535
    [InlineData("05 0001 1234", ModbusExceptionCode.IllegalDataValue)]          // coil value not FF00/0000
    [InlineData("10 0000 007C F8", ModbusExceptionCode.IllegalDataValue)]       // 124 registers
    [InlineData("10 0000 0002 03 000A 01", ModbusExceptionCode.IllegalDataValue)] // byte count ≠ 2·quantity
    [InlineData("10 0000 0002 04 000A 01", ModbusExceptionCode.IllegalDataValue)] // byte count says 4, 3 bytes follow
    [InlineData("10 0000 0001 02 000A 00", ModbusExceptionCode.IllegalDataValue)] // extra trailing byte
    [InlineData("0F 0000 000A 01 CD", ModbusExceptionCode.IllegalDataValue)]    // 10 coils need 2 bytes
    [InlineData("0F 0000 07B1 F7", ModbusExceptionCode.IllegalDataValue)]       // 1969 coils
    [InlineData("10 FFFF 0002 04 0000 0000", ModbusExceptionCode.IllegalDataAddress)]
    public void TryParse_BadRequest_ReturnsTheExceptionCodeToAnswer(string pdu, ModbusExceptionCode expected)
    {
        var frame = Frame(pdu);

        Assert.False(ModbusRequest.TryParse(frame, out var request, out var error));

        Assert.Equal(expected, error);
        Assert.Equal(0x0102, request.TransactionId);
        Assert.Equal(7, request.UnitId);
        Assert.Equal(Hex.Bytes(pdu)[0], request.FunctionByte);
    }

    [Fact]
    public void TryParse_ReadHoldingRegisters_DecodesAddressAndQuantity()
    {
        Assert.True(ModbusRequest.TryParse(Frame("03 006B 0003"), out var request, out _));

        Assert.Equal(ModbusFunction.ReadHoldingRegisters, request.Function);
        Assert.Equal(0x006B, request.Address);
        Assert.Equal(3, request.Quantity);
    }

    [Fact]
    public void TryParse_WriteMultipleRegisters_SlicesValuesAndCopiesThemInHostOrder()
    {
        Assert.True(ModbusRequest.TryParse(Frame("10 0001 0002 04 000A 0102"), out var request, out _));
        var values = new ushort[2];
        request.CopyRegisters(values);

        Assert.Equal(2, request.Quantity);
        Assert.Equal(4, request.Data.Length);
        Assert.Equal([0x000A, 0x0102], values);
    }

    [Fact]
    public void TryParse_WriteMultipleCoils_UnpacksLsbFirst()
    {
        Assert.True(ModbusRequest.TryParse(Frame("0F 0013 000A 02 CD01"), out var request, out _));
        var coils = new bool[10];
        request.CopyCoils(coils);

        Assert.Equal([true, false, true, true, false, false, true, true, true, false], coils);
    }

    [Fact]
    public void TryParse_WriteSingleCoilOn_CarriesFF00()
    {
        Assert.True(ModbusRequest.TryParse(Frame("05 00AC FF00"), out var request, out _));

        Assert.Equal(0xFF00, request.Value);
        Assert.Equal(1, request.Quantity);
    }

    [Fact]
    public void WriterThenParser_AnyRegisterWrite_RoundTrips() =>
        Gen.Select(Gen.UShort[0, 1000], Gen.UShort.Array[1, ModbusLimits.MaxWriteRegisters]).Sample((address, values) =>
        {
            var writer = new ArrayBufferWriter<byte>();
            ModbusRequestWriter.WriteMultipleRegisters(writer, 9, 3, address, values);
            var buffer = new ReadOnlySequence<byte>(writer.WrittenMemory);
            Assert.True(Mbap.TryReadFrame(ref buffer, out var frame));
            Assert.True(ModbusRequest.TryParse(frame, out var request, out _));
            var copy = new ushort[request.Quantity];
            request.CopyRegisters(copy);
            Assert.Equal(address, request.Address);
            Assert.Equal(values, copy);
        });

    [Fact]
    public void WriterThenParser_AnyCoilWrite_RoundTrips() =>
        Gen.Select(Gen.UShort[0, 1000], Gen.Bool.Array[1, ModbusLimits.MaxWriteBits]).Sample((address, values) =>
        {
            var writer = new ArrayBufferWriter<byte>();
            ModbusRequestWriter.WriteMultipleCoils(writer, 9, 3, address, values);
            var buffer = new ReadOnlySequence<byte>(writer.WrittenMemory);
            Assert.True(Mbap.TryReadFrame(ref buffer, out var frame));
            Assert.True(ModbusRequest.TryParse(frame, out var request, out _));
            var copy = new bool[request.Quantity];
            request.CopyCoils(copy);
            Assert.Equal(values, copy);
        });

    private static MbapFrame Frame(string pdu) => new(0x0102, 7, new ReadOnlySequence<byte>(Hex.Bytes(pdu)));
}
