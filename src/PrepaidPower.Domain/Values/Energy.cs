using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace PrepaidPower.Domain;

/// <summary>
/// An amount of active energy in whole watt-hours (Wh). Registers, deltas and tier counters use it; rating
/// converts to exact decimal kWh. Range: <see cref="long"/> Wh (about 9.2e15 kWh); arithmetic is overflow-checked.
/// <c>default</c> is zero energy.
/// </summary>
public readonly struct Energy : IEquatable<Energy>, IComparable<Energy>
{
    private Energy(long wh) => WattHours = wh;

    /// <summary>The energy in Wh.</summary>
    public long WattHours { get; }

    /// <summary>The energy in kWh, exactly.</summary>
    public decimal KilowattHours => WattHours / 1000m;

    public static Energy Zero => default;

    public static Energy FromWattHours(long wh) => new(wh);

    /// <summary>kWh with at most three decimals (whole Wh).</summary>
    /// <exception cref="ArgumentException">More than three decimals.</exception>
    public static Energy FromKilowattHours(decimal kwh)
    {
        var wh = kwh * 1000m;
        if (wh != decimal.Truncate(wh))
        {
            throw new ArgumentException($"{kwh.ToString(CultureInfo.InvariantCulture)} kWh is finer than 1 Wh (at most three decimals).", nameof(kwh));
        }
        return new Energy(decimal.ToInt64(wh));
    }

    public static Energy operator +(Energy a, Energy b) => new(checked(a.WattHours + b.WattHours));

    public static Energy operator -(Energy a, Energy b) => new(checked(a.WattHours - b.WattHours));

    public static bool operator <(Energy a, Energy b) => a.WattHours < b.WattHours;

    public static bool operator >(Energy a, Energy b) => a.WattHours > b.WattHours;

    public static bool operator <=(Energy a, Energy b) => a.WattHours <= b.WattHours;

    public static bool operator >=(Energy a, Energy b) => a.WattHours >= b.WattHours;

    public static bool operator ==(Energy a, Energy b) => a.WattHours == b.WattHours;

    public static bool operator !=(Energy a, Energy b) => a.WattHours != b.WattHours;

    public static Energy Min(Energy a, Energy b) => a <= b ? a : b;

    public static Energy Max(Energy a, Energy b) => a >= b ? a : b;

    public int CompareTo(Energy other) => WattHours.CompareTo(other.WattHours);

    public bool Equals(Energy other) => WattHours == other.WattHours;

    public override bool Equals([NotNullWhen(true)] object? obj) => obj is Energy other && Equals(other);

    public override int GetHashCode() => WattHours.GetHashCode();

    public override string ToString() => KilowattHours.ToString("0.000", CultureInfo.InvariantCulture) + " kWh";
}
