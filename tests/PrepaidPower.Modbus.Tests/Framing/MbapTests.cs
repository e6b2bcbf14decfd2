using System.Buffers;
using System.IO.Pipelines;
using CsCheck;

namespace PrepaidPower.Modbus.Tests.Framing;

[Trait("Category", "Unit")]
public sealed class MbapTests
{
    // Application Protocol v1.1b3 §6.3 example (read holding registers 108–110) wrapped in MBAP, transaction 0x0001, unit 0x11.
    private const string SpecRequest = "0001 0000 0006 11 03 006B 0003";
    private const string SpecResponse = "0001 0000 0009 11 03 06 022B 0000 0064";

    [Fact]
    public void TryReadFrame_SpecResponse_SlicesHeaderFieldsAndPdu()
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes(SpecResponse));

        Assert.True(Mbap.TryReadFrame(ref buffer, out var frame));

        Assert.Equal(1, frame.TransactionId);
        Assert.Equal(0x11, frame.UnitId);
        Assert.Equal(0x03, frame.FunctionByte);
        Assert.Equal("0306022B00000064", Hex.Of(frame.Pdu));
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void TryReadFrame_TwoFramesInOneBuffer_ReadsThemInOrderAndLeavesTheRest()
    {
        var bytes = Hex.Bytes(SpecRequest + "0002 0000 0006 11 04 0008 0001" + "0003 00");
        var buffer = new ReadOnlySequence<byte>(bytes);

        Assert.True(Mbap.TryReadFrame(ref buffer, out var first));
        Assert.True(Mbap.TryReadFrame(ref buffer, out var second));
        Assert.False(Mbap.TryReadFrame(ref buffer, out _));

        Assert.Equal(1, first.TransactionId);
        Assert.Equal(2, second.TransactionId);
        Assert.Equal("0400080001", Hex.Of(second.Pdu));
        Assert.Equal("000300", Hex.Of(buffer));
    }

    [Theory]
    [InlineData("")]
    [InlineData("00")]
    [InlineData("0001 0000 0006 11")]
    [InlineData("0001 0000 0006 11 03 006B 00")]
    public void TryReadFrame_Truncated_ReturnsFalseAndLeavesBufferUnchanged(string hex)
    {
        var bytes = Hex.Bytes(hex);
        var buffer = new ReadOnlySequence<byte>(bytes);

        Assert.False(Mbap.TryReadFrame(ref buffer, out _));
        Assert.Equal(bytes.Length, buffer.Length);
    }

    [Theory]
    [InlineData("0001 0001 0006 11", ModbusProtocolError.BadProtocolId)]
    [InlineData("0001 FFFF 0006 11", ModbusProtocolError.BadProtocolId)]
    [InlineData("0001 0000 0000 11", ModbusProtocolError.BadLength)]
    [InlineData("0001 0000 0001 11", ModbusProtocolError.BadLength)]
    [InlineData("0001 0000 00FF 11", ModbusProtocolError.BadLength)]
    [InlineData("0001 0000 FFFF 11", ModbusProtocolError.BadLength)]
    public void TryReadFrame_BadHeader_ThrowsAsSoonAsTheHeaderIsComplete(string hex, ModbusProtocolError expected)
    {
        // Only the 7 header bytes are present: an oversized length must not make the reader wait for the body.
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes(hex));

        var e = Assert.Throws<ModbusProtocolException>(() => Mbap.TryReadFrame(ref buffer, out _));

        Assert.Equal(expected, e.Error);
    }

    [Fact]
    public void TryReadFrame_LengthExactly254_IsTheLargestAccepted()
    {
        var bytes = new byte[ModbusLimits.MaxAduLength];
        Hex.Bytes("0007 0000 00FE 01 03").CopyTo(bytes, 0);
        var buffer = new ReadOnlySequence<byte>(bytes);

        Assert.True(Mbap.TryReadFrame(ref buffer, out var frame));

        Assert.Equal(253, frame.Pdu.Length);
        Assert.Equal(260, ModbusLimits.MaxAduLength);
    }

    [Fact]
    public void TryReadFrame_HeaderSplitAcrossSegments_ReadsTheSameFrame()
    {
        var bytes = Hex.Bytes(SpecResponse);
        var buffer = Hex.Segments(bytes[..3], bytes[3..8], bytes[8..]);

        Assert.True(Mbap.TryReadFrame(ref buffer, out var frame));

        Assert.Equal(1, frame.TransactionId);
        Assert.Equal("0306022B00000064", Hex.Of(frame.Pdu));
    }

    [Fact]
    public void TryReadFrame_FedByteByByteThroughAPipe_YieldsTheFrameOnlyAtTheLastByte()
    {
        var bytes = Hex.Bytes(SpecResponse);
        var frames = Feed(bytes, Enumerable.Repeat(1, bytes.Length).ToArray(), out var completedAt);

        Assert.Equal(["0001/11/0306022B00000064"], frames);
        Assert.Equal(bytes.Length, completedAt);
    }

    [Fact]
    public void TryReadFrame_AnyChunking_ParsesIdentically()
    {
        var stream = Hex.Bytes(SpecRequest + SpecResponse + "BEEF 0000 0003 FF 83 02" + "0000 0000 0002 01 2B");
        var expected = Feed(stream, [stream.Length], out _);
        Assert.Equal(4, expected.Count);

        Gen.Int[1, 9].Array[1, 40].Sample(chunks => Assert.Equal(expected, Feed(stream, chunks, out _)));
    }

    [Fact]
    public void TryReadFrame_RandomFramesAnyChunking_RoundTripsEveryRegisterResponse()
    {
        var gen = Gen.Select(Gen.UShort, Gen.Byte, Gen.UShort.Array[1, ModbusLimits.MaxReadRegisters], Gen.Int[1, 64].Array[1, 30]);
        gen.Sample((tid, unit, values, chunks) =>
        {
            var writer = new ArrayBufferWriter<byte>();
            ModbusResponseWriter.WriteReadRegisters(writer, tid, unit, ModbusFunction.ReadInputRegisters, values);
            var bytes = writer.WrittenSpan.ToArray();
            var pipe = new Pipe();
            ushort[]? decoded = null;
            var offset = 0;
            var i = 0;
            while (offset < bytes.Length)
            {
                var n = Math.Min(chunks[i++ % chunks.Length], bytes.Length - offset);
                pipe.Writer.Write(bytes.AsSpan(offset, n));
                _ = pipe.Writer.FlushAsync().AsTask().Result;
                offset += n;
                Assert.True(pipe.Reader.TryRead(out var read));
                var buffer = read.Buffer;
                if (Mbap.TryReadFrame(ref buffer, out var frame))
                {
                    Assert.Equal(bytes.Length, offset);
                    decoded = new ushort[values.Length];
                    Assert.True(ModbusResponseReader.TryReadRegisters(frame, unit, ModbusFunction.ReadInputRegisters, decoded, out _));
                    Assert.Equal(tid, frame.TransactionId);
                }

                pipe.Reader.AdvanceTo(buffer.Start, buffer.End);
            }

            Assert.Equal(values, decoded);
        });
    }

    /// <summary>Writes <paramref name="stream"/> into a pipe in the given chunk sizes (cycled), reading frames as a connection loop does.</summary>
    private static List<string> Feed(byte[] stream, int[] chunks, out int completedAtByte)
    {
        var pipe = new Pipe();
        var frames = new List<string>();
        completedAtByte = -1;
        var offset = 0;
        var i = 0;
        while (offset < stream.Length)
        {
            var n = Math.Min(chunks[i++ % chunks.Length], stream.Length - offset);
            pipe.Writer.Write(stream.AsSpan(offset, n));
            _ = pipe.Writer.FlushAsync().AsTask().Result;
            offset += n;
            Assert.True(pipe.Reader.TryRead(out var read));
            var buffer = read.Buffer;
            while (Mbap.TryReadFrame(ref buffer, out var frame))
            {
                frames.Add($"{frame.TransactionId:X4}/{frame.UnitId:X2}/" + Hex.Of(frame.Pdu));
                completedAtByte = offset;
            }

            pipe.Reader.AdvanceTo(buffer.Start, buffer.End);
        }

        return frames;
    }
}
