// The protection calendar as JSON: times "HH:mm", lengths "hours:minutes" (up to "168:00"), dates "yyyy-MM-dd".
using System.Globalization;
using PrepaidPower.Contracts.Calendar;
using PrepaidPower.Grains.Calendar;
using PrepaidPower.Host.Errors;

namespace PrepaidPower.Host.Api.Calendar;

/// <summary>
/// Replaces a whole calendar. <paramref name="Nights"/> and <paramref name="Weekends"/> must be given (nights null for
/// none) so that a body meant to upload holidays cannot switch the night and weekend protection off by leaving them out.
/// </summary>
/// <param name="Nights">Every day from "from" to "to" local, e.g. {"from": "20:00", "to": "08:00"}; null = none.</param>
/// <param name="Weekends">Saturday 00:00 to Monday 00:00 local.</param>
/// <param name="Windows">Further weekly windows, e.g. {"day": "Wednesday", "start": "12:00", "length": "02:30"}.</param>
/// <param name="PublicHolidays">Whole local days, e.g. {"date": "2025-10-01", "name": "National Day"}.</param>
/// <param name="SpecialDays">Whole local days (not on a public holiday's date).</param>
/// <param name="AnnualSpecialDays">Every year, e.g. {"month": 12, "day": 25, "name": "Christmas Day"}.</param>
/// <param name="ExpectedRevision">The revision you read; if the calendar has changed since, 409 and nothing is written.</param>
public sealed record CalendarBody(
    NightsBody? Nights,
    bool Weekends,
    IReadOnlyList<WindowBody>? Windows = null,
    IReadOnlyList<DayBody>? PublicHolidays = null,
    IReadOnlyList<DayBody>? SpecialDays = null,
    IReadOnlyList<AnnualDayBody>? AnnualSpecialDays = null,
    int? ExpectedRevision = null);

/// <param name="From">Local start, "HH:mm".</param>
/// <param name="To">Local end, "HH:mm"; at or before From means the next day.</param>
public sealed record NightsBody(string From, string To);

/// <param name="Day">Monday … Sunday.</param>
/// <param name="Start">Local start, "HH:mm".</param>
/// <param name="Length">"hours:minutes", 00:01 to 168:00 (a window may run past midnight or over a weekend).</param>
public sealed record WindowBody(string Day, string Start, string Length);

/// <param name="Date">"yyyy-MM-dd".</param>
/// <param name="Name">1–100 characters; shown as the reason a cut waits.</param>
public sealed record DayBody(string Date, string Name);

/// <param name="Month">1–12.</param>
/// <param name="Day">1–31 (29 February: leap years only).</param>
/// <param name="Name">1–100 characters.</param>
public sealed record AnnualDayBody(int Month, int Day, string Name);

/// <summary>Dated days to add; days already there with the same name are left as they are.</summary>
public sealed record DaysBody(IReadOnlyList<DayBody>? PublicHolidays = null, IReadOnlyList<DayBody>? SpecialDays = null);

/// <summary>A calendar and its revision.</summary>
/// <param name="CalendarId">The id; accounts use "default".</param>
/// <param name="Revision">0 = never set (the default content); +1 per accepted change.</param>
/// <param name="IsDefault">True while nobody has set this calendar.</param>
/// <param name="UpdatedAt">When it was last changed (null while default).</param>
/// <param name="UpdatedBy">The API key that last changed it.</param>
/// <param name="Calendar">What it protects: send this object back with PUT (plus expectedRevision) to change it.</param>
public sealed record CalendarResponse(string CalendarId, int Revision, bool IsDefault, DateTimeOffset? UpdatedAt, string? UpdatedBy, CalendarContent Calendar);

/// <summary>What a calendar protects, in the same format as <see cref="CalendarBody"/>.</summary>
public sealed record CalendarContent(
    NightsBody? Nights,
    bool Weekends,
    IReadOnlyList<WindowBody> Windows,
    IReadOnlyList<DayBody> PublicHolidays,
    IReadOnlyList<DayBody> SpecialDays,
    IReadOnlyList<AnnualDayBody> AnnualSpecialDays);

/// <summary>JSON bodies to and from <see cref="ProtectionCalendarSpec"/>; every problem is a 400 naming the field.</summary>
internal static class CalendarJson
{
    private static readonly string[] TimeFormats = ["HH:mm", "H:mm"];

    public static ProtectionCalendarSpec ToSpec(CalendarBody body)
    {
        var spec = new ProtectionCalendarSpec
        {
            Nights = body.Nights is { } n ? new DailyWindowSpec { From = Time(n.From, "nights.from"), To = Time(n.To, "nights.to") } : null,
            Weekends = body.Weekends,
            Windows = [.. (body.Windows ?? []).Select((w, i) => Window(w, $"windows[{i}]"))],
            PublicHolidays = Days(body.PublicHolidays, "publicHolidays"),
            SpecialDays = Days(body.SpecialDays, "specialDays"),
            AnnualSpecialDays = [.. (body.AnnualSpecialDays ?? []).Select((d, i) => d is null
                ? throw ApiRequestException.BadRequest($"annualSpecialDays[{i}]", "An annual day is null; give month, day and name.")
                : new AnnualDaySpec { Month = d.Month, Day = d.Day, Name = d.Name })],
        };
        return Checked(spec);
    }

    public static CalendarDaysRequest ToRequest(DaysBody body)
    {
        var request = new CalendarDaysRequest { PublicHolidays = Days(body.PublicHolidays, "publicHolidays"), SpecialDays = Days(body.SpecialDays, "specialDays") };
        if (request.PublicHolidays.Count + request.SpecialDays.Count == 0)
        {
            throw ApiRequestException.BadRequest("publicHolidays", "Give at least one day to add in publicHolidays or specialDays, e.g. {\"publicHolidays\": [{\"date\": \"2025-10-01\", \"name\": \"National Day\"}]}.");
        }
        _ = Checked(new ProtectionCalendarSpec { PublicHolidays = request.PublicHolidays, SpecialDays = request.SpecialDays });
        return request;
    }

    public static DateOnly Date(string? text, string field) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw ApiRequestException.BadRequest(field, $"{field} '{text}' is not a date; use yyyy-MM-dd, e.g. \"2025-10-01\".");

    public static CalendarResponse ToResponse(ProtectionCalendarView view)
    {
        var c = view.Calendar;
        return new CalendarResponse(
            view.CalendarId,
            view.Revision,
            view.IsDefault,
            view.UpdatedAt,
            view.UpdatedBy,
            new CalendarContent(
                c.Nights is { } n ? new NightsBody(Text(n.From), Text(n.To)) : null,
                c.Weekends,
                [.. c.Windows.Select(w => new WindowBody(w.Day.ToString(), Text(w.Start), $"{(int)w.Length.TotalHours:00}:{w.Length.Minutes:00}"))],
                [.. c.PublicHolidays.Select(d => new DayBody(Text(d.Date), d.Name))],
                [.. c.SpecialDays.Select(d => new DayBody(Text(d.Date), d.Name))],
                [.. c.AnnualSpecialDays.Select(d => new AnnualDayBody(d.Month, d.Day, d.Name))]));
    }

    // The same rules the grain applies, so the 400 can name the field.
    private static ProtectionCalendarSpec Checked(ProtectionCalendarSpec spec) =>
        ProtectionCalendarRules.Check(spec) is { } problem ? throw ApiRequestException.BadRequest(problem.Field, $"{problem.Field}: {problem.Message}") : spec;

    private static CalendarDaySpec[] Days(IReadOnlyList<DayBody>? days, string field) =>
        [.. (days ?? []).Select((d, i) => d is null
            ? throw ApiRequestException.BadRequest($"{field}[{i}]", "A day is null; give date and name.")
            : new CalendarDaySpec { Date = Date(d.Date, $"{field}[{i}].date"), Name = d.Name })];

    private static WeeklyWindowSpec Window(WindowBody? w, string field)
    {
        if (w is null)
        {
            throw ApiRequestException.BadRequest(field, "A window is null; give day, start and length, e.g. {\"day\": \"Wednesday\", \"start\": \"12:00\", \"length\": \"02:30\"}.");
        }
        if (!Enum.TryParse<DayOfWeek>(w.Day, ignoreCase: true, out var day) || !Enum.IsDefined(day) || w.Day.Any(char.IsDigit))
        {
            throw ApiRequestException.BadRequest($"{field}.day", $"{field}.day '{w.Day}' is not a day of the week; use Monday … Sunday.");
        }
        return new WeeklyWindowSpec { Day = day, Start = Time(w.Start, $"{field}.start"), Length = Length(w.Length, $"{field}.length") };
    }

    private static TimeOnly Time(string? text, string field) =>
        TimeOnly.TryParseExact(text, TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            ? time
            : throw ApiRequestException.BadRequest(field, $"{field} '{text}' is not a time of day; use HH:mm, e.g. \"20:00\" (midnight is \"00:00\").");

    private static TimeSpan Length(string? text, string field)
    {
        var parts = (text ?? "").Split(':');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var hours) && hours <= 168
            && parts[1].Length == 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minutes) && minutes < 60)
        {
            return new TimeSpan(hours, minutes, 0);
        }
        throw ApiRequestException.BadRequest(field, $"{field} '{text}' is not a length; use hours:minutes from \"00:01\" to \"168:00\", e.g. \"02:30\" or \"48:00\".");
    }

    private static string Text(TimeOnly time) => time.ToString("HH:mm", CultureInfo.InvariantCulture);

    private static string Text(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
