using System.Globalization;

namespace PrepaidPower.Domain.Supply;

/// <summary>
/// A power limit written to a meter's load limiter, in whole watts. Range 1 W – 1,000,000 W (1 MW, above any
/// single prepaid connection). <c>default</c> is zero watts, which is not a valid limit: the factories reject it
/// and <see cref="IsDefined"/> is false.
/// </summary>
public readonly record struct PowerLimit
{
    /// <summary>The largest limit accepted, in watts.</summary>
    public const int MaxWatts = 1_000_000;

    private PowerLimit(int watts) => Watts = watts;

    /// <summary>The limit in watts (1 – <see cref="MaxWatts"/>; 0 only for <c>default</c>).</summary>
    public int Watts { get; }

    /// <summary>The limit in kW, exactly (3 decimals at most).</summary>
    public decimal Kilowatts => Watts / 1000m;

    /// <summary>False only for <c>default</c>.</summary>
    public bool IsDefined => Watts > 0;

    /// <exception cref="ArgumentOutOfRangeException">Not in 1 – <see cref="MaxWatts"/> W.</exception>
    public static PowerLimit FromWatts(int watts) =>
        watts is > 0 and <= MaxWatts
            ? new PowerLimit(watts)
            : throw new ArgumentOutOfRangeException(nameof(watts), watts, $"A power limit must be 1 to {MaxWatts} W; give the limit the meter should enforce.");

    /// <summary>A limit in kW with at most three decimals (whole watts), e.g. 2.5 for 2.5 kW.</summary>
    /// <exception cref="ArgumentException">Finer than 1 W, zero, negative or above 1 MW.</exception>
    public static PowerLimit FromKilowatts(decimal kilowatts)
    {
        var watts = kilowatts * 1000m;
        if (watts != decimal.Truncate(watts) || watts <= 0 || watts > MaxWatts)
        {
            throw new ArgumentException(
                $"{kilowatts.ToString(CultureInfo.InvariantCulture)} kW is not a valid power limit: give 0.001 to {MaxWatts / 1000} kW with at most three decimals.",
                nameof(kilowatts));
        }
        return new PowerLimit(decimal.ToInt32(watts));
    }

    public override string ToString() => Kilowatts.ToString("0.###", CultureInfo.InvariantCulture) + " kW";
}
