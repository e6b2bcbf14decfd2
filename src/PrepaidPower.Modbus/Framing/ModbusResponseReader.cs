// Client side: checks a response PDU against the request it answers and decodes it.
using System.Buffers.Binary;

namespace PrepaidPower.Modbus;

/// <summary>
/// Decodes response PDUs strictly against the request they answer (the caller matches the transaction id first).
/// Each method returns true for a normal response (values copied to the destination only after every check passed),
/// false for an exception response (function | 0x80, code 01–0B), and throws <see cref="ModbusProtocolException"/>
/// for anything else: other unit id, other function, wrong byte count, wrong PDU length, echo that differs,
/// undefined exception code. A malformed response therefore can never become a reading.
/// </summary>
public static class ModbusResponseReader
{
    /// <summary>FC03/FC04: <paramref name="destination"/>.Length is the requested quantity; byte count must be exactly twice it.</summary>
    public static bool TryReadRegisters(in MbapFrame frame, byte unitId, ModbusFunction function, Span<ushort> destination, out ModbusExceptionCode exception)
    {
        Span<byte> scratch = frame.Pdu.IsSingleSegment ? default : stackalloc byte[ModbusLimits.MaxPduLength];
        var pdu = Mbap.Contiguous(frame.Pdu, scratch);
        if (IsException(frame, pdu, unitId, function, out exception))
        {
            return false;
        }

        var byteCount = destination.Length * 2;
        if (pdu.Length < 2 || pdu[1] != byteCount || pdu.Length != 2 + byteCount)
        {
            throw Malformed(function, $"byte count {(pdu.Length > 1 ? pdu[1] : -1)} and PDU length {pdu.Length} for {destination.Length} registers (expected byte count {byteCount}, PDU length {2 + byteCount})");
        }

        PduData.ReadRegisters(pdu.Slice(2, byteCount), destination);
        return true;
    }

    /// <summary>FC01/FC02: <paramref name="destination"/>.Length is the requested quantity; byte count must be ⌈quantity/8⌉.</summary>
    public static bool TryReadBits(in MbapFrame frame, byte unitId, ModbusFunction function, Span<bool> destination, out ModbusExceptionCode exception)
    {
        Span<byte> scratch = frame.Pdu.IsSingleSegment ? default : stackalloc byte[ModbusLimits.MaxPduLength];
        var pdu = Mbap.Contiguous(frame.Pdu, scratch);
        if (IsException(frame, pdu, unitId, function, out exception))
        {
            return false;
        }

        var byteCount = PduData.BitBytes(destination.Length);
        if (pdu.Length < 2 || pdu[1] != byteCount || pdu.Length != 2 + byteCount)
        {
            throw Malformed(function, $"byte count {(pdu.Length > 1 ? pdu[1] : -1)} and PDU length {pdu.Length} for {destination.Length} bits (expected byte count {byteCount})");
        }

        PduData.UnpackBits(pdu.Slice(2, byteCount), destination);
        return true;
    }

    /// <summary>FC05/06 (echo of address and value) and FC15/16 (address and quantity): both words must match the request.</summary>
    public static bool TryReadWriteEcho(in MbapFrame frame, byte unitId, ModbusFunction function, ushort address, ushort valueOrQuantity, out ModbusExceptionCode exception)
    {
        Span<byte> scratch = frame.Pdu.IsSingleSegment ? default : stackalloc byte[ModbusLimits.MaxPduLength];
        var pdu = Mbap.Contiguous(frame.Pdu, scratch);
        if (IsException(frame, pdu, unitId, function, out exception))
        {
            return false;
        }

        if (pdu.Length != 5)
        {
            throw Malformed(function, $"PDU length {pdu.Length}, expected 5");
        }

        var echoedAddress = BinaryPrimitives.ReadUInt16BigEndian(pdu[1..]);
        var echoedValue = BinaryPrimitives.ReadUInt16BigEndian(pdu[3..]);
        if (echoedAddress != address || echoedValue != valueOrQuantity)
        {
            throw Malformed(function, $"echo {echoedAddress}/{echoedValue}, the request was {address}/{valueOrQuantity}");
        }

        return true;
    }

    private static bool IsException(in MbapFrame frame, ReadOnlySpan<byte> pdu, byte unitId, ModbusFunction function, out ModbusExceptionCode exception)
    {
        exception = default;
        if (frame.UnitId != unitId)
        {
            throw new ModbusProtocolException(ModbusProtocolError.UnitIdMismatch,
                $"Response to {function} (transaction {frame.TransactionId}) came from unit {frame.UnitId}, the request went to unit {unitId}.");
        }

        var fc = pdu[0];
        if (fc == (byte)function)
        {
            return false;
        }

        if (fc != ((byte)function | ModbusLimits.ExceptionFlag))
        {
            throw new ModbusProtocolException(ModbusProtocolError.FunctionMismatch,
                $"Response to {function} (0x{(byte)function:X2}, transaction {frame.TransactionId}) carries function 0x{fc:X2}.");
        }

        if (pdu.Length != 2)
        {
            throw Malformed(function, $"exception response PDU length {pdu.Length}, expected 2");
        }

        if (!ModbusExceptionCodes.IsDefined(pdu[1]))
        {
            throw new ModbusProtocolException(ModbusProtocolError.UndefinedExceptionCode,
                $"Exception response to {function} carries undefined exception code 0x{pdu[1]:X2} (defined: 01–08, 0A, 0B).");
        }

        exception = (ModbusExceptionCode)pdu[1];
        return true;
    }

    private static ModbusProtocolException Malformed(ModbusFunction function, string detail) =>
        new(ModbusProtocolError.MalformedResponse, $"Malformed response to {function}: {detail}.");
}
