using System.Collections.Frozen;
using System.Collections.Immutable;

namespace PrepaidPower.Domain.Tariffs;

/// <summary>How long a tier (block) quota runs before the cumulative counter starts again at zero.</summary>
public enum TierPeriod
{
    /// <summary>Local calendar year (1 January to 31 December).</summary>
    Year = 0,

    /// <summary>Local calendar month.</summary>
    Month = 1,
}

/// <summary>
/// One price block of a version. <see cref="UpToKilowattHours"/> is the upper bound of the block in kWh of
/// cumulative consumption per full <see cref="TierPeriod"/> (null for the last, open-ended block).
/// <see cref="Prices"/> holds one price per band of the version, in major currency units per kWh, full precision.
/// </summary>
public sealed class TierBlock
{
    internal TierBlock(decimal? upToKwh, ImmutableArray<decimal> prices, ImmutableArray<QuotaModifier> modifiers)
    {
        UpToKilowattHours = upToKwh;
        UpToWattHours = upToKwh.GetValueOrDefault() * 1000m;
        Prices = prices;
        QuotaModifiers = modifiers;
    }

    /// <summary>Upper bound in kWh per full period (whole Wh); null = no upper bound (the last block).</summary>
    public decimal? UpToKilowattHours { get; }

    /// <summary>The bound in Wh (0 for the last block), precomputed for rating.</summary>
    internal decimal UpToWattHours { get; }

    /// <summary>Price per kWh in major units, indexed like <see cref="TariffVersion.Bands"/>.</summary>
    public ImmutableArray<decimal> Prices { get; }

    /// <summary>Per-account additions to <see cref="UpToKilowattHours"/>, in kWh per month of the period.</summary>
    public ImmutableArray<QuotaModifier> QuotaModifiers { get; }

    internal decimal ExtraKwhPerMonth(string? modifier)
    {
        if (modifier is null)
        {
            return 0m;
        }
        foreach (var m in QuotaModifiers)
        {
            if (string.Equals(m.Name, modifier, StringComparison.Ordinal))
            {
                return m.ExtraKilowattHoursPerMonth;
            }
        }
        return 0m;
    }
}

/// <summary>
/// A named per-account quota addition (e.g. "large-household": +100 kWh per month on a block bound).
/// For a yearly period the bound grows by 12 × the monthly figure.
/// </summary>
public sealed record QuotaModifier(string Name, decimal ExtraKilowattHoursPerMonth);

/// <summary>
/// The band layout of one local day: minute-of-day starts (first is 0) and the version band index that runs
/// from each start to the next start (or 24:00). Built from validated ranges; adjacent equal bands merged.
/// </summary>
internal sealed class DaySchedule
{
    private readonly short[] _starts;
    private readonly byte[] _bands;

    internal DaySchedule(short[] starts, byte[] bands)
    {
        _starts = starts;
        _bands = bands;
    }

    /// <summary>The band at <paramref name="minute"/> (0–1439) and the minute (1–1440) at which it ends.</summary>
    internal int BandAt(int minute, out int endMinute)
    {
        var starts = _starts;
        var i = starts.Length - 1;
        while (starts[i] > minute)
        {
            i--;
        }
        endMinute = i + 1 < starts.Length ? starts[i + 1] : 1440;
        return _bands[i];
    }
}

/// <summary>A season: from its start day (month/day, every year) until the next season's start.</summary>
internal sealed class Season
{
    internal Season(string name, int month, int day, DaySchedule[] byDayType)
    {
        Name = name;
        Month = month;
        Day = day;
        ByDayType = byDayType;
    }

    internal string Name { get; }

    internal int Month { get; }

    internal int Day { get; }

    /// <summary>Schedule per day type index of the version (resolved through "default" when not given).</summary>
    internal DaySchedule[] ByDayType { get; }

    internal int StartKey => Month * 100 + Day;
}

/// <summary>
/// One version of a tariff, in force from local midnight of <see cref="EffectiveFrom"/> (in the tariff's time zone)
/// until the next version starts. Holds the bands, the calendar (weekday → day type, public holidays, special days),
/// seasons with a band schedule per day type, the tier blocks with band prices and the daily standing charge.
/// Built only by <see cref="TariffLoader"/>, which validates everything.
/// </summary>
public sealed class TariffVersion
{
    private readonly Season[] _seasons;
    private readonly int[] _weekdayDayType; // indexed by DayOfWeek
    private readonly FrozenDictionary<DateOnly, int> _specialDays;

    internal TariffVersion(
        DateOnly effectiveFrom,
        decimal standingChargePerDay,
        ImmutableArray<string> bands,
        ImmutableArray<string> dayTypes,
        Season[] seasons,
        int[] weekdayDayType,
        FrozenDictionary<DateOnly, int> specialDays,
        TierPeriod tierPeriod,
        ImmutableArray<TierBlock> tiers)
    {
        EffectiveFrom = effectiveFrom;
        StandingChargePerDay = standingChargePerDay;
        Bands = bands;
        DayTypes = dayTypes;
        _seasons = seasons;
        _weekdayDayType = weekdayDayType;
        _specialDays = specialDays;
        TierPeriod = tierPeriod;
        Tiers = tiers;
    }

    /// <summary>Local date (tariff time zone) from whose midnight this version applies.</summary>
    public DateOnly EffectiveFrom { get; }

    /// <summary>Standing charge per local calendar day, in major units (0 = none).</summary>
    public decimal StandingChargePerDay { get; }

    /// <summary>Band names of this version (a version without time-of-use has one band, "all-day").</summary>
    public ImmutableArray<string> Bands { get; }

    /// <summary>Day-type names used by the calendar (e.g. workday, weekend, holiday).</summary>
    public ImmutableArray<string> DayTypes { get; }

    public TierPeriod TierPeriod { get; }

    /// <summary>Blocks in ascending order; a version without tiers has one open-ended block.</summary>
    public ImmutableArray<TierBlock> Tiers { get; }

    /// <summary>Season names in order of their start day.</summary>
    public IEnumerable<string> Seasons => _seasons.Select(s => s.Name);

    /// <summary>The day type of a local date: special day or public holiday first, else by weekday.</summary>
    public string DayTypeOf(DateOnly date) => DayTypes[DayTypeIndex(date)];

    /// <summary>The season name in force on a local date.</summary>
    public string SeasonOf(DateOnly date) => SeasonFor(date).Name;

    /// <summary>The band name in force at a local date and time.</summary>
    public string BandAt(DateOnly date, TimeOnly time) =>
        Bands[ScheduleFor(date).BandAt(time.Hour * 60 + time.Minute, out _)];

    internal int DayTypeIndex(DateOnly date) =>
        _specialDays.Count != 0 && _specialDays.TryGetValue(date, out var special)
            ? special
            : _weekdayDayType[(int)date.DayOfWeek];

    internal DaySchedule ScheduleFor(DateOnly date) => SeasonFor(date).ByDayType[DayTypeIndex(date)];

    private Season SeasonFor(DateOnly date)
    {
        var seasons = _seasons;
        var key = date.Month * 100 + date.Day;
        // Before the first start of the year, the last season (which began the previous year) is still running.
        var chosen = seasons[^1];
        foreach (var s in seasons)
        {
            if (s.StartKey <= key)
            {
                chosen = s;
            }
            else
            {
                break;
            }
        }
        return chosen;
    }
}
