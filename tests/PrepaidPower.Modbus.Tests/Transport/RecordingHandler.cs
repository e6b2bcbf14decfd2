// A RegisterMapHandler wrapper that records which function codes reached the device, and can fail on demand.
using System.Collections.Concurrent;

namespace PrepaidPower.Modbus.Tests.Transport;

internal sealed class RecordingHandler(RegisterMapHandler inner) : IModbusRequestHandler
{
    public ConcurrentQueue<ModbusFunction> Functions { get; } = new();

    public bool Throw { get; set; }

    public RegisterMapHandler Map => inner;

    public ModbusExceptionCode? ReadRegisters(ModbusFunction function, ushort address, Span<ushort> destination) =>
        Record(function) ?? inner.ReadRegisters(function, address, destination);

    public ModbusExceptionCode? ReadBits(ModbusFunction function, ushort address, Span<bool> destination) =>
        Record(function) ?? inner.ReadBits(function, address, destination);

    public ModbusExceptionCode? WriteRegisters(ModbusFunction function, ushort address, ReadOnlySpan<ushort> values) =>
        Record(function) ?? inner.WriteRegisters(function, address, values);

    public ModbusExceptionCode? WriteCoils(ModbusFunction function, ushort address, ReadOnlySpan<bool> values) =>
        Record(function) ?? inner.WriteCoils(function, address, values);

    private ModbusExceptionCode? Record(ModbusFunction function)
    {
        Functions.Enqueue(function);
        return Throw ? throw new InvalidOperationException("simulated device bug") : null;
    }
}
