// Server side: one request PDU decoded and validated against the function's quantity and byte-count rules.
using System.Buffers;
using System.Buffers.Binary;

namespace PrepaidPower.Modbus;

/// <summary>
/// A request received by a server. Fixed fields are decoded; the values of FC15/FC16 stay in the receive buffer
/// (<see cref="Data"/>, a slice) until a handler copies them with <see cref="CopyRegisters"/> or <see cref="CopyCoils"/>.
/// Only valid until the connection's reader advances past the frame.
/// </summary>
public readonly struct ModbusRequest
{
    private ModbusRequest(ushort transactionId, byte unitId, byte functionByte, ushort address, ushort quantity, ushort value, ReadOnlySequence<byte> data)
    {
        TransactionId = transactionId;
        UnitId = unitId;
        FunctionByte = functionByte;
        Address = address;
        Quantity = quantity;
        Value = value;
        Data = data;
    }

    public ushort TransactionId { get; }

    public byte UnitId { get; }

    /// <summary>The function code byte as received (may be unknown when parsing failed with <see cref="ModbusExceptionCode.IllegalFunction"/>).</summary>
    public byte FunctionByte { get; }

    public ModbusFunction Function => (ModbusFunction)FunctionByte;

    /// <summary>0-based PDU address of the first item.</summary>
    public ushort Address { get; }

    /// <summary>Items addressed: the read/write quantity, 1 for FC05/FC06.</summary>
    public ushort Quantity { get; }

    /// <summary>FC06: the register value. FC05: 0xFF00 (on) or 0x0000 (off). Otherwise 0.</summary>
    public ushort Value { get; }

    /// <summary>FC15: packed coils; FC16: big-endian registers. Empty for other functions.</summary>
    public ReadOnlySequence<byte> Data { get; }

    /// <summary>
    /// Decodes the PDU of <paramref name="frame"/>. Returns false with the exception code to answer when the request is
    /// not acceptable: unknown function → 01; quantity out of range, byte count ≠ quantity, wrong PDU length or FC05
    /// value not 0xFF00/0x0000 → 03; range running past 65535 → 02. On false, <paramref name="request"/> still carries
    /// the transaction id, unit id and function byte needed to answer.
    /// </summary>
    public static bool TryParse(in MbapFrame frame, out ModbusRequest request, out ModbusExceptionCode error)
    {
        Span<byte> scratch = frame.Pdu.IsSingleSegment ? default : stackalloc byte[ModbusLimits.MaxPduLength];
        var pdu = Mbap.Contiguous(frame.Pdu, scratch);
        var fc = pdu[0];
        request = new ModbusRequest(frame.TransactionId, frame.UnitId, fc, 0, 0, 0, default);
        error = default;
        if (!ModbusLimits.IsKnown(fc))
        {
            error = ModbusExceptionCode.IllegalFunction;
            return false;
        }

        var function = (ModbusFunction)fc;
        if (pdu.Length < 5)
        {
            error = ModbusExceptionCode.IllegalDataValue;
            return false;
        }

        var address = BinaryPrimitives.ReadUInt16BigEndian(pdu[1..]);
        var word = BinaryPrimitives.ReadUInt16BigEndian(pdu[3..]);
        switch (function)
        {
            case ModbusFunction.ReadCoils or ModbusFunction.ReadDiscreteInputs
                or ModbusFunction.ReadHoldingRegisters or ModbusFunction.ReadInputRegisters:
            {
                var max = ModbusLimits.IsRegisterRead(function) ? ModbusLimits.MaxReadRegisters : ModbusLimits.MaxReadBits;
                if (pdu.Length != 5 || word < 1 || word > max)
                {
                    error = ModbusExceptionCode.IllegalDataValue;
                    return false;
                }

                if (address + word > 0x10000)
                {
                    error = ModbusExceptionCode.IllegalDataAddress;
                    return false;
                }

                request = new ModbusRequest(frame.TransactionId, frame.UnitId, fc, address, word, 0, default);
                return true;
            }

            case ModbusFunction.WriteSingleCoil or ModbusFunction.WriteSingleRegister:
                if (pdu.Length != 5 || (function == ModbusFunction.WriteSingleCoil && word is not (ModbusRequestWriter.CoilOn or ModbusRequestWriter.CoilOff)))
                {
                    error = ModbusExceptionCode.IllegalDataValue;
                    return false;
                }

                request = new ModbusRequest(frame.TransactionId, frame.UnitId, fc, address, 1, word, default);
                return true;

            default:
            {
                var isRegisters = function == ModbusFunction.WriteMultipleRegisters;
                var max = isRegisters ? ModbusLimits.MaxWriteRegisters : ModbusLimits.MaxWriteBits;
                if (pdu.Length < 6 || word < 1 || word > max)
                {
                    error = ModbusExceptionCode.IllegalDataValue;
                    return false;
                }

                var byteCount = pdu[5];
                var expected = isRegisters ? word * 2 : PduData.BitBytes(word);
                if (byteCount != expected || pdu.Length != 6 + byteCount)
                {
                    error = ModbusExceptionCode.IllegalDataValue;
                    return false;
                }

                if (address + word > 0x10000)
                {
                    error = ModbusExceptionCode.IllegalDataAddress;
                    return false;
                }

                request = new ModbusRequest(frame.TransactionId, frame.UnitId, fc, address, word, 0, frame.Pdu.Slice(6, byteCount));
                return true;
            }
        }
    }

    /// <summary>FC16: copies the <see cref="Quantity"/> register values into <paramref name="destination"/> in host order.</summary>
    public void CopyRegisters(Span<ushort> destination)
    {
        if (Function != ModbusFunction.WriteMultipleRegisters)
        {
            throw new InvalidOperationException($"{Function} carries no register block; only FC16 does.");
        }

        Span<byte> scratch = Data.IsSingleSegment ? default : stackalloc byte[ModbusLimits.MaxPduLength];
        PduData.ReadRegisters(Mbap.Contiguous(Data, scratch), destination[..Quantity]);
    }

    /// <summary>FC15: unpacks the <see cref="Quantity"/> coil values into <paramref name="destination"/>.</summary>
    public void CopyCoils(Span<bool> destination)
    {
        if (Function != ModbusFunction.WriteMultipleCoils)
        {
            throw new InvalidOperationException($"{Function} carries no coil block; only FC15 does.");
        }

        Span<byte> scratch = Data.IsSingleSegment ? default : stackalloc byte[ModbusLimits.MaxPduLength];
        PduData.UnpackBits(Mbap.Contiguous(Data, scratch), destination[..Quantity]);
    }
}
