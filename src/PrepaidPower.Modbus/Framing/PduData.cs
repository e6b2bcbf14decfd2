// Register and bit payloads inside a PDU: big-endian 16-bit registers, bits packed LSB first.
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace PrepaidPower.Modbus;

internal static class PduData
{
    /// <summary>Copies big-endian registers into host order; vectorised byte swap on little-endian hosts.</summary>
    public static void ReadRegisters(ReadOnlySpan<byte> bigEndian, Span<ushort> destination)
    {
        var source = MemoryMarshal.Cast<byte, ushort>(bigEndian);
        if (BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.ReverseEndianness(source, destination);
        }
        else
        {
            source.CopyTo(destination);
        }
    }

    public static void WriteRegisters(ReadOnlySpan<ushort> values, Span<byte> bigEndian)
    {
        var destination = MemoryMarshal.Cast<byte, ushort>(bigEndian);
        if (BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.ReverseEndianness(values, destination);
        }
        else
        {
            values.CopyTo(destination);
        }
    }

    /// <summary>Bytes needed for <paramref name="count"/> bits (§6.1: "rounded up to the next byte").</summary>
    public static int BitBytes(int count) => (count + 7) >> 3;

    /// <summary>Bit 0 of the first byte is the first addressed coil (§6.1); padding bits of the last byte are ignored.</summary>
    public static void UnpackBits(ReadOnlySpan<byte> packed, Span<bool> destination)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = (packed[i >> 3] & (1 << (i & 7))) != 0;
        }
    }

    /// <summary>Packs LSB first and zero-fills the unused high bits of the last byte, as §6.1 requires.</summary>
    public static void PackBits(ReadOnlySpan<bool> values, Span<byte> packed)
    {
        packed[..BitBytes(values.Length)].Clear();
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i])
            {
                packed[i >> 3] |= (byte)(1 << (i & 7));
            }
        }
    }
}
