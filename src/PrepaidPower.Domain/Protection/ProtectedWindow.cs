namespace PrepaidPower.Domain.Protection;

/// <summary>
/// A weekly protected window in local wall-clock time: it starts on <see cref="Day"/> at <see cref="Start"/> and lasts
/// <see cref="Length"/> of wall-clock time (more than zero, at most 7 days), so it may run past midnight or over a
/// weekend. Build with <see cref="Create"/>, <see cref="Daily"/>, <see cref="WholeDay"/> or <see cref="Weekend"/>.
/// </summary>
public readonly record struct ProtectedWindow
{
    private ProtectedWindow(DayOfWeek day, TimeOnly start, TimeSpan length)
    {
        Day = day;
        Start = start;
        Length = length;
    }

    public DayOfWeek Day { get; }

    public TimeOnly Start { get; }

    /// <summary>Wall-clock length, 1 minute to 7 days.</summary>
    public TimeSpan Length { get; }

    /// <exception cref="ArgumentException">Unknown day, or a length outside 1 minute–7 days.</exception>
    public static ProtectedWindow Create(DayOfWeek day, TimeOnly start, TimeSpan length)
    {
        if (!Enum.IsDefined(day))
        {
            throw new ArgumentException($"{(int)day} is not a day of the week.", nameof(day));
        }
        if (length < TimeSpan.FromMinutes(1) || length > TimeSpan.FromDays(7))
        {
            throw new ArgumentException($"A protected window lasts 1 minute to 7 days; {length} was given.", nameof(length));
        }
        return new ProtectedWindow(day, start, length);
    }

    /// <summary>
    /// One window per day of the week from <paramref name="from"/> to <paramref name="to"/>; when <paramref name="to"/>
    /// is not after <paramref name="from"/> the window ends the next day (20:00–08:00), and equal times mean 24 hours.
    /// </summary>
    public static IReadOnlyList<ProtectedWindow> Daily(TimeOnly from, TimeOnly to)
    {
        var length = to > from ? to - from : TimeSpan.FromDays(1) - (from - to);
        return Enum.GetValues<DayOfWeek>().Select(d => Create(d, from, length)).ToArray();
    }

    /// <summary>All of <paramref name="day"/>, local midnight to midnight.</summary>
    public static ProtectedWindow WholeDay(DayOfWeek day) => Create(day, TimeOnly.MinValue, TimeSpan.FromDays(1));

    /// <summary>Saturday 00:00 to Monday 00:00 local.</summary>
    public static ProtectedWindow Weekend() => Create(DayOfWeek.Saturday, TimeOnly.MinValue, TimeSpan.FromDays(2));

    /// <summary>If this window covers local wall-clock time <paramref name="local"/>, the local time it ends.</summary>
    internal bool TryCover(DateTime local, Func<DateOnly, bool> startsOn, out DateTime localEnd)
    {
        localEnd = default;
        var found = false;
        var date = DateOnly.FromDateTime(local);
        // A window is at most 7 days long, so only starts in the last 7 days can still cover this instant.
        for (var back = 0; back <= 7; back++)
        {
            var startDate = date.AddDays(-back);
            if (startDate.DayOfWeek != Day || !startsOn(startDate))
            {
                continue;
            }
            var start = startDate.ToDateTime(Start);
            var end = start + Length;
            if (start <= local && local < end && (!found || end > localEnd))
            {
                localEnd = end;
                found = true;
            }
        }
        return found;
    }
}
