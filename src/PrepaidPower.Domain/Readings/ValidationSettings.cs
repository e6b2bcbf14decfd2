using System.Globalization;

namespace PrepaidPower.Domain.Readings;

/// <summary>
/// Per meter model (and connection) limits that reading validation checks against. Registers in whole Wh, power in
/// kW, times as durations. Build with <see cref="Create"/>; every argument is checked there.
/// </summary>
public sealed class ValidationSettings
{
    /// <summary>A UINT32 register in 0.01 kWh: 4,294,967,295 × 10 Wh = 42,949,672.95 kWh.</summary>
    public static readonly Energy Uint32CentiKilowattHourMaximum = Energy.FromWattHours(4_294_967_295L * 10);

    private ValidationSettings(
        Energy registerMaximum,
        Energy registerStep,
        decimal maxPowerKilowatts,
        decimal powerMargin,
        TimeSpan maxReadingAge,
        TimeSpan allowedClockSkew,
        TimeSpan futureTolerance,
        Energy resetThreshold,
        int bandCount,
        Energy bandTolerance)
    {
        RegisterMaximum = registerMaximum;
        RegisterStep = registerStep;
        RegisterModulus = registerMaximum + registerStep;
        MaxPowerKilowatts = maxPowerKilowatts;
        PowerMargin = powerMargin;
        MaxReadingAge = maxReadingAge;
        AllowedClockSkew = allowedClockSkew;
        FutureTolerance = futureTolerance;
        ResetThreshold = resetThreshold;
        BandCount = bandCount;
        BandTolerance = bandTolerance;
    }

    /// <summary>The highest value the register can show, Wh (e.g. 42,949,672,950 Wh for UINT32 × 0.01 kWh).</summary>
    public Energy RegisterMaximum { get; }

    /// <summary>The register's resolution, Wh (10 Wh for 0.01 kWh). After <see cref="RegisterMaximum"/> comes 0.</summary>
    public Energy RegisterStep { get; }

    /// <summary><see cref="RegisterMaximum"/> + <see cref="RegisterStep"/>: the amount one rollover adds.</summary>
    public Energy RegisterModulus { get; }

    /// <summary>The physical maximum power of the meter or connection, kW (e.g. Imax × Unom × phases).</summary>
    public decimal MaxPowerKilowatts { get; }

    /// <summary>Relative margin on top of the maximum power, 0..10 (0.1 = 10 %), for meter accuracy and overload.</summary>
    public decimal PowerMargin { get; }

    /// <summary>The longest a reading may wait between the meter taking it and the collector stamping it
    /// (concentrator buffering, poll latency). Added to every elapsed time used for plausibility.</summary>
    public TimeSpan MaxReadingAge { get; }

    /// <summary>A meter time further than this from the received-at instant is flagged <see cref="ReadingFlags.ClockSkew"/>.</summary>
    public TimeSpan AllowedClockSkew { get; }

    /// <summary>A received-at instant further than this ahead of the validator's clock is held as
    /// <see cref="HoldReason.TimestampInFuture"/>: it would inflate the elapsed time and let a spike through.</summary>
    public TimeSpan FutureTolerance { get; }

    /// <summary>A register at or below this, reached by going down, counts as a reset (or an unrecorded exchange).</summary>
    public Energy ResetThreshold { get; }

    /// <summary>How many band registers every reading of this meter carries, 0..<see cref="BandRegisters.MaxBands"/>.</summary>
    public int BandCount { get; }

    /// <summary>How far the sum of band advances may differ from the total's advance, Wh (each register truncates on its own).</summary>
    public Energy BandTolerance { get; }

    /// <summary>Builds validated settings. Defaults: UINT32 × 0.01 kWh register, 10 % power margin, 5 min reading age,
    /// 5 min clock skew, 1 min future tolerance, reset threshold 100 kWh, no bands, band tolerance (bands + 1) steps.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it and the allowed range.</exception>
    public static ValidationSettings Create(
        decimal maxPowerKilowatts,
        Energy? registerMaximum = null,
        Energy? registerStep = null,
        decimal powerMargin = 0.10m,
        TimeSpan? maxReadingAge = null,
        TimeSpan? allowedClockSkew = null,
        TimeSpan? futureTolerance = null,
        Energy? resetThreshold = null,
        int bandCount = 0,
        Energy? bandTolerance = null)
    {
        var max = registerMaximum ?? Uint32CentiKilowattHourMaximum;
        var step = registerStep ?? Energy.FromWattHours(10);
        if (maxPowerKilowatts <= 0 || maxPowerKilowatts > 1_000_000m)
        {
            throw new ArgumentException($"Maximum power {maxPowerKilowatts.ToString(CultureInfo.InvariantCulture)} kW is outside 0 < P ≤ 1,000,000 kW.", nameof(maxPowerKilowatts));
        }
        if (step.WattHours <= 0)
        {
            throw new ArgumentException($"Register step {step} must be at least 1 Wh.", nameof(registerStep));
        }
        if (max.WattHours <= 0 || max.WattHours % step.WattHours != 0 || max.WattHours > long.MaxValue / 4)
        {
            throw new ArgumentException($"Register maximum {max} must be positive, a whole number of steps ({step}), and below 2^61 Wh.", nameof(registerMaximum));
        }
        if (powerMargin < 0 || powerMargin > 10)
        {
            throw new ArgumentException($"Power margin {powerMargin.ToString(CultureInfo.InvariantCulture)} is outside 0..10.", nameof(powerMargin));
        }
        var age = maxReadingAge ?? TimeSpan.FromMinutes(5);
        var skew = allowedClockSkew ?? TimeSpan.FromMinutes(5);
        var future = futureTolerance ?? TimeSpan.FromMinutes(1);
        CheckDuration(age, nameof(maxReadingAge));
        CheckDuration(skew, nameof(allowedClockSkew));
        CheckDuration(future, nameof(futureTolerance));
        var reset = resetThreshold ?? Energy.FromKilowattHours(100);
        if (reset.WattHours < 0 || reset >= max)
        {
            throw new ArgumentException($"Reset threshold {reset} must be in 0..register maximum ({max}).", nameof(resetThreshold));
        }
        if (bandCount is < 0 or > BandRegisters.MaxBands)
        {
            throw new ArgumentException($"Band count {bandCount} is outside 0..{BandRegisters.MaxBands}.", nameof(bandCount));
        }
        var tolerance = bandTolerance ?? Energy.FromWattHours(step.WattHours * (bandCount + 1));
        if (tolerance.WattHours < 0)
        {
            throw new ArgumentException($"Band tolerance {tolerance} is negative.", nameof(bandTolerance));
        }
        return new ValidationSettings(max, step, maxPowerKilowatts, powerMargin, age, skew, future, reset, bandCount, tolerance);
    }

    private static void CheckDuration(TimeSpan value, string name)
    {
        if (value < TimeSpan.Zero || value > TimeSpan.FromDays(366))
        {
            throw new ArgumentException($"{name} {value} is outside 0..366 days.", name);
        }
    }

    /// <summary>
    /// The most energy the register can plausibly advance in <paramref name="elapsed"/>, Wh:
    /// ⌈P × (1 + margin) × (max(elapsed, 0) + <see cref="MaxReadingAge"/>)⌉ + one <see cref="RegisterStep"/>
    /// (a truncating register may show one step more than was used in the interval). Saturates at <see cref="long.MaxValue"/>.
    /// </summary>
    public Energy Allowance(TimeSpan elapsed)
    {
        var span = (elapsed < TimeSpan.Zero ? TimeSpan.Zero : elapsed) + MaxReadingAge;
        var hours = (decimal)span.Ticks / TimeSpan.TicksPerHour;
        var wh = MaxPowerKilowatts * (1 + PowerMargin) * 1000m * hours;
        var ceiling = decimal.Ceiling(wh);
        var limit = (decimal)(long.MaxValue - RegisterStep.WattHours);
        return Energy.FromWattHours((ceiling >= limit ? (long)limit : (long)ceiling) + RegisterStep.WattHours);
    }
}
