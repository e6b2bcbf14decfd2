using System.Globalization;
using PrepaidPower.Contracts.Calendar;
using PrepaidPower.Domain.Protection;

namespace PrepaidPower.Grains.Calendar;

/// <summary>What is wrong with a calendar, and where (a JSON path such as <c>publicHolidays[2].date</c>).</summary>
public sealed record CalendarProblem(string Field, string Message);

/// <summary>
/// Checks a <see cref="ProtectionCalendarSpec"/> by building the domain types from it, and turns it into a
/// <see cref="ProtectionCalendar"/> for a time zone. Shared by the calendar grain (which refuses to store an invalid
/// calendar) and the host (which answers 400 with the field before calling the grain).
/// </summary>
public static class ProtectionCalendarRules
{
    /// <summary>Most protected days in one calendar (public holidays + special days + annual days).</summary>
    public const int MaxDays = 2_000;

    /// <summary>Longest day name: it is shown as the reason a cut waits, in messages to customers.</summary>
    public const int MaxNameLength = 100;

    private static readonly DateOnly FirstDate = new(2000, 1, 1);
    private static readonly DateOnly LastDate = new(2199, 12, 31);

    // A zone without DST: the whole-week check is about wall-clock coverage, not about any one zone.
    private const string CheckZone = "Etc/UTC";

    /// <summary>The first problem found, or null when the calendar is valid.</summary>
    public static CalendarProblem? Check(ProtectionCalendarSpec? spec)
    {
        if (spec is null)
        {
            return new("body", "The calendar is missing; send nights, weekends, windows, publicHolidays, specialDays and annualSpecialDays (all optional).");
        }
        return CheckWeekly(spec) ?? CheckDays(spec);
    }

    /// <summary>The calendar with names trimmed and days in date order (how it is stored and shown).</summary>
    public static ProtectionCalendarSpec Normalize(ProtectionCalendarSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec with
        {
            Windows = [.. spec.Windows],
            PublicHolidays = [.. spec.PublicHolidays.Select(d => d with { Name = d.Name.Trim() }).OrderBy(d => d.Date)],
            SpecialDays = [.. spec.SpecialDays.Select(d => d with { Name = d.Name.Trim() }).OrderBy(d => d.Date)],
            AnnualSpecialDays = [.. spec.AnnualSpecialDays.Select(d => d with { Name = d.Name.Trim() }).OrderBy(d => d.Month).ThenBy(d => d.Day)],
        };
    }

    /// <summary>
    /// The domain calendar of <paramref name="spec"/> in IANA zone <paramref name="timeZoneId"/>. Only the domain's own
    /// invariants apply here, so a calendar stored under older, looser rules still loads; <see cref="Check"/> is the gate.
    /// </summary>
    /// <exception cref="ArgumentException">The zone is unknown or the spec breaks a domain invariant.</exception>
    public static ProtectionCalendar Build(ProtectionCalendarSpec spec, string timeZoneId)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return ProtectionCalendar.Create(timeZoneId, Weekly(spec), Days(spec));
    }

    private static WeeklyProfile Weekly(ProtectionCalendarSpec spec)
    {
        var windows = new List<ProtectedWindow>();
        if (spec.Nights is { } n)
        {
            windows.AddRange(ProtectedWindow.Daily(n.From, n.To));
        }
        if (spec.Weekends)
        {
            windows.Add(ProtectedWindow.Weekend());
        }
        windows.AddRange(spec.Windows.Select(w => ProtectedWindow.Create(w.Day, w.Start, w.Length)));
        return WeeklyProfile.Of(windows);
    }

    private static IEnumerable<ProtectedDay> Days(ProtectionCalendarSpec spec) =>
        spec.PublicHolidays.Select(d => ProtectedDay.PublicHoliday(d.Date, d.Name))
            .Concat(spec.SpecialDays.Select(d => ProtectedDay.SpecialDay(d.Date, d.Name)))
            .Concat(spec.AnnualSpecialDays.Select(d => ProtectedDay.AnnualSpecialDay(d.Month, d.Day, d.Name)));

    private static CalendarProblem? CheckWeekly(ProtectionCalendarSpec spec)
    {
        // Each window with where it came from, so a repeat can name both.
        var windows = new List<(string Field, ProtectedWindow Window)>();
        if (spec.Nights is { } n)
        {
            if ((WholeMinutes(n.From, "nights.from") ?? WholeMinutes(n.To, "nights.to")) is { } p)
            {
                return p;
            }
            if (n.From == n.To)
            {
                return new("nights.to", $"nights from {n.From:HH\\:mm} to {n.To:HH\\:mm} protects every hour of every day, so an arrears cut could never happen; give an end such as 08:00.");
            }
            windows.AddRange(ProtectedWindow.Daily(n.From, n.To).Select(w => ("nights", w)));
        }
        if (spec.Weekends)
        {
            windows.Add(("weekends", ProtectedWindow.Weekend()));
        }
        if (spec.Windows is null)
        {
            return new("windows", "windows must be a list (or left out).");
        }
        for (var i = 0; i < spec.Windows.Count; i++)
        {
            var field = $"windows[{i}]";
            var w = spec.Windows[i];
            if (w is null)
            {
                return new(field, "A window is null; give day, start and length.");
            }
            if (!Enum.IsDefined(w.Day))
            {
                return new($"{field}.day", $"{(int)w.Day} is not a day of the week; use Monday … Sunday.");
            }
            if (WholeMinutes(w.Start, $"{field}.start") is { } p)
            {
                return p;
            }
            if (w.Length.Ticks % TimeSpan.TicksPerMinute != 0)
            {
                return new($"{field}.length", $"The length {w.Length} is not a whole number of minutes; give hours and minutes, e.g. 02:30.");
            }
            ProtectedWindow window;
            try
            {
                window = ProtectedWindow.Create(w.Day, w.Start, w.Length);
            }
            catch (ArgumentException e)
            {
                return new($"{field}.length", Message(e));
            }
            var same = windows.FindIndex(x => x.Window == window);
            if (same >= 0)
            {
                return new(field, $"{field} ({Describe(window)}) repeats {windows[same].Field}; remove one of them.");
            }
            windows.Add((field, window));
        }
        if (windows.Count > WeeklyProfile.MaxWindows)
        {
            return new("windows", $"At most {WeeklyProfile.MaxWindows} weekly windows (nights count as 7, weekends as 1); this calendar has {windows.Count}.");
        }
        var profile = WeeklyProfile.Of(windows.Select(x => x.Window));
        if (profile.Windows.Count > 0)
        {
            var calendar = ProtectionCalendar.Create(CheckZone, profile);
            var monday = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
            if (calendar.NextUnprotected(monday) is not { } free || free >= monday.AddDays(14))
            {
                return new(spec.Windows.Count > 0 ? "windows" : "nights", "The weekly windows together protect every minute of the week, so an arrears cut could never happen; leave some daytime unprotected.");
            }
        }
        return null;
    }

    private static CalendarProblem? CheckDays(ProtectionCalendarSpec spec)
    {
        if (spec.PublicHolidays is null || spec.SpecialDays is null || spec.AnnualSpecialDays is null)
        {
            var field = spec.PublicHolidays is null ? "publicHolidays" : spec.SpecialDays is null ? "specialDays" : "annualSpecialDays";
            return new(field, $"{field} must be a list (or left out).");
        }
        var total = spec.PublicHolidays.Count + spec.SpecialDays.Count + spec.AnnualSpecialDays.Count;
        if (total > MaxDays)
        {
            return new("publicHolidays", $"At most {MaxDays} protected days in one calendar (public holidays, special days and annual days together); this one has {total}. Remove past years.");
        }
        var dated = new Dictionary<DateOnly, string>();
        foreach (var (list, name) in new[] { (spec.PublicHolidays, "publicHolidays"), (spec.SpecialDays, "specialDays") })
        {
            for (var i = 0; i < list.Count; i++)
            {
                var field = $"{name}[{i}]";
                var d = list[i];
                if (d is null)
                {
                    return new(field, "A day is null; give date and name.");
                }
                if (d.Date < FirstDate || d.Date > LastDate)
                {
                    return new($"{field}.date", $"{Iso(d.Date)} is outside {Iso(FirstDate)} – {Iso(LastDate)}; check the year.");
                }
                if (CheckName(d.Name, $"{field}.name") is { } p)
                {
                    return p;
                }
                if (dated.TryGetValue(d.Date, out var first))
                {
                    return new($"{field}.date", $"{Iso(d.Date)} is already in {first}; a date is protected once (either a public holiday or a special day).");
                }
                dated[d.Date] = field;
            }
        }
        var annual = new Dictionary<int, string>();
        for (var i = 0; i < spec.AnnualSpecialDays.Count; i++)
        {
            var field = $"annualSpecialDays[{i}]";
            var d = spec.AnnualSpecialDays[i];
            if (d is null)
            {
                return new(field, "A day is null; give month, day and name.");
            }
            if (d.Month is < 1 or > 12 || d.Day < 1 || d.Day > DateTime.DaysInMonth(2000, d.Month))
            {
                return new($"{field}.day", $"{d.Month}/{d.Day} (month/day) is not a day of the year.");
            }
            if (CheckName(d.Name, $"{field}.name") is { } p)
            {
                return p;
            }
            var key = (d.Month * 100) + d.Day;
            if (annual.TryGetValue(key, out var first))
            {
                return new($"{field}.day", $"{d.Month}/{d.Day} is already in {first}; give each annual day once.");
            }
            annual[key] = field;
        }
        try
        {
            // The domain's own checks as the last word (names, calendar days, limits).
            _ = ProtectionCalendar.Create(CheckZone, WeeklyProfile.Empty, Days(spec));
        }
        catch (ArgumentException e)
        {
            return new("publicHolidays", Message(e));
        }
        return null;
    }

    private static CalendarProblem? CheckName(string? name, string field)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return new(field, "A protected day needs a name (it is the reason shown when a cut waits), e.g. \"National Day\".");
        }
        if (name.Trim().Length > MaxNameLength || name.Any(char.IsControl))
        {
            return new(field, $"The name must be 1–{MaxNameLength} printable characters; got {name.Length} characters.");
        }
        return null;
    }

    private static CalendarProblem? WholeMinutes(TimeOnly time, string field) =>
        time.Ticks % TimeSpan.TicksPerMinute == 0
            ? null
            : new(field, $"{time:HH\\:mm\\:ss.FFFFFFF} is not a whole minute; give hours and minutes, e.g. 20:00.");

    private static string Describe(ProtectedWindow w) =>
        $"{w.Day} {w.Start:HH\\:mm} for {(int)w.Length.TotalHours:00}:{w.Length.Minutes:00}";

    private static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    // The domain's messages end with " (Parameter 'x')"; the field already says where.
    private static string Message(ArgumentException e) =>
        e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
}
