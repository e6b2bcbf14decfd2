// MBAP framing of Modbus TCP: splits a byte stream into ADUs and writes ADU headers.
using System.Buffers;
using System.Buffers.Binary;

namespace PrepaidPower.Modbus;

/// <summary>One Modbus TCP ADU read off the wire: the MBAP fields that matter and the PDU, sliced (not copied) from the input.</summary>
/// <remarks>The <see cref="Pdu"/> is only valid until the reader that produced it advances its buffer.</remarks>
public readonly struct MbapFrame
{
    public MbapFrame(ushort transactionId, byte unitId, ReadOnlySequence<byte> pdu)
    {
        TransactionId = transactionId;
        UnitId = unitId;
        Pdu = pdu;
    }

    /// <summary>Chosen by the client, echoed by the server.</summary>
    public ushort TransactionId { get; }

    /// <summary>Slave address behind a gateway (1–247), 0xFF or 0 for a directly connected device.</summary>
    public byte UnitId { get; }

    /// <summary>Function code + data, 1–253 bytes.</summary>
    public ReadOnlySequence<byte> Pdu { get; }

    /// <summary>The first PDU byte: a function code, with 0x80 set on exception responses.</summary>
    public byte FunctionByte => Pdu.FirstSpan[0];
}

/// <summary>
/// Reads and writes the MBAP header (Modbus Messaging on TCP/IP Implementation Guide v1.0b §3.1.3,
/// https://modbus.org/docs/Modbus_Messaging_Implementation_Guide_V1_0b.pdf).
/// <code>
///  byte:  0      1      2      3      4      5      6      7 ...        up to 259
///       +------+------+------+------+------+------+------+-----------------------+
///       | transaction | protocol id |   length    | unit | PDU: function + data   |
///       |  id (BE)    |  = 0 (BE)   |  (BE) 2-254 |  id  | 1-253 bytes            |
///       +------+------+------+------+------+------+------+-----------------------+
///                                   |&lt;-- length counts unit id + PDU ------------&gt;|
/// </code>
/// </summary>
public static class Mbap
{
    /// <summary>MBAP header size including the unit id.</summary>
    public const int HeaderLength = 7;

    private const int TransactionIdOffset = 0;
    private const int ProtocolIdOffset = 2;
    private const int LengthOffset = 4;
    private const int UnitIdOffset = 6;

    /// <summary>The length field counts the unit id byte that is already part of the 7-byte header.</summary>
    private const int BytesBeforeLengthCount = UnitIdOffset;

    /// <summary>Smallest legal length field: unit id + function code.</summary>
    private const int MinLengthField = 2;

    /// <summary>
    /// Reads one ADU from the start of <paramref name="buffer"/>. Returns false while the ADU is incomplete (the buffer
    /// is left unchanged); on success slices the frame off the front of <paramref name="buffer"/>.
    /// The header is validated as soon as its 7 bytes are present, before waiting for the body, so a peer announcing
    /// a 60 000-byte frame is rejected at once instead of being buffered.
    /// </summary>
    /// <exception cref="ModbusProtocolException">The protocol id is not 0, or the length field is outside 2–254.</exception>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out MbapFrame frame)
    {
        frame = default;
        if (buffer.Length < HeaderLength)
        {
            return false;
        }

        // The header is copied only in the rare case that it straddles two segments.
        var contiguous = buffer.FirstSpan.Length >= HeaderLength;
        Span<byte> copy = contiguous ? default : stackalloc byte[HeaderLength];
        ReadOnlySpan<byte> header = copy;
        if (contiguous)
        {
            header = buffer.FirstSpan[..HeaderLength];
        }
        else
        {
            buffer.Slice(0, HeaderLength).CopyTo(copy);
        }

        var protocolId = BinaryPrimitives.ReadUInt16BigEndian(header[ProtocolIdOffset..]);
        var length = BinaryPrimitives.ReadUInt16BigEndian(header[LengthOffset..]);
        if (protocolId != 0)
        {
            throw new ModbusProtocolException(ModbusProtocolError.BadProtocolId,
                $"MBAP protocol id is {protocolId}, must be 0 (Modbus). The peer does not speak Modbus TCP; closing the connection.");
        }

        if (length is < MinLengthField or > ModbusLimits.MaxLengthField)
        {
            throw new ModbusProtocolException(ModbusProtocolError.BadLength,
                $"MBAP length field is {length}, must be {MinLengthField}–{ModbusLimits.MaxLengthField} (unit id + PDU of at most {ModbusLimits.MaxPduLength} bytes); closing the connection.");
        }

        var total = BytesBeforeLengthCount + length;
        if (buffer.Length < total)
        {
            return false;
        }

        frame = new MbapFrame(
            BinaryPrimitives.ReadUInt16BigEndian(header[TransactionIdOffset..]),
            header[UnitIdOffset],
            buffer.Slice(HeaderLength, total - HeaderLength));
        buffer = buffer.Slice(total);
        return true;
    }

    /// <summary>Writes the 7-byte header of an ADU whose PDU is <paramref name="pduLength"/> bytes into <paramref name="destination"/>.</summary>
    internal static void WriteHeader(Span<byte> destination, ushort transactionId, byte unitId, int pduLength)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination[TransactionIdOffset..], transactionId);
        BinaryPrimitives.WriteUInt16BigEndian(destination[ProtocolIdOffset..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(destination[LengthOffset..], (ushort)(pduLength + 1));
        destination[UnitIdOffset] = unitId;
    }

    /// <summary>
    /// Gets a span for a whole ADU with a <paramref name="pduLength"/>-byte PDU, writes the header, and returns the PDU
    /// part; the caller fills it and calls <see cref="IBufferWriter{T}.Advance"/> with <see cref="HeaderLength"/> + pduLength.
    /// </summary>
    internal static Span<byte> BeginAdu(IBufferWriter<byte> writer, ushort transactionId, byte unitId, int pduLength)
    {
        var span = writer.GetSpan(HeaderLength + pduLength);
        WriteHeader(span, transactionId, unitId, pduLength);
        return span.Slice(HeaderLength, pduLength);
    }

    /// <summary>Gives a contiguous view of a PDU, copying into <paramref name="scratch"/> only when the PDU spans segments.</summary>
    internal static ReadOnlySpan<byte> Contiguous(in ReadOnlySequence<byte> pdu, Span<byte> scratch)
    {
        if (pdu.IsSingleSegment)
        {
            return pdu.FirstSpan;
        }

        var length = (int)pdu.Length;
        pdu.CopyTo(scratch);
        return scratch[..length];
    }
}
