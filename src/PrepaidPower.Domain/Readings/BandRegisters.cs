using System.Diagnostics.CodeAnalysis;

namespace PrepaidPower.Domain.Readings;

/// <summary>
/// Up to <see cref="MaxBands"/> time-of-use band registers (e.g. sharp, peak, flat, valley) as a fixed-size value:
/// no array, no allocation, small enough for grain state. Each value is energy in whole Wh. The same type carries
/// raw band registers of a reading, band positions of the validator and band ranges of a bill.
/// <c>default</c> (and <see cref="None"/>) is "no band registers" (<see cref="Count"/> = 0).
/// </summary>
public readonly struct BandRegisters : IEquatable<BandRegisters>
{
    /// <summary>Four bands cover the Chinese 尖/峰/平/谷 split of the Acrel DTSD1352 and every two- or three-rate tariff.</summary>
    public const int MaxBands = 4;

    private readonly Energy _b0;
    private readonly Energy _b1;
    private readonly Energy _b2;
    private readonly Energy _b3;

    private BandRegisters(int count, Energy b0, Energy b1, Energy b2, Energy b3)
    {
        Count = count;
        _b0 = b0;
        _b1 = b1;
        _b2 = b2;
        _b3 = b3;
    }

    /// <summary>No band registers.</summary>
    public static BandRegisters None => default;

    /// <summary>How many bands are present, 0..<see cref="MaxBands"/>.</summary>
    public int Count { get; }

    /// <summary>The value of band <paramref name="index"/> (0-based, in the meter's band order).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is not below <see cref="Count"/>.</exception>
    public Energy this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(index), index, $"Band index {index} is outside the {Count} band register(s) present.");
            }
            return index switch
            {
                0 => _b0,
                1 => _b1,
                2 => _b2,
                _ => _b3,
            };
        }
    }

    /// <summary>Builds band registers from 0..4 values, each at least zero.</summary>
    /// <exception cref="ArgumentException">More than four values, or a negative value.</exception>
    public static BandRegisters Of(params ReadOnlySpan<Energy> values)
    {
        if (values.Length > MaxBands)
        {
            throw new ArgumentException($"{values.Length} band registers given; at most {MaxBands} are supported.", nameof(values));
        }
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i].WattHours < 0)
            {
                throw new ArgumentException($"Band register {i} is {values[i]}; a register is never negative.", nameof(values));
            }
        }
        return new BandRegisters(
            values.Length,
            values.Length > 0 ? values[0] : default,
            values.Length > 1 ? values[1] : default,
            values.Length > 2 ? values[2] : default,
            values.Length > 3 ? values[3] : default);
    }

    /// <summary>Builds band registers from whole Wh values (convenience for ingest and tests).</summary>
    public static BandRegisters OfWattHours(params ReadOnlySpan<long> wattHours)
    {
        Span<Energy> values = stackalloc Energy[Math.Min(wattHours.Length, MaxBands + 1)];
        if (wattHours.Length > MaxBands)
        {
            throw new ArgumentException($"{wattHours.Length} band registers given; at most {MaxBands} are supported.", nameof(wattHours));
        }
        for (var i = 0; i < wattHours.Length; i++)
        {
            values[i] = Energy.FromWattHours(wattHours[i]);
        }
        return Of(values[..wattHours.Length]);
    }

    /// <summary>A copy with band <paramref name="index"/> replaced; internal because only the validator builds positions.</summary>
    internal BandRegisters With(int index, Energy value) => new(
        Count,
        index == 0 ? value : _b0,
        index == 1 ? value : _b1,
        index == 2 ? value : _b2,
        index == 3 ? value : _b3);

    public bool Equals(BandRegisters other) =>
        Count == other.Count && _b0 == other._b0 && _b1 == other._b1 && _b2 == other._b2 && _b3 == other._b3;

    public override bool Equals([NotNullWhen(true)] object? obj) => obj is BandRegisters other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Count, _b0, _b1, _b2, _b3);

    public static bool operator ==(BandRegisters left, BandRegisters right) => left.Equals(right);

    public static bool operator !=(BandRegisters left, BandRegisters right) => !left.Equals(right);

    public override string ToString()
    {
        var parts = new string[Count];
        for (var i = 0; i < Count; i++)
        {
            parts[i] = this[i].ToString();
        }
        return "[" + string.Join(", ", parts) + "]";
    }
}
