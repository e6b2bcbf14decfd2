using PrepaidPower.Domain.Tariffs;

namespace PrepaidPower.Domain.Rating;

/// <summary>A piece of an interval with one version, one local date, one UTC offset and one band.</summary>
internal readonly struct Segment
{
    internal Segment(int versionIndex, int versionBand, int tariffBand, DateOnly date, long duration)
    {
        VersionIndex = versionIndex;
        VersionBand = versionBand;
        TariffBand = tariffBand;
        Date = date;
        Duration = duration;
    }

    internal int VersionIndex { get; }

    /// <summary>Band index within the version (indexes its prices).</summary>
    internal int VersionBand { get; }

    /// <summary>Band index within <see cref="Tariff.BandNames"/>.</summary>
    internal int TariffBand { get; }

    internal DateOnly Date { get; }

    /// <summary>Real elapsed time in ticks.</summary>
    internal long Duration { get; }
}

/// <summary>
/// Walks [start, end) in UTC ticks and yields segments that end at every band boundary, local midnight,
/// DST offset change and version start. Within one offset run, wall clock = UTC + offset, so band boundaries
/// (minute-of-day, local) map to UTC by subtraction: no time-zone calls unless a new day is entered.
/// </summary>
internal ref struct SegmentWalker
{
    private readonly Tariff _tariff;
    private readonly long _end;
    private long _t;
    private int _version;
    private long _nextVersion;
    private LocalDay? _day;
    private DaySchedule? _schedule; // of _day under _scheduleVersion
    private int _scheduleVersion;

    internal SegmentWalker(Tariff tariff, long start, long end)
    {
        _tariff = tariff;
        _t = start;
        _end = end;
        _version = -1;
        _nextVersion = long.MinValue;
        _day = null;
        _schedule = null;
        _scheduleVersion = -1;
    }

    internal bool Next(out Segment segment)
    {
        var t = _t;
        if (t >= _end)
        {
            segment = default;
            return false;
        }
        if (t >= _nextVersion)
        {
            _version = _tariff.VersionIndexAt(t);
            _nextVersion = _tariff.NextVersionStart(_version);
        }
        var day = _day;
        if (day is null || t < day.StartUtc || t >= day.EndUtc)
        {
            day = day is not null && t == day.EndUtc ? _tariff.Days.Day(day.DayNumber + 1) : _tariff.Days.DayContaining(t);
            _day = day;
            _schedule = null;
        }
        long offset;
        long runEnd;
        if (t < day.TransitionUtc)
        {
            offset = day.OffsetAtStart;
            runEnd = Math.Min(day.TransitionUtc, day.EndUtc);
        }
        else
        {
            offset = day.OffsetAfter;
            runEnd = day.EndUtc;
        }
        var wall = t + offset - day.LocalMidnight;
        var minute = (int)Math.Clamp(wall / TimeSpan.TicksPerMinute, 0, 1439);
        var schedule = _schedule;
        if (schedule is null || _scheduleVersion != _version)
        {
            schedule = _tariff.Versions[_version].ScheduleFor(day.Date);
            _schedule = schedule;
            _scheduleVersion = _version;
        }
        var band = schedule.BandAt(minute, out var endMinute);
        var stop = Math.Min(Math.Min(_end, runEnd), _nextVersion);
        var bandEnd = day.LocalMidnight + endMinute * TimeSpan.TicksPerMinute - offset;
        if (bandEnd > t && bandEnd < stop)
        {
            stop = bandEnd;
        }
        segment = new Segment(_version, band, _tariff.TariffBand(_version, band), day.Date, stop - t);
        _t = stop;
        return true;
    }
}
