// Encodes a meter's state into the registers of one layout's register map, and finds the writable value at an address.
using PrepaidPower.Modbus;
using PrepaidPower.Modbus.Profiles;

namespace PrepaidPower.Simulator;

internal enum FieldId : byte
{
    TotalEnergy,
    BandEnergy,
    ActivePower,
    RelayStatus,
    RelayControl,
    PowerLimit,
    EventFlags,
    EventClear,
    Clock,
}

internal readonly record struct Field(FieldId Id, RegisterPoint Point, int Band, UInt128 RolloverAt, long WhPerCount)
{
    public int Start => Point.Address;

    public int End => Point.End;

    public bool Writable => Id is FieldId.RelayControl or FieldId.PowerLimit or FieldId.EventClear;
}

/// <summary>One layout's register map compiled for serving: fields per register table and the units the simulator needs.</summary>
internal sealed class LayoutCodec
{
    public LayoutCodec(DeviceProfile profile, ConcentratorLayout layout)
    {
        Layout = layout;
        Map = profile.RegistersFor(layout);
        Table = layout == ConcentratorLayout.Table ? profile.Table : null;
        var fields = new List<Field>();
        TotalWhPerCount = WhPerCount(profile, Map.TotalEnergy, "totalEnergy");
        fields.Add(new Field(FieldId.TotalEnergy, Map.TotalEnergy.Point, 0, Map.TotalEnergy.RolloverAt, TotalWhPerCount));
        foreach (var band in Map.BandEnergy)
        {
            var whPerCount = WhPerCount(profile, band.Register, $"bandEnergy[{band.Band}]");
            fields.Add(new Field(FieldId.BandEnergy, band.Register.Point, (int)band.Band, band.Register.RolloverAt, whPerCount));
        }

        Add(fields, FieldId.ActivePower, Map.ActivePower?.Point);
        Add(fields, FieldId.RelayStatus, Map.RelayStatus?.Point);
        Add(fields, FieldId.RelayControl, Map.RelayControl?.Point);
        Add(fields, FieldId.PowerLimit, Map.PowerLimit?.Point);
        Add(fields, FieldId.EventFlags, Map.EventFlags?.Point);
        Add(fields, FieldId.EventClear, Map.EventClear);
        Add(fields, FieldId.Clock, Map.Clock);
        Holding = [.. fields.Where(f => f.Point.Kind == RegisterKind.Holding).OrderBy(f => f.Start)];
        Input = [.. fields.Where(f => f.Point.Kind == RegisterKind.Input).OrderBy(f => f.Start)];
        HoldingExtent = Map.Extent(RegisterKind.Holding);
        InputExtent = Map.Extent(RegisterKind.Input);
        TotalRolloverAt = Map.TotalEnergy.RolloverAt;
    }

    public ConcentratorLayout Layout { get; }

    public RegisterMap Map { get; }

    public TableLayout? Table { get; }

    public long TotalWhPerCount { get; }

    public UInt128 TotalRolloverAt { get; }

    public Field[] Holding { get; }

    public Field[] Input { get; }

    public int HoldingExtent { get; }

    public int InputExtent { get; }

    public Field[] FieldsOf(RegisterKind kind) => kind == RegisterKind.Holding ? Holding : Input;

    /// <summary>Gateway: registers a meter serves in <paramref name="kind"/>'s table; table: the stride.</summary>
    public int BlockSize(RegisterKind kind) => Table?.Stride ?? (kind == RegisterKind.Holding ? HoldingExtent : InputExtent);

    public static ulong EnergyRaw(ulong startRaw, long counterWh, long whPerCount, UInt128 rolloverAt) =>
        (ulong)(((UInt128)startRaw + (ulong)(counterWh / whPerCount)) % rolloverAt);

    public static int Rollovers(ulong startRaw, long counterWh, long whPerCount, UInt128 rolloverAt) =>
        (int)(((UInt128)startRaw + (ulong)(counterWh / whPerCount)) / rolloverAt);

    /// <summary>Raw (canonical ABCD bits) of a field for a meter state at simulated second <paramref name="unixSecond"/>.</summary>
    public ulong RawOf(in Field field, in MeterState m, long unixSecond, int activePowerW)
    {
        switch (field.Id)
        {
            case FieldId.TotalEnergy:
                return EnergyRaw(m.StartRaw, m.TotalWh - m.InstallWh, field.WhPerCount, field.RolloverAt);
            case FieldId.BandEnergy:
                return EnergyRaw(m.StartRaw, m.BandWh[field.Band], field.WhPerCount, field.RolloverAt);
            case FieldId.ActivePower:
                return Scaled(field.Point.Format, activePowerW / Map.ActivePower!.WattsPerCount);
            case FieldId.RelayStatus:
                return m.IsClosed ? Map.RelayStatus!.ClosedRaw : Map.RelayStatus!.OpenRaw;
            case FieldId.RelayControl:
                return (m.Relay & MeterState.CommandClosed) != 0 ? Map.RelayControl!.ClosedRaw : Map.RelayControl!.OpenRaw;
            case FieldId.PowerLimit:
                return m.LimitW == 0 ? Map.PowerLimit!.UnlimitedRaw : Scaled(field.Point.Format, m.LimitW / Map.PowerLimit!.WattsPerCount);
            case FieldId.EventFlags:
            {
                ulong raw = 0;
                foreach (var (ev, bit) in Map.EventFlags!.Bits)
                {
                    if ((m.Events & (1 << (int)ev)) != 0)
                    {
                        raw |= 1UL << bit;
                    }
                }

                return raw;
            }

            case FieldId.Clock:
                return (ulong)unixSecond;
            default:
                return 0;
        }
    }

    /// <summary>Profile event bits written to the clear register, as MeterEvent bits.</summary>
    public ushort EventsOfRaw(ulong raw)
    {
        ushort events = 0;
        foreach (var (ev, bit) in Map.EventFlags!.Bits)
        {
            if ((raw & (1UL << bit)) != 0)
            {
                events |= (ushort)(1 << (int)ev);
            }
        }

        return events;
    }

    private static ulong Scaled(RegisterFormat format, decimal value)
    {
        if (format.Type == RegisterDataType.Float32)
        {
            return BitConverter.SingleToUInt32Bits((float)value);
        }

        var whole = decimal.Floor(value);
        var max = format.Type switch
        {
            RegisterDataType.UInt16 => ushort.MaxValue,
            RegisterDataType.Int16 => short.MaxValue,
            RegisterDataType.UInt32 => uint.MaxValue,
            RegisterDataType.Int32 => int.MaxValue,
            _ => (decimal)long.MaxValue,
        };
        return (ulong)Math.Clamp(whole, 0, max);
    }

    private static long WhPerCount(DeviceProfile profile, EnergyRegister register, string name) =>
        register.WholeWattHoursPerCount ?? throw new ArgumentException(
            $"Device profile '{profile.Id}': {name} ({register.Point.Format}, {register.Unit}) is not an integer counter of whole Wh; the simulator keeps exact Wh and serves integer energy registers only (e.g. UInt32 ×0.01 kWh).");

    private static void Add(List<Field> fields, FieldId id, RegisterPoint? point)
    {
        if (point is not null)
        {
            fields.Add(new Field(id, point, 0, 0, 0));
        }
    }
}
