// Client side: encodes request ADUs (MBAP header + PDU) into an IBufferWriter, one call per ADU.
using System.Buffers;
using System.Buffers.Binary;

namespace PrepaidPower.Modbus;

/// <summary>
/// Encodes Modbus TCP request ADUs. Each method writes one whole ADU with a single <c>GetSpan</c>/<c>Advance</c>, so a
/// transport can send it in one socket write (pymodbus 3.0 drops a connection whose request arrives split).
/// Quantities are checked against the spec limits before anything is written.
/// <code>
///  read  (FC01-04):  | fc | address (BE) | quantity (BE) |
///  write (FC05/06):  | fc | address (BE) | value (BE)    |            FC05 value: 0xFF00 on, 0x0000 off
///  write (FC15/16):  | fc | address (BE) | quantity (BE) | byte count | values ... |
/// </code>
/// </summary>
public static class ModbusRequestWriter
{
    private const int FixedPduLength = 5;
    private const int MultipleHeaderLength = 6;

    /// <summary>FC01/02/03/04: read <paramref name="quantity"/> bits or registers starting at PDU address <paramref name="address"/> (0-based).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The function is not a read, the quantity is outside its limit (1–125 registers, 1–2000 bits), or the range passes 65535.</exception>
    public static void WriteRead(IBufferWriter<byte> writer, ushort transactionId, byte unitId, ModbusFunction function, ushort address, ushort quantity)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var max = ModbusLimits.IsRegisterRead(function) ? ModbusLimits.MaxReadRegisters
            : ModbusLimits.IsBitRead(function) ? ModbusLimits.MaxReadBits
            : throw new ArgumentOutOfRangeException(nameof(function), function, "Only FC01, FC02, FC03 and FC04 are reads.");
        CheckRange(address, quantity, max, function);

        var pdu = Mbap.BeginAdu(writer, transactionId, unitId, FixedPduLength);
        pdu[0] = (byte)function;
        BinaryPrimitives.WriteUInt16BigEndian(pdu[1..], address);
        BinaryPrimitives.WriteUInt16BigEndian(pdu[3..], quantity);
        writer.Advance(Mbap.HeaderLength + FixedPduLength);
    }

    /// <summary>FC06: write one holding register.</summary>
    public static void WriteSingleRegister(IBufferWriter<byte> writer, ushort transactionId, byte unitId, ushort address, ushort value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        WriteFixed(writer, transactionId, unitId, ModbusFunction.WriteSingleRegister, address, value);
    }

    /// <summary>FC05: write one coil.</summary>
    public static void WriteSingleCoil(IBufferWriter<byte> writer, ushort transactionId, byte unitId, ushort address, bool value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        WriteFixed(writer, transactionId, unitId, ModbusFunction.WriteSingleCoil, address, value ? CoilOn : CoilOff);
    }

    /// <summary>FC16: write 1–123 holding registers starting at <paramref name="address"/>.</summary>
    public static void WriteMultipleRegisters(IBufferWriter<byte> writer, ushort transactionId, byte unitId, ushort address, ReadOnlySpan<ushort> values)
    {
        ArgumentNullException.ThrowIfNull(writer);
        CheckRange(address, values.Length, ModbusLimits.MaxWriteRegisters, ModbusFunction.WriteMultipleRegisters);
        var byteCount = values.Length * 2;
        var pdu = BeginMultiple(writer, transactionId, unitId, ModbusFunction.WriteMultipleRegisters, address, values.Length, byteCount);
        PduData.WriteRegisters(values, pdu.Slice(MultipleHeaderLength, byteCount));
        writer.Advance(Mbap.HeaderLength + MultipleHeaderLength + byteCount);
    }

    /// <summary>FC15: write 1–1968 coils starting at <paramref name="address"/>.</summary>
    public static void WriteMultipleCoils(IBufferWriter<byte> writer, ushort transactionId, byte unitId, ushort address, ReadOnlySpan<bool> values)
    {
        ArgumentNullException.ThrowIfNull(writer);
        CheckRange(address, values.Length, ModbusLimits.MaxWriteBits, ModbusFunction.WriteMultipleCoils);
        var byteCount = PduData.BitBytes(values.Length);
        var pdu = BeginMultiple(writer, transactionId, unitId, ModbusFunction.WriteMultipleCoils, address, values.Length, byteCount);
        PduData.PackBits(values, pdu.Slice(MultipleHeaderLength, byteCount));
        writer.Advance(Mbap.HeaderLength + MultipleHeaderLength + byteCount);
    }

    internal const ushort CoilOn = 0xFF00;
    internal const ushort CoilOff = 0x0000;

    private static void WriteFixed(IBufferWriter<byte> writer, ushort transactionId, byte unitId, ModbusFunction function, ushort address, ushort value)
    {
        var pdu = Mbap.BeginAdu(writer, transactionId, unitId, FixedPduLength);
        pdu[0] = (byte)function;
        BinaryPrimitives.WriteUInt16BigEndian(pdu[1..], address);
        BinaryPrimitives.WriteUInt16BigEndian(pdu[3..], value);
        writer.Advance(Mbap.HeaderLength + FixedPduLength);
    }

    private static Span<byte> BeginMultiple(IBufferWriter<byte> writer, ushort transactionId, byte unitId, ModbusFunction function, ushort address, int quantity, int byteCount)
    {
        var pdu = Mbap.BeginAdu(writer, transactionId, unitId, MultipleHeaderLength + byteCount);
        pdu[0] = (byte)function;
        BinaryPrimitives.WriteUInt16BigEndian(pdu[1..], address);
        BinaryPrimitives.WriteUInt16BigEndian(pdu[3..], (ushort)quantity);
        pdu[5] = (byte)byteCount;
        return pdu;
    }

    private static void CheckRange(ushort address, int quantity, int max, ModbusFunction function)
    {
        if (quantity < 1 || quantity > max)
        {
            throw new ArgumentOutOfRangeException(nameof(quantity), quantity,
                $"{function} takes 1–{max} items per request; split the read or write into several requests.");
        }

        if (address + quantity > 0x10000)
        {
            throw new ArgumentOutOfRangeException(nameof(address), address,
                $"{function} of {quantity} items at address {address} runs past address 65535.");
        }
    }
}
