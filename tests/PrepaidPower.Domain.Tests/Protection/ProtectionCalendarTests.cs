using PrepaidPower.Domain.Protection;

namespace PrepaidPower.Domain.Tests.Protection;

[Trait("Category", "Unit")]
public sealed class ProtectionCalendarTests
{
    private static DateTimeOffset Utc(int year, int month, int day, int hour, int minute = 0) =>
        new(year, month, day, hour, minute, 0, TimeSpan.Zero);

    private static ProtectionCalendar NightsAndWeekends(params ProtectedDay[] days) => ProtectionCalendar.Create(
        "Europe/London",
        WeeklyProfile.Of(ProtectedWindow.Daily(new TimeOnly(20, 0), new TimeOnly(8, 0)), [ProtectedWindow.Weekend()]),
        days);

    [Theory]
    [InlineData(2026, 1, 6, 12, 0, false)] // Tuesday noon
    [InlineData(2026, 1, 6, 7, 59, true)] // Tuesday before 08:00
    [InlineData(2026, 1, 6, 8, 0, false)] // window end is exclusive
    [InlineData(2026, 1, 6, 20, 0, true)] // window start is inclusive
    [InlineData(2026, 1, 10, 12, 0, true)] // Saturday
    [InlineData(2026, 1, 11, 23, 0, true)] // Sunday night
    public void Evaluate_WeeklyProfile_ProtectsNightsAndWeekends(int y, int m, int d, int h, int min, bool expected)
    {
        Assert.Equal(expected, NightsAndWeekends().Evaluate(Utc(y, m, d, h, min)).IsProtected);
    }

    [Fact]
    public void NextUnprotected_SaturdayNight_IsMondayEight()
    {
        Assert.Equal(Utc(2026, 1, 12, 8), NightsAndWeekends().NextUnprotected(Utc(2026, 1, 10, 22)));
        Assert.Equal(Utc(2026, 1, 6, 12), NightsAndWeekends().NextUnprotected(Utc(2026, 1, 6, 12)));
    }

    [Fact]
    public void Evaluate_PublicHoliday_NamesItAndChainsToNextFreeMorning()
    {
        var calendar = NightsAndWeekends(ProtectedDay.PublicHoliday(new DateOnly(2026, 5, 4), "Early May bank holiday"));
        var status = calendar.Evaluate(Utc(2026, 5, 4, 11)); // Monday 12:00 BST
        Assert.Equal((true, ProtectionKind.PublicHoliday, "Early May bank holiday"), (status.IsProtected, status.Kind, status.Reason));
        Assert.Equal(Utc(2026, 5, 5, 7), status.Until); // Tuesday 08:00 BST
    }

    [Fact]
    public void Evaluate_AnnualSpecialDay_RecursEveryYear()
    {
        var calendar = ProtectionCalendar.Create("Asia/Shanghai", WeeklyProfile.Empty, [ProtectedDay.AnnualSpecialDay(10, 1, "National Day")]);
        var status = calendar.Evaluate(Utc(2031, 10, 1, 2)); // 10:00 in Shanghai (UTC+8)
        Assert.Equal((ProtectionKind.SpecialDay, "National Day"), (status.Kind!.Value, status.Reason));
        Assert.Equal(Utc(2031, 10, 1, 16), status.Until); // local midnight
    }

    [Fact]
    public void Evaluate_AccountProtectionsTakePrecedenceOverCalendar()
    {
        var account = AccountProtections.None
            .With(AccountProtection.WeatherHold(Utc(2026, 1, 20, 12), "North", "cold"))
            .With(AccountProtection.Medical(Utc(2026, 1, 15, 12), "ventilator"));
        var status = NightsAndWeekends().Evaluate(Utc(2026, 1, 10, 12), account);
        Assert.Equal((ProtectionKind.Medical, "ventilator"), (status.Kind!.Value, status.Reason));
        Assert.Equal(Utc(2026, 1, 20, 12), status.Until); // Tuesday noon: all protections ended
    }

    [Fact]
    public void NextUnprotected_WindowEndInSpringForwardGap_IsTheJump()
    {
        // 29 March 2026: London clocks go from 01:00 GMT to 02:00 BST; a 20:00–01:30 window ends when the clock jumps.
        var calendar = ProtectionCalendar.Create("Europe/London", WeeklyProfile.Of(ProtectedWindow.Daily(new TimeOnly(20, 0), new TimeOnly(1, 30))));
        Assert.True(calendar.Evaluate(Utc(2026, 3, 29, 0, 45)).IsProtected);
        Assert.Equal(Utc(2026, 3, 29, 1), calendar.NextUnprotected(Utc(2026, 3, 29, 0, 45)));
    }

    [Fact]
    public void Evaluate_FallBack_WindowFollowsTheWallClock()
    {
        // 25 October 2026: 02:00 BST → 01:00 GMT. 01:30 local first occurs at 00:30 UTC and again at 01:30 UTC.
        var calendar = ProtectionCalendar.Create("Europe/London", WeeklyProfile.Of(ProtectedWindow.Daily(new TimeOnly(20, 0), new TimeOnly(1, 30))));
        Assert.Equal(Utc(2026, 10, 25, 0, 30), calendar.NextUnprotected(Utc(2026, 10, 25, 0, 10)));
        var repeated = calendar.Evaluate(Utc(2026, 10, 25, 1, 10)); // 01:10 GMT, the second pass
        Assert.True(repeated.IsProtected);
        Assert.Equal(Utc(2026, 10, 25, 1, 30), repeated.Until);
    }

    [Fact]
    public void AddLocalDays_AcrossSpringForward_KeepsWallClock()
    {
        var calendar = NightsAndWeekends();
        Assert.Equal(Utc(2026, 3, 29, 11), calendar.AddLocalDays(Utc(2026, 3, 28, 12), 1));
        Assert.Equal(Utc(2026, 4, 28, 11), calendar.AddLocalMonths(Utc(2026, 3, 28, 12), 1));
    }

    [Fact]
    public void Evaluate_SeasonalProfiles_UseTheSeasonOfTheDay()
    {
        // People's Energy: summer 21:00–09:00, winter 20:00–08:00.
        var calendar = ProtectionCalendar.Create(
            "Europe/London",
            [
                SeasonalProfile.Create(4, 1, WeeklyProfile.Of(ProtectedWindow.Daily(new TimeOnly(21, 0), new TimeOnly(9, 0)))),
                SeasonalProfile.Create(10, 1, WeeklyProfile.Of(ProtectedWindow.Daily(new TimeOnly(20, 0), new TimeOnly(8, 0)))),
            ]);
        Assert.False(calendar.Evaluate(Utc(2026, 7, 1, 19, 30)).IsProtected); // 20:30 BST, summer
        Assert.True(calendar.Evaluate(Utc(2026, 7, 2, 7, 30)).IsProtected); // 08:30 BST, summer
        Assert.True(calendar.Evaluate(Utc(2026, 1, 15, 20, 30)).IsProtected); // 20:30 GMT, winter (season wraps from October)
        Assert.False(calendar.Evaluate(Utc(2026, 1, 16, 8, 30)).IsProtected);
    }

    [Fact]
    public void NextUnprotected_AlwaysProtected_GivesUpAtHorizon()
    {
        var calendar = ProtectionCalendar.Create("Europe/London", WeeklyProfile.Of(Enum.GetValues<DayOfWeek>().Select(ProtectedWindow.WholeDay)));
        Assert.Null(calendar.NextUnprotected(Utc(2026, 1, 6, 12)));
        var status = calendar.Evaluate(Utc(2026, 1, 6, 12));
        Assert.True(status.IsProtected);
        Assert.Null(status.Until);
    }

    [Fact]
    public void Create_UnknownZone_ClearError()
    {
        var e = Assert.Throws<ArgumentException>(() => ProtectionCalendar.None("Mars/Olympus"));
        Assert.StartsWith("'Mars/Olympus' is not a known IANA time zone", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProtectedWindow_BadLength_Rejected()
    {
        Assert.Throws<ArgumentException>(() => ProtectedWindow.Create(DayOfWeek.Monday, TimeOnly.MinValue, TimeSpan.FromDays(8)));
        Assert.Equal(TimeSpan.FromHours(12), ProtectedWindow.Daily(new TimeOnly(20, 0), new TimeOnly(8, 0))[0].Length);
    }

    [Fact]
    public void AccountProtection_KeepSupplyOnWithoutOperator_Rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => AccountProtection.KeepSupplyOn(Utc(2026, 1, 1, 0), "festival", " "));
        Assert.Equal("operatorId", e.ParamName);
    }
}
