namespace PrepaidPower.Domain.Tariffs;

/// <summary>
/// One local calendar day of a time zone as UTC ticks: where it starts and ends (23 h / 25 h on DST days), its
/// UTC offset, and the offset change inside it if there is one. Immutable, so it can be shared between threads.
/// </summary>
internal sealed class LocalDay
{
    internal LocalDay(DateOnly date, long startUtc, long endUtc, long offsetAtStart, long transitionUtc, long offsetAfter)
    {
        Date = date;
        DayNumber = date.DayNumber;
        StartUtc = startUtc;
        EndUtc = endUtc;
        OffsetAtStart = offsetAtStart;
        TransitionUtc = transitionUtc;
        OffsetAfter = offsetAfter;
        LocalMidnight = date.DayNumber * TimeSpan.TicksPerDay;
    }

    internal DateOnly Date { get; }

    internal int DayNumber { get; }

    /// <summary>First UTC tick of the day (local midnight, or the end of a DST gap that swallowed it).</summary>
    internal long StartUtc { get; }

    /// <summary>First UTC tick of the next day.</summary>
    internal long EndUtc { get; }

    /// <summary>Wall-clock ticks of this date's 00:00 (DateTime ticks of the local date).</summary>
    internal long LocalMidnight { get; }

    internal long OffsetAtStart { get; }

    /// <summary>UTC tick where the offset changes to <see cref="OffsetAfter"/>; <see cref="long.MaxValue"/> if never.</summary>
    internal long TransitionUtc { get; }

    internal long OffsetAfter { get; }

    internal long OffsetAt(long utc) => utc < TransitionUtc ? OffsetAtStart : OffsetAfter;
}

/// <summary>
/// Maps UTC instants to local days of one time zone. <see cref="TimeZoneInfo"/> conversions are slow and allocate
/// on some paths, so days are computed once and kept in a small direct-mapped cache (about 2.8 years of days);
/// a miss computes the day again. Reference writes are atomic, so concurrent raters at worst compute a day twice.
/// </summary>
internal sealed class LocalDays
{
    private const int Slots = 1024;
    private readonly LocalDay?[] _cache = new LocalDay?[Slots];
    private readonly long _baseOffset;

    internal LocalDays(TimeZoneInfo zone)
    {
        Zone = zone;
        _baseOffset = zone.BaseUtcOffset.Ticks;
    }

    internal TimeZoneInfo Zone { get; }

    /// <summary>The local day that contains the UTC instant (in ticks).</summary>
    internal LocalDay DayContaining(long utcTicks)
    {
        var day = Day(checked((int)((utcTicks + _baseOffset) / TimeSpan.TicksPerDay)));
        // The base offset can differ from the real one by a few hours (DST), so the guess is off by at most one day.
        while (utcTicks < day.StartUtc)
        {
            day = Day(day.DayNumber - 1);
        }
        while (utcTicks >= day.EndUtc)
        {
            day = Day(day.DayNumber + 1);
        }
        return day;
    }

    internal LocalDay Day(DateOnly date) => Day(date.DayNumber);

    internal LocalDay Day(int dayNumber)
    {
        var slot = dayNumber & (Slots - 1);
        var cached = Volatile.Read(ref _cache[slot]);
        if (cached is not null && cached.DayNumber == dayNumber)
        {
            return cached;
        }
        var computed = Compute(DateOnly.FromDayNumber(dayNumber));
        Volatile.Write(ref _cache[slot], computed);
        return computed;
    }

    private LocalDay Compute(DateOnly date)
    {
        var start = FirstInstantOf(date);
        var end = FirstInstantOf(date.AddDays(1));
        var offStart = Offset(start);
        var offEnd = Offset(end - 1);
        var transition = long.MaxValue;
        if (offStart != offEnd)
        {
            transition = FindChange(start, end - 1);
        }
        return new LocalDay(date, start, end, offStart, transition, offEnd);
    }

    /// <summary>The first UTC instant whose wall-clock date is <paramref name="date"/> (the earlier of two midnights).</summary>
    private long FirstInstantOf(DateOnly date)
    {
        var local = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        if (Zone.IsAmbiguousTime(local))
        {
            long max = long.MinValue;
            foreach (var o in Zone.GetAmbiguousTimeOffsets(local))
            {
                max = Math.Max(max, o.Ticks);
            }
            return local.Ticks - max;
        }
        if (Zone.IsInvalidTime(local))
        {
            // Midnight falls into a spring-forward gap: the day starts when the clock jumps.
            var before = Zone.GetUtcOffset(local.AddHours(-12)).Ticks;
            var afterGuess = local.Ticks - before; // wall clock here is already past midnight
            return FindChange(afterGuess - TimeSpan.TicksPerDay / 2, afterGuess);
        }
        return local.Ticks - Zone.GetUtcOffset(local).Ticks;
    }

    private long Offset(long utcTicks) => Zone.GetUtcOffset(new DateTime(utcTicks, DateTimeKind.Utc)).Ticks;

    /// <summary>Smallest tick in (lo, hi] whose offset equals the offset at hi, given a different offset at lo.</summary>
    private long FindChange(long lo, long hi)
    {
        var target = Offset(hi);
        while (hi - lo > 1)
        {
            var mid = lo + (hi - lo) / 2;
            if (Offset(mid) == target)
            {
                hi = mid;
            }
            else
            {
                lo = mid;
            }
        }
        return hi;
    }
}
