namespace PrepaidPower.Contracts.Calendar;

/// <summary>
/// The content of a protection calendar, in local wall-clock time (each account applies it in its own IANA zone).
/// <see cref="Nights"/> and <see cref="Weekends"/> are shorthands for the usual windows; <see cref="Windows"/> adds any
/// others. Overlaps are fine (a Saturday night is protected by both); an exact repeat, or windows that leave no minute of
/// the week unprotected, are rejected. At most 64 weekly windows once the shorthands are expanded (nights = 7,
/// weekends = 1) and 2,000 days in all.
/// </summary>
[GenerateSerializer, Alias("pp.ProtectionCalendarSpec")]
public sealed record ProtectionCalendarSpec
{
    /// <summary>The default of a calendar never set: nights 20:00–08:00 every day and whole weekends; no holidays.</summary>
    public static readonly ProtectionCalendarSpec Default = new()
    {
        Nights = new DailyWindowSpec { From = new TimeOnly(20, 0), To = new TimeOnly(8, 0) },
        Weekends = true,
    };

    /// <summary>No protected time at all: only each account's own protections defer a cut.</summary>
    public static readonly ProtectionCalendarSpec Empty = new();

    /// <summary>Every day from <c>From</c> to <c>To</c> (past midnight when To ≤ From); null = no nightly window.</summary>
    [Id(0)] public DailyWindowSpec? Nights { get; init; }

    /// <summary>Saturday 00:00 to Monday 00:00 local.</summary>
    [Id(1)] public bool Weekends { get; init; }

    /// <summary>Further weekly windows.</summary>
    [Id(2)] public IReadOnlyList<WeeklyWindowSpec> Windows { get; init; } = [];

    /// <summary>Public holidays: whole local days, each date at most once.</summary>
    [Id(3)] public IReadOnlyList<CalendarDaySpec> PublicHolidays { get; init; } = [];

    /// <summary>Special days (local festivals, a strike day…): whole local days; not on a public holiday's date.</summary>
    [Id(4)] public IReadOnlyList<CalendarDaySpec> SpecialDays { get; init; } = [];

    /// <summary>Special days every year on the same month and day (29 February: leap years only).</summary>
    [Id(5)] public IReadOnlyList<AnnualDaySpec> AnnualSpecialDays { get; init; } = [];

    /// <summary>Value equality over the lists too (records compare lists by reference).</summary>
    public bool SameAs(ProtectionCalendarSpec other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Nights == other.Nights && Weekends == other.Weekends && Windows.SequenceEqual(other.Windows)
            && PublicHolidays.SequenceEqual(other.PublicHolidays) && SpecialDays.SequenceEqual(other.SpecialDays)
            && AnnualSpecialDays.SequenceEqual(other.AnnualSpecialDays);
    }
}

/// <summary>A window every day, local wall clock, whole minutes. <c>To</c> ≤ <c>From</c> means it ends the next day.</summary>
[GenerateSerializer, Alias("pp.DailyWindowSpec")]
public sealed record DailyWindowSpec
{
    [Id(0)] public TimeOnly From { get; init; }

    [Id(1)] public TimeOnly To { get; init; }
}

/// <summary>A weekly window: from <c>Start</c> on <c>Day</c> for <c>Length</c> (whole minutes, 1 minute to 7 days).</summary>
[GenerateSerializer, Alias("pp.WeeklyWindowSpec")]
public sealed record WeeklyWindowSpec
{
    [Id(0)] public DayOfWeek Day { get; init; }

    [Id(1)] public TimeOnly Start { get; init; }

    [Id(2)] public TimeSpan Length { get; init; }
}

/// <summary>A whole local day with a name (shown to customers and operators as the reason a cut waits).</summary>
[GenerateSerializer, Alias("pp.CalendarDaySpec")]
public sealed record CalendarDaySpec
{
    [Id(0)] public DateOnly Date { get; init; }

    /// <summary>1–100 characters, e.g. "National Day".</summary>
    [Id(1)] public string Name { get; init; } = "";
}

/// <summary>A day every year (e.g. 12/25 "Christmas Day").</summary>
[GenerateSerializer, Alias("pp.AnnualDaySpec")]
public sealed record AnnualDaySpec
{
    [Id(0)] public int Month { get; init; }

    [Id(1)] public int Day { get; init; }

    [Id(2)] public string Name { get; init; } = "";
}

/// <summary>Dated days to add to a calendar (see <see cref="IProtectionCalendarGrain.AddDaysAsync"/>).</summary>
[GenerateSerializer, Alias("pp.CalendarDaysRequest")]
public sealed record CalendarDaysRequest
{
    [Id(0)] public IReadOnlyList<CalendarDaySpec> PublicHolidays { get; init; } = [];

    [Id(1)] public IReadOnlyList<CalendarDaySpec> SpecialDays { get; init; } = [];
}

/// <summary>A calendar as stored, with its revision.</summary>
[GenerateSerializer, Alias("pp.ProtectionCalendarView")]
public sealed record ProtectionCalendarView
{
    [Id(0)] public string CalendarId { get; init; } = "";

    /// <summary>0 = never set (the content is <see cref="ProtectionCalendarSpec.Default"/>); +1 per accepted change.</summary>
    [Id(1)] public int Revision { get; init; }

    /// <summary>True while the calendar has never been set.</summary>
    [Id(2)] public bool IsDefault { get; init; }

    [Id(3)] public DateTimeOffset? UpdatedAt { get; init; }

    [Id(4)] public string? UpdatedBy { get; init; }

    [Id(5)] public ProtectionCalendarSpec Calendar { get; init; } = ProtectionCalendarSpec.Default;
}
