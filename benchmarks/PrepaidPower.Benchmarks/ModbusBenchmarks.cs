using System.Buffers;
using BenchmarkDotNet.Attributes;
using PrepaidPower.Modbus;

namespace PrepaidPower.Benchmarks;

/// <summary>
/// The Modbus TCP codec on the poll path: encoding a read request, framing and decoding responses, decoding 32-bit
/// values with a word order and scale (target: zero bytes allocated per frame).
/// </summary>
[MemoryDiagnoser]
public class ModbusBenchmarks
{
    private static readonly RegisterFormat EnergyCdab = new(RegisterDataType.UInt32, WordOrder.CDAB, 0.01m);
    private readonly ArrayBufferWriter<byte> _output = new(ModbusLimits.MaxAduLength);
    private readonly ushort[] _registers = new ushort[ModbusLimits.MaxReadRegisters];
    private ReadOnlySequence<byte> _response125;
    private ReadOnlySequence<byte> _response2;
    private ReadOnlySequence<byte> _response125Split;

    [GlobalSetup]
    public void Setup()
    {
        var values = Enumerable.Range(0, 125).Select(i => (ushort)(i * 517)).ToArray();
        var writer = new ArrayBufferWriter<byte>();
        ModbusResponseWriter.WriteReadRegisters(writer, 7, 1, ModbusFunction.ReadHoldingRegisters, values);
        _response125 = new ReadOnlySequence<byte>(writer.WrittenMemory.ToArray());
        writer.ResetWrittenCount();
        ModbusResponseWriter.WriteReadRegisters(writer, 7, 1, ModbusFunction.ReadHoldingRegisters, [0xE240, 0x0001]);
        _response2 = new ReadOnlySequence<byte>(writer.WrittenMemory.ToArray());
        _response125Split = Split(_response125.ToArray(), 100);
    }

    [Benchmark]
    public int EncodeReadHoldingRegistersRequest()
    {
        _output.ResetWrittenCount();
        ModbusRequestWriter.WriteRead(_output, 7, 1, ModbusFunction.ReadHoldingRegisters, 0, 125);
        return _output.WrittenCount;
    }

    [Benchmark]
    public ushort Decode125RegisterResponse() => Decode(_response125, 125);

    [Benchmark]
    public ushort Decode125RegisterResponseSplitInTwoSegments() => Decode(_response125Split, 125);

    [Benchmark]
    public ushort Decode2RegisterResponse() => Decode(_response2, 2);

    [Benchmark]
    public decimal Decode2RegisterResponseAsUInt32Cdab()
    {
        Decode(_response2, 2);
        return EnergyCdab.Decode(_registers.AsSpan(0, 2));
    }

    /// <summary>62 UInt32 energy values (a full 124-register read of a table concentrator), CDAB, ×0.01 kWh.</summary>
    [Benchmark]
    public decimal Decode62UInt32ValuesCdab()
    {
        decimal sum = 0;
        for (var i = 0; i < 124; i += 2)
        {
            sum += EnergyCdab.Decode(_registers.AsSpan(i, 2));
        }

        return sum;
    }

    private ushort Decode(ReadOnlySequence<byte> buffer, int quantity)
    {
        if (!Mbap.TryReadFrame(ref buffer, out var frame) ||
            !ModbusResponseReader.TryReadRegisters(frame, 1, ModbusFunction.ReadHoldingRegisters, _registers.AsSpan(0, quantity), out _))
        {
            throw new InvalidOperationException("benchmark frame did not decode");
        }

        return _registers[quantity - 1];
    }

    private static ReadOnlySequence<byte> Split(byte[] bytes, int at)
    {
        var first = new Segment(bytes.AsMemory(0, at), 0);
        var second = first.Append(bytes.AsMemory(at));
        return new ReadOnlySequence<byte>(first, 0, second, second.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
