// A meter model's Modbus register map as data: what the concentrator grains read and write and what the simulator serves.
namespace PrepaidPower.Modbus.Profiles;

/// <summary>Which register table a value lives in: holding (read FC03, written FC06/FC16) or input (read FC04, read-only).</summary>
public enum RegisterKind
{
    Holding,
    Input,
}

/// <summary>Unit of an energy register after scaling: watt-hours or kilowatt-hours.</summary>
public enum EnergyUnit
{
    WattHours,
    KilowattHours,
}

/// <summary>Unit of a power register after scaling: watts or kilowatts.</summary>
public enum PowerUnit
{
    Watts,
    Kilowatts,
}

/// <summary>Time-of-use energy band of a four-rate meter (尖 sharp, 峰 peak, 平 flat, 谷 valley).</summary>
public enum TouBand
{
    Sharp,
    Peak,
    Flat,
    Valley,
}

/// <summary>A status or event flag a meter or breaker reports. The first four are safety events that open the relay.</summary>
public enum MeterEvent
{
    ArcFault,
    ResidualCurrent,
    OverTemperature,
    Overload,
    Tamper,
    CoverOpen,
}

/// <summary>How meters sit behind one concentrator's TCP endpoint.</summary>
public enum ConcentratorLayout
{
    /// <summary>One meter per unit id 1–247 (a TCP→RS-485 gateway); every meter has the same absolute addresses.</summary>
    Gateway,

    /// <summary>One unit id; meter <c>i</c> is a block of <see cref="TableLayout.Stride"/> registers at <c>first + i × stride</c>.</summary>
    Table,
}

/// <summary>
/// Where one value lives: start address (0-based PDU address; in a table layout, the offset inside a meter's block),
/// register table, and the data type, word order and scale of <see cref="RegisterFormat"/>.
/// </summary>
public sealed record RegisterPoint(ushort Address, RegisterKind Kind, RegisterFormat Format)
{
    /// <summary>FC03 for holding registers, FC04 for input registers.</summary>
    public ModbusFunction ReadFunction => Kind == RegisterKind.Holding ? ModbusFunction.ReadHoldingRegisters : ModbusFunction.ReadInputRegisters;

    /// <summary>One past the last register of the value.</summary>
    public int End => Address + Format.RegisterCount;

    public override string ToString() => $"{Kind} {Address} ({Format})";
}

/// <summary>
/// A cumulative energy counter. Decoded value = raw × scale in <see cref="Unit"/>. The counter wraps to 0 when the raw
/// value reaches <see cref="RolloverAt"/> (the type's maximum + 1 unless the device wraps at a display limit).
/// </summary>
public sealed record EnergyRegister(RegisterPoint Point, EnergyUnit Unit, UInt128 RolloverAt)
{
    /// <summary>Watt-hours one raw count stands for, e.g. 10 for UINT32 ×0.01 kWh.</summary>
    public decimal WattHoursPerCount => Point.Format.Scale * (Unit == EnergyUnit.KilowattHours ? 1000m : 1m);

    /// <summary><see cref="WattHoursPerCount"/> when it is a whole number of Wh and the type is an integer; otherwise null.</summary>
    public long? WholeWattHoursPerCount =>
        Point.Format.Type != RegisterDataType.Float32 && WattHoursPerCount == decimal.Truncate(WattHoursPerCount) && WattHoursPerCount >= 1
            ? (long)WattHoursPerCount
            : null;
}

/// <summary>The energy register of one time-of-use band.</summary>
public sealed record BandEnergyRegister(TouBand Band, EnergyRegister Register);

/// <summary>An instantaneous power value; decoded value = raw × scale in <see cref="Unit"/>.</summary>
public sealed record PowerRegister(RegisterPoint Point, PowerUnit Unit)
{
    /// <summary>Watts one raw count stands for.</summary>
    public decimal WattsPerCount => Point.Format.Scale * (Unit == PowerUnit.Kilowatts ? 1000m : 1m);
}

/// <summary>The power limit (holding register). <see cref="UnlimitedRaw"/> is the raw value that means "no limit".</summary>
public sealed record PowerLimitRegister(RegisterPoint Point, PowerUnit Unit, ulong UnlimitedRaw)
{
    /// <summary>Watts one raw count stands for.</summary>
    public decimal WattsPerCount => Point.Format.Scale * (Unit == PowerUnit.Kilowatts ? 1000m : 1m);
}

/// <summary>Relay status (read) or relay control (written): the raw values that mean closed (supply on) and open (supply off).</summary>
public sealed record RelayRegister(RegisterPoint Point, ulong ClosedRaw, ulong OpenRaw);

/// <summary>A bit field of <see cref="MeterEvent"/>s. <see cref="BitOf"/> is null for events the device does not report.</summary>
public sealed record FlagsRegister(RegisterPoint Point, IReadOnlyDictionary<MeterEvent, int> Bits)
{
    public int? BitOf(MeterEvent meterEvent) => Bits.TryGetValue(meterEvent, out var bit) ? bit : null;
}

/// <summary>
/// The registers of one meter. In a gateway layout addresses are absolute; in a table layout they are offsets inside
/// the meter's block. Everything but <see cref="TotalEnergy"/> is optional (null or empty when the device lacks it).
/// </summary>
public sealed record RegisterMap
{
    public required EnergyRegister TotalEnergy { get; init; }

    public IReadOnlyList<BandEnergyRegister> BandEnergy { get; init; } = [];

    public PowerRegister? ActivePower { get; init; }

    public RelayRegister? RelayStatus { get; init; }

    public RelayRegister? RelayControl { get; init; }

    public PowerLimitRegister? PowerLimit { get; init; }

    public FlagsRegister? EventFlags { get; init; }

    /// <summary>Holding register; writing a 1 bit clears that bit of <see cref="EventFlags"/> (the "inspected and cleared" step).</summary>
    public RegisterPoint? EventClear { get; init; }

    /// <summary>Meter clock: integer seconds since 1970-01-01 UTC.</summary>
    public RegisterPoint? Clock { get; init; }

    /// <summary>True when the device accepts relay or power-limit writes.</summary>
    public bool HasControl => RelayControl is not null || PowerLimit is not null;

    /// <summary>Every register value with its JSON name, for validation and generic serving.</summary>
    public IEnumerable<(string Name, RegisterPoint Point)> Points()
    {
        yield return ("totalEnergy", TotalEnergy.Point);
        foreach (var band in BandEnergy)
        {
            yield return ($"bandEnergy[{band.Band.ToString().ToLowerInvariant()}]", band.Register.Point);
        }

        if (ActivePower is not null)
        {
            yield return ("activePower", ActivePower.Point);
        }

        if (RelayStatus is not null)
        {
            yield return ("relayStatus", RelayStatus.Point);
        }

        if (RelayControl is not null)
        {
            yield return ("relayControl", RelayControl.Point);
        }

        if (PowerLimit is not null)
        {
            yield return ("powerLimit", PowerLimit.Point);
        }

        if (EventFlags is not null)
        {
            yield return ("eventFlags", EventFlags.Point);
        }

        if (EventClear is not null)
        {
            yield return ("eventClear", EventClear);
        }

        if (Clock is not null)
        {
            yield return ("clock", Clock);
        }
    }

    /// <summary>One past the highest register used in <paramref name="kind"/>'s table (0 when none is).</summary>
    public int Extent(RegisterKind kind) => Points().Where(p => p.Point.Kind == kind).Select(p => p.Point.End).DefaultIfEmpty(0).Max();
}

/// <summary>Gateway layout: one meter per unit id <see cref="FirstUnitId"/>–<see cref="LastUnitId"/>, registers at absolute addresses.</summary>
public sealed record GatewayLayout(RegisterMap Registers)
{
    public const byte FirstUnitId = 1;

    public const byte LastUnitId = 247;

    /// <summary>Most meters behind one gateway: the RS-485 slave addresses 1–247.</summary>
    public const int MaxMeters = LastUnitId - FirstUnitId + 1;
}

/// <summary>
/// Table layout: every meter of the concentrator behind unit id <see cref="UnitId"/>; meter <c>i</c> (0-based) occupies
/// registers <c>FirstBlockAddress + i × Stride</c> … <c>+ Stride − 1</c> in both the holding and the input table.
/// The 16-bit address space caps a concentrator at <see cref="MaxMeters"/> = ⌊(65536 − first) / stride⌋ meters
/// (3276 for the simulator's 20-register block).
/// </summary>
public sealed record TableLayout(byte UnitId, ushort FirstBlockAddress, int Stride, RegisterMap Registers)
{
    public int MaxMeters => (0x10000 - FirstBlockAddress) / Stride;

    /// <summary>First register of meter <paramref name="index"/>'s block.</summary>
    public ushort BlockAddress(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, MaxMeters);
        return (ushort)(FirstBlockAddress + (index * Stride));
    }

    /// <summary>Whole meter blocks one read of <paramref name="maxReadRegisters"/> registers can carry (at least 1 when a block fits).</summary>
    public int MetersPerRead(int maxReadRegisters) => maxReadRegisters / Stride;
}

/// <summary>
/// A meter model: identity, request limits and at least one concentrator layout. Loaded from JSON by
/// <see cref="DeviceProfileLoader"/> (format: docs/devices.md).
/// </summary>
public sealed record DeviceProfile
{
    /// <summary>Short identifier, lower-case letters, digits and dashes, e.g. "acrel-dtsd1352".</summary>
    public required string Id { get; init; }

    public required string Name { get; init; }

    /// <summary>Free text: source of the map, what is known to be missing, caveats.</summary>
    public string Description { get; init; } = "";

    public string? Manufacturer { get; init; }

    public string? Model { get; init; }

    /// <summary>Most registers one FC03/FC04 request may read from this device, 1–125.</summary>
    public required int MaxReadRegisters { get; init; }

    /// <summary>Function for writing a single-register value: FC06, or FC16 for devices that reject FC06. Multi-register values always use FC16.</summary>
    public ModbusFunction SingleRegisterWrite { get; init; } = ModbusFunction.WriteMultipleRegisters;

    public GatewayLayout? Gateway { get; init; }

    public TableLayout? Table { get; init; }

    /// <summary>The register map of <paramref name="layout"/>, or an exception naming the profile if it does not offer it.</summary>
    public RegisterMap RegistersFor(ConcentratorLayout layout) => layout switch
    {
        ConcentratorLayout.Gateway => Gateway?.Registers ?? throw new InvalidOperationException($"Device profile '{Id}' has no gateway layout."),
        _ => Table?.Registers ?? throw new InvalidOperationException($"Device profile '{Id}' has no table layout."),
    };
}
