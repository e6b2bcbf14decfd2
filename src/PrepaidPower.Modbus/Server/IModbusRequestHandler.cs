// What a Modbus server asks of the device model behind one unit id.
namespace PrepaidPower.Modbus;

/// <summary>
/// The registers and coils behind one unit id. The server validates framing, function codes, quantities and byte
/// counts before calling; a handler only decides whether the address range exists (02) and what the values are.
/// Return null on success or the exception code to answer. A thrown exception is answered with 04 (device failure).
/// Called concurrently from many connections: implementations must be thread-safe, and must not block.
/// </summary>
public interface IModbusRequestHandler
{
    /// <summary>FC03 (holding) or FC04 (input): fill <paramref name="destination"/> (1–125 registers) from <paramref name="address"/>.</summary>
    ModbusExceptionCode? ReadRegisters(ModbusFunction function, ushort address, Span<ushort> destination);

    /// <summary>FC01 (coils) or FC02 (discrete inputs): fill <paramref name="destination"/> (1–2000 bits).</summary>
    ModbusExceptionCode? ReadBits(ModbusFunction function, ushort address, Span<bool> destination);

    /// <summary>FC06 (one value) or FC16 (1–123 values): store holding registers, all or none.</summary>
    ModbusExceptionCode? WriteRegisters(ModbusFunction function, ushort address, ReadOnlySpan<ushort> values);

    /// <summary>FC05 (one value) or FC15 (1–1968 values): store coils, all or none.</summary>
    ModbusExceptionCode? WriteCoils(ModbusFunction function, ushort address, ReadOnlySpan<bool> values);
}
