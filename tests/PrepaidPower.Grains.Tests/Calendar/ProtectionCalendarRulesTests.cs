using PrepaidPower.Contracts.Calendar;
using PrepaidPower.Domain.Protection;
using PrepaidPower.Grains.Calendar;

namespace PrepaidPower.Grains.Tests.Calendar;

[Trait("Category", "Unit")]
public sealed class ProtectionCalendarRulesTests
{
    private static readonly TimeSpan ShanghaiOffset = TimeSpan.FromHours(8);

    private static readonly CalendarDaySpec NationalDay = new() { Date = new DateOnly(2025, 10, 1), Name = "National Day" };

    public static TheoryData<string, string, string> Invalid => new()
    {
        { "nights with seconds", "nights.from", "not a whole minute" },
        { "nights all day", "nights.to", "every hour of every day" },
        { "window zero length", "windows[0].length", "1 minute to 7 days" },
        { "window eight days", "windows[0].length", "1 minute to 7 days" },
        { "window 90 seconds", "windows[0].length", "whole number of minutes" },
        { "window bad day", "windows[0].day", "not a day of the week" },
        { "window repeats weekends", "windows[0]", "repeats weekends" },
        { "window repeats window", "windows[1]", "repeats windows[0]" },
        { "whole week", "windows", "every minute of the week" },
        { "too many windows", "windows", "At most 64 weekly windows" },
        { "holiday twice", "publicHolidays[1].date", "already in publicHolidays[0]" },
        { "holiday also special", "specialDays[0].date", "already in publicHolidays[0]" },
        { "holiday no name", "publicHolidays[0].name", "needs a name" },
        { "holiday long name", "publicHolidays[0].name", "1–100 printable characters" },
        { "holiday year typo", "publicHolidays[0].date", "check the year" },
        { "annual 30 February", "annualSpecialDays[0].day", "2/30 (month/day) is not a day of the year" },
        { "annual twice", "annualSpecialDays[1].day", "12/25 is already in annualSpecialDays[0]" },
        { "too many days", "publicHolidays", "At most 2000 protected days" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Check_InvalidCalendar_NamesFieldAndReason(string name, string field, string reason)
    {
        var problem = ProtectionCalendarRules.Check(Case(name));

        Assert.NotNull(problem);
        Assert.Equal(field, problem.Field);
        Assert.Contains(reason, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_DefaultEmptyAndFullCalendars_Valid()
    {
        var full = new ProtectionCalendarSpec
        {
            Nights = new() { From = new TimeOnly(21, 30), To = new TimeOnly(7, 0) },
            Weekends = true,
            Windows = [new() { Day = DayOfWeek.Friday, Start = new TimeOnly(18, 0), Length = TimeSpan.FromHours(6) }],
            PublicHolidays = [NationalDay],
            SpecialDays = [new() { Date = new DateOnly(2025, 10, 2), Name = "Festival" }],
            AnnualSpecialDays = [new() { Month = 2, Day = 29, Name = "Leap day" }],
        };

        Assert.Null(ProtectionCalendarRules.Check(ProtectionCalendarSpec.Default));
        Assert.Null(ProtectionCalendarRules.Check(ProtectionCalendarSpec.Empty));
        Assert.Null(ProtectionCalendarRules.Check(full));
        Assert.NotNull(ProtectionCalendarRules.Check(null));
    }

    [Theory]
    [InlineData("2025-07-01T07:59", true)]  // Tuesday, end of the night
    [InlineData("2025-07-01T08:00", false)]
    [InlineData("2025-07-01T19:59", false)]
    [InlineData("2025-07-01T20:00", true)]
    [InlineData("2025-07-04T12:00", false)] // Friday noon
    [InlineData("2025-07-05T00:00", true)]  // Saturday: the weekend
    [InlineData("2025-07-06T23:59", true)]  // Sunday
    [InlineData("2025-07-07T08:00", false)] // Monday 08:00
    public void Build_Default_NightsTwentyToEightAndWholeWeekends(string localShanghai, bool isProtected)
    {
        var calendar = ProtectionCalendarRules.Build(ProtectionCalendarSpec.Default, "Asia/Shanghai");

        Assert.Equal(isProtected, calendar.Evaluate(Local(localShanghai)).IsProtected);
    }

    [Fact]
    public void Build_Default_SaturdayNightNextUnprotectedIsMonday0800()
    {
        var calendar = ProtectionCalendarRules.Build(ProtectionCalendarSpec.Default, "Asia/Shanghai");

        Assert.Equal(Local("2025-07-07T08:00"), calendar.NextUnprotected(Local("2025-07-05T22:00")));
    }

    [Fact]
    public void Build_HolidaysAndAnnualDays_ProtectWholeLocalDaysWithTheirNames()
    {
        var spec = ProtectionCalendarSpec.Empty with
        {
            PublicHolidays = [NationalDay],
            AnnualSpecialDays = [new() { Month = 12, Day = 25, Name = "Christmas Day" }],
        };
        var calendar = ProtectionCalendarRules.Build(spec, "Asia/Shanghai");

        var holiday = calendar.Evaluate(Local("2025-10-01T10:00"));
        var christmas = calendar.Evaluate(Local("2031-12-25T23:00"));

        Assert.Equal((true, ProtectionKind.PublicHoliday, "National Day", (DateTimeOffset?)Local("2025-10-02T00:00")), (holiday.IsProtected, holiday.Kind, holiday.Reason, holiday.Until));
        Assert.Equal((ProtectionKind.SpecialDay, "Christmas Day"), (christmas.Kind, christmas.Reason));
        Assert.False(calendar.Evaluate(Local("2025-10-02T00:00")).IsProtected);
    }

    [Fact]
    public void Build_SameCalendarInAnotherZone_WindowsFollowThatZonesClock()
    {
        var london = ProtectionCalendarRules.Build(ProtectionCalendarSpec.Default, "Europe/London");

        // Tuesday 1 July 2025, 19:30 UTC = 20:30 BST: night in London (03:30 Wednesday in Shanghai is night too).
        Assert.True(london.Evaluate(new DateTimeOffset(2025, 7, 1, 19, 30, 0, TimeSpan.Zero)).IsProtected);
        // 07:30 UTC = 08:30 BST: day in London, though 15:30 in Shanghai would be day as well; 06:30 UTC = 07:30 BST: night.
        Assert.False(london.Evaluate(new DateTimeOffset(2025, 7, 1, 7, 30, 0, TimeSpan.Zero)).IsProtected);
        Assert.True(london.Evaluate(new DateTimeOffset(2025, 7, 1, 6, 30, 0, TimeSpan.Zero)).IsProtected);
    }

    [Fact]
    public void Normalize_TrimsNamesAndSortsDays_SameAsComparesContent()
    {
        var spec = ProtectionCalendarSpec.Empty with
        {
            PublicHolidays = [new() { Date = new DateOnly(2025, 10, 2), Name = " B " }, new() { Date = new DateOnly(2025, 10, 1), Name = "A" }],
            AnnualSpecialDays = [new() { Month = 12, Day = 25, Name = "X" }, new() { Month = 1, Day = 1, Name = "Y" }],
        };

        var normalized = ProtectionCalendarRules.Normalize(spec);

        Assert.Equal(["2025-10-01 A", "2025-10-02 B"], normalized.PublicHolidays.Select(d => $"{d.Date:yyyy-MM-dd} {d.Name}"));
        Assert.Equal([1, 12], normalized.AnnualSpecialDays.Select(d => d.Month));
        Assert.True(normalized.SameAs(ProtectionCalendarRules.Normalize(normalized)));
        Assert.False(normalized.SameAs(spec));
    }

    private static DateTimeOffset Local(string shanghai) => new(DateTime.Parse(shanghai, System.Globalization.CultureInfo.InvariantCulture), ShanghaiOffset);

    private static ProtectionCalendarSpec Case(string name)
    {
        var noon = new TimeOnly(12, 0);
        WeeklyWindowSpec Window(DayOfWeek day, double hours) => new() { Day = day, Start = noon, Length = TimeSpan.FromHours(hours) };
        var empty = ProtectionCalendarSpec.Empty;
        return name switch
        {
            "nights with seconds" => empty with { Nights = new() { From = new TimeOnly(20, 0, 30), To = new TimeOnly(8, 0) } },
            "nights all day" => empty with { Nights = new() { From = new TimeOnly(20, 0), To = new TimeOnly(20, 0) } },
            "window zero length" => empty with { Windows = [Window(DayOfWeek.Monday, 0)] },
            "window eight days" => empty with { Windows = [Window(DayOfWeek.Monday, 24 * 8)] },
            "window 90 seconds" => empty with { Windows = [Window(DayOfWeek.Monday, 0.025)] },
            "window bad day" => empty with { Windows = [Window((DayOfWeek)7, 1)] },
            "window repeats weekends" => empty with { Weekends = true, Windows = [new() { Day = DayOfWeek.Saturday, Start = TimeOnly.MinValue, Length = TimeSpan.FromDays(2) }] },
            "window repeats window" => empty with { Windows = [Window(DayOfWeek.Monday, 2), Window(DayOfWeek.Monday, 2)] },
            "whole week" => empty with { Weekends = true, Windows = [new() { Day = DayOfWeek.Monday, Start = TimeOnly.MinValue, Length = TimeSpan.FromDays(5) }] },
            "too many windows" => empty with { Windows = [.. Enumerable.Range(0, 65).Select(i => new WeeklyWindowSpec { Day = DayOfWeek.Monday, Start = TimeOnly.FromTimeSpan(TimeSpan.FromMinutes(i)), Length = TimeSpan.FromMinutes(1) })] },
            "holiday twice" => empty with { PublicHolidays = [NationalDay, NationalDay with { Name = "Again" }] },
            "holiday also special" => empty with { PublicHolidays = [NationalDay], SpecialDays = [NationalDay] },
            "holiday no name" => empty with { PublicHolidays = [NationalDay with { Name = "  " }] },
            "holiday long name" => empty with { PublicHolidays = [NationalDay with { Name = new string('x', 101) }] },
            "holiday year typo" => empty with { PublicHolidays = [NationalDay with { Date = new DateOnly(202, 10, 1) }] },
            "annual 30 February" => empty with { AnnualSpecialDays = [new() { Month = 2, Day = 30, Name = "No such day" }] },
            "annual twice" => empty with { AnnualSpecialDays = [new() { Month = 12, Day = 25, Name = "A" }, new() { Month = 12, Day = 25, Name = "B" }] },
            "too many days" => empty with { PublicHolidays = [.. Enumerable.Range(0, 2_001).Select(i => new CalendarDaySpec { Date = new DateOnly(2030, 1, 1).AddDays(i), Name = "Day " + i })] },
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown case"),
        };
    }
}
