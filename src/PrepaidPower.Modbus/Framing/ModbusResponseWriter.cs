// Server side: encodes response ADUs, normal and exception.
using System.Buffers;
using System.Buffers.Binary;

namespace PrepaidPower.Modbus;

/// <summary>
/// Encodes Modbus TCP response ADUs; the transaction id and unit id are the request's, echoed.
/// <code>
///  read registers (FC03/04):  | fc | byte count = 2·n | n registers (BE) |
///  read bits (FC01/02):       | fc | byte count = ⌈n/8⌉ | bits, LSB first |
///  writes (FC05/06/15/16):    | fc | address (BE) | value or quantity (BE) |
///  exception:                 | fc | 0x80 | exception code |
/// </code>
/// </summary>
public static class ModbusResponseWriter
{
    public static void WriteReadRegisters(IBufferWriter<byte> writer, ushort transactionId, byte unitId, ModbusFunction function, ReadOnlySpan<ushort> values)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (!ModbusLimits.IsRegisterRead(function) || values.Length is < 1 or > ModbusLimits.MaxReadRegisters)
        {
            throw new ArgumentOutOfRangeException(nameof(values), values.Length, $"{function} answers 1–{ModbusLimits.MaxReadRegisters} registers.");
        }

        var byteCount = values.Length * 2;
        var pdu = Mbap.BeginAdu(writer, transactionId, unitId, 2 + byteCount);
        pdu[0] = (byte)function;
        pdu[1] = (byte)byteCount;
        PduData.WriteRegisters(values, pdu[2..]);
        writer.Advance(Mbap.HeaderLength + 2 + byteCount);
    }

    public static void WriteReadBits(IBufferWriter<byte> writer, ushort transactionId, byte unitId, ModbusFunction function, ReadOnlySpan<bool> values)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (!ModbusLimits.IsBitRead(function) || values.Length is < 1 or > ModbusLimits.MaxReadBits)
        {
            throw new ArgumentOutOfRangeException(nameof(values), values.Length, $"{function} answers 1–{ModbusLimits.MaxReadBits} bits.");
        }

        var byteCount = PduData.BitBytes(values.Length);
        var pdu = Mbap.BeginAdu(writer, transactionId, unitId, 2 + byteCount);
        pdu[0] = (byte)function;
        pdu[1] = (byte)byteCount;
        PduData.PackBits(values, pdu[2..]);
        writer.Advance(Mbap.HeaderLength + 2 + byteCount);
    }

    /// <summary>FC05/FC06 echo address and value; FC15/FC16 answer address and quantity.</summary>
    public static void WriteWriteEcho(IBufferWriter<byte> writer, ushort transactionId, byte unitId, ModbusFunction function, ushort address, ushort valueOrQuantity)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (function is not (ModbusFunction.WriteSingleCoil or ModbusFunction.WriteSingleRegister or ModbusFunction.WriteMultipleCoils or ModbusFunction.WriteMultipleRegisters))
        {
            throw new ArgumentOutOfRangeException(nameof(function), function, "Only write functions (05, 06, 15, 16) answer with an echo.");
        }

        var pdu = Mbap.BeginAdu(writer, transactionId, unitId, 5);
        pdu[0] = (byte)function;
        BinaryPrimitives.WriteUInt16BigEndian(pdu[1..], address);
        BinaryPrimitives.WriteUInt16BigEndian(pdu[3..], valueOrQuantity);
        writer.Advance(Mbap.HeaderLength + 5);
    }

    /// <summary>Exception response: the request's function byte with 0x80 set, then the code (§7).</summary>
    public static void WriteException(IBufferWriter<byte> writer, ushort transactionId, byte unitId, byte functionByte, ModbusExceptionCode code)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var pdu = Mbap.BeginAdu(writer, transactionId, unitId, 2);
        pdu[0] = (byte)(functionByte | ModbusLimits.ExceptionFlag);
        pdu[1] = (byte)code;
        writer.Advance(Mbap.HeaderLength + 2);
    }
}
