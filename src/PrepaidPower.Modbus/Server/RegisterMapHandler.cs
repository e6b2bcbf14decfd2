// An in-memory device: holding and input registers, coils and discrete inputs in arrays, for tests and simple simulations.
namespace PrepaidPower.Modbus;

/// <summary>
/// Four in-memory tables (0-based addresses). A request that runs past a table's end is answered with 02
/// (illegal data address), as a real device does. Thread-safe: each request sees and leaves a consistent table, so a
/// poll never reads a torn 32-bit value written by <see cref="SetValue"/>.
/// </summary>
public sealed class RegisterMapHandler : IModbusRequestHandler
{
    private readonly Lock _lock = new();
    private readonly ushort[] _holding;
    private readonly ushort[] _input;
    private readonly bool[] _coils;
    private readonly bool[] _discreteInputs;

    /// <summary>Creates zeroed tables; each size is the number of addresses (0…n−1), at most 65536.</summary>
    public RegisterMapHandler(int holdingRegisters = 1000, int inputRegisters = 1000, int coils = 1000, int discreteInputs = 1000)
    {
        _holding = new ushort[CheckSize(holdingRegisters, nameof(holdingRegisters))];
        _input = new ushort[CheckSize(inputRegisters, nameof(inputRegisters))];
        _coils = new bool[CheckSize(coils, nameof(coils))];
        _discreteInputs = new bool[CheckSize(discreteInputs, nameof(discreteInputs))];
    }

    /// <summary>Writes registers of the holding (FC03) or input (FC04) table directly, bypassing the protocol.</summary>
    public void SetRegisters(ModbusFunction table, ushort address, ReadOnlySpan<ushort> values)
    {
        lock (_lock)
        {
            values.CopyTo(RegisterTable(table).AsSpan(address));
        }
    }

    /// <summary>Reads registers of the holding (FC03) or input (FC04) table directly.</summary>
    public void GetRegisters(ModbusFunction table, ushort address, Span<ushort> destination)
    {
        lock (_lock)
        {
            RegisterTable(table).AsSpan(address, destination.Length).CopyTo(destination);
        }
    }

    /// <summary>Encodes <paramref name="value"/> with <paramref name="format"/> at <paramref name="address"/> in one step.</summary>
    public void SetValue(ModbusFunction table, ushort address, RegisterFormat format, decimal value)
    {
        ArgumentNullException.ThrowIfNull(format);
        Span<ushort> registers = stackalloc ushort[format.RegisterCount];
        format.Encode(value, registers);
        SetRegisters(table, address, registers);
    }

    /// <summary>Sets coils (FC01) or discrete inputs (FC02) directly.</summary>
    public void SetBits(ModbusFunction table, ushort address, ReadOnlySpan<bool> values)
    {
        lock (_lock)
        {
            values.CopyTo(BitTable(table).AsSpan(address));
        }
    }

    /// <summary>Reads coils (FC01) or discrete inputs (FC02) directly.</summary>
    public void GetBits(ModbusFunction table, ushort address, Span<bool> destination)
    {
        lock (_lock)
        {
            BitTable(table).AsSpan(address, destination.Length).CopyTo(destination);
        }
    }

    public ModbusExceptionCode? ReadRegisters(ModbusFunction function, ushort address, Span<ushort> destination)
    {
        var table = RegisterTable(function);
        if (address + destination.Length > table.Length)
        {
            return ModbusExceptionCode.IllegalDataAddress;
        }

        lock (_lock)
        {
            table.AsSpan(address, destination.Length).CopyTo(destination);
        }

        return null;
    }

    public ModbusExceptionCode? ReadBits(ModbusFunction function, ushort address, Span<bool> destination)
    {
        var table = BitTable(function);
        if (address + destination.Length > table.Length)
        {
            return ModbusExceptionCode.IllegalDataAddress;
        }

        lock (_lock)
        {
            table.AsSpan(address, destination.Length).CopyTo(destination);
        }

        return null;
    }

    public ModbusExceptionCode? WriteRegisters(ModbusFunction function, ushort address, ReadOnlySpan<ushort> values)
    {
        if (address + values.Length > _holding.Length)
        {
            return ModbusExceptionCode.IllegalDataAddress;
        }

        lock (_lock)
        {
            values.CopyTo(_holding.AsSpan(address));
        }

        return null;
    }

    public ModbusExceptionCode? WriteCoils(ModbusFunction function, ushort address, ReadOnlySpan<bool> values)
    {
        if (address + values.Length > _coils.Length)
        {
            return ModbusExceptionCode.IllegalDataAddress;
        }

        lock (_lock)
        {
            values.CopyTo(_coils.AsSpan(address));
        }

        return null;
    }

    private ushort[] RegisterTable(ModbusFunction function) => function switch
    {
        ModbusFunction.ReadHoldingRegisters or ModbusFunction.WriteSingleRegister or ModbusFunction.WriteMultipleRegisters => _holding,
        ModbusFunction.ReadInputRegisters => _input,
        _ => throw new ArgumentOutOfRangeException(nameof(function), function, "Register tables are holding (FC03) and input (FC04)."),
    };

    private bool[] BitTable(ModbusFunction function) => function switch
    {
        ModbusFunction.ReadCoils or ModbusFunction.WriteSingleCoil or ModbusFunction.WriteMultipleCoils => _coils,
        ModbusFunction.ReadDiscreteInputs => _discreteInputs,
        _ => throw new ArgumentOutOfRangeException(nameof(function), function, "Bit tables are coils (FC01) and discrete inputs (FC02)."),
    };

    private static int CheckSize(int size, string name) =>
        size is >= 0 and <= 0x10000 ? size : throw new ArgumentOutOfRangeException(name, size, "A Modbus table has 0–65536 entries.");
}
