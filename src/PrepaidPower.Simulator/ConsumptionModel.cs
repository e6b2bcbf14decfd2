// Deterministic demand curves: the power a simulated meter's load draws in each simulated minute.
namespace PrepaidPower.Simulator;

/// <summary>What kind of load sits behind a meter. Stored in one byte per meter.</summary>
public enum ConsumptionKind : byte
{
    /// <summary>A household: low at night, a morning peak (07–09) and a larger evening peak (18–21).</summary>
    Residential,

    /// <summary>Shops and offices: high 08–18 on weekdays (Monday–Friday, local time), a small base load otherwise.</summary>
    Commercial,

    /// <summary>A resistive heater: full nominal power or nothing, in 30-minute on/off blocks, more often on mornings and evenings.</summary>
    Heater,

    /// <summary>A vacant unit: 0–5 W of standby, changing hourly.</summary>
    Vacant,

    /// <summary>Exactly the nominal power all the time (tests and hand-checked examples).</summary>
    Constant,
}

/// <summary>
/// Demand in whole watts, constant within each local minute, a pure function of (kind, meter seed, nominal power,
/// local time): integrating it over any partition of time gives the same energy, so the truth never depends on when
/// the meter was read.
/// </summary>
public static class ConsumptionModel
{
    // Per-mille of nominal power at each local hour 0…24 (24 = next midnight), interpolated per minute.
    private static readonly short[] ResidentialCurve =
        [250, 200, 180, 170, 170, 200, 350, 650, 700, 450, 350, 350, 400, 350, 300, 300, 350, 550, 850, 1000, 950, 800, 550, 350, 250];

    private static readonly short[] CommercialCurve =
        [80, 80, 80, 80, 80, 80, 80, 200, 700, 950, 1000, 1000, 900, 950, 1000, 1000, 950, 800, 400, 200, 100, 100, 100, 100, 80];

    // Per-mille chance that a heater's 30-minute block in this hour is on.
    private static readonly short[] HeaterDuty =
        [300, 300, 300, 300, 300, 400, 700, 700, 700, 300, 200, 200, 200, 200, 200, 200, 300, 600, 700, 700, 700, 600, 500, 400];

    /// <summary>The load's demand in W during the local minute containing <paramref name="localSecond"/>.</summary>
    /// <param name="kind">Load kind.</param>
    /// <param name="seed">The meter's seed (noise and heater blocks).</param>
    /// <param name="nominalW">Peak power of the load, 0–65535 W.</param>
    /// <param name="localSecond">Seconds since 1970-01-01 00:00 in local time (UTC + the city's offset).</param>
    public static int DemandW(ConsumptionKind kind, ulong seed, int nominalW, long localSecond)
    {
        var minute = FloorDiv(localSecond, 60);
        var minuteOfDay = (int)Mod(minute, 1440);
        switch (kind)
        {
            case ConsumptionKind.Constant:
                return nominalW;
            case ConsumptionKind.Vacant:
                return (int)(Mix(seed, FloorDiv(minute, 60)) % 6);
            case ConsumptionKind.Residential:
            {
                var f = Interpolate(ResidentialCurve, minuteOfDay);
                var noise = 800 + (int)(Mix(seed, FloorDiv(minute, 15)) % 401);
                return (int)((long)nominalW * f * noise / 1_000_000);
            }

            case ConsumptionKind.Commercial:
            {
                var dayOfWeek = (int)Mod(FloorDiv(minute, 1440) + 4, 7); // 1970-01-01 was a Thursday; 0 = Sunday
                var f = dayOfWeek is >= 1 and <= 5 ? Interpolate(CommercialCurve, minuteOfDay) : 60;
                var noise = 900 + (int)(Mix(seed, FloorDiv(minute, 15)) % 201);
                return (int)((long)nominalW * f * noise / 1_000_000);
            }

            case ConsumptionKind.Heater:
            {
                var on = (int)(Mix(seed, FloorDiv(minute, 30)) % 1000) < HeaterDuty[minuteOfDay / 60];
                return on ? nominalW : 0;
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown consumption kind.");
        }
    }

    /// <summary>A well-mixed 64-bit hash (SplitMix64 finaliser) of a seed and a counter.</summary>
    public static ulong Mix(ulong seed, long counter)
    {
        var z = seed + ((ulong)counter * 0x9E3779B97F4A7C15UL) + 0x632BE59BD9B4E019UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    internal static long FloorDiv(long a, long b) => Math.DivRem(a, b, out var r) - (r < 0 ? 1 : 0);

    internal static long Mod(long a, long b)
    {
        var r = a % b;
        return r < 0 ? r + b : r;
    }

    private static int Interpolate(short[] curve, int minuteOfDay)
    {
        var hour = minuteOfDay / 60;
        var m = minuteOfDay % 60;
        return ((curve[hour] * (60 - m)) + (curve[hour + 1] * m)) / 60;
    }
}

/// <summary>
/// The simulator's fixed four-band time-of-use schedule by local hour: valley 23:00–07:00, flat 07–08, 11–17 and
/// 22–23, peak 08–11, 17–19 and 21–22, sharp 19–21. Energy counted in an hour goes to that hour's band register.
/// </summary>
public static class TouSchedule
{
    // 0 sharp, 1 peak, 2 flat, 3 valley: the order of Modbus.Profiles.TouBand.
    private static readonly byte[] BandOfHour = [3, 3, 3, 3, 3, 3, 3, 2, 1, 1, 1, 2, 2, 2, 2, 2, 2, 1, 1, 0, 0, 1, 2, 3];

    /// <summary>Band index (TouBand order: sharp, peak, flat, valley) of a local hour 0–23.</summary>
    public static int BandOfLocalHour(int hour) => BandOfHour[hour];

    /// <summary>Band index of the local time <paramref name="localSecond"/> (seconds since 1970 in local time).</summary>
    public static int BandAt(long localSecond) => BandOfHour[(int)ConsumptionModel.Mod(ConsumptionModel.FloorDiv(localSecond, 3600), 24)];
}
