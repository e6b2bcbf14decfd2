using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.TestingHost;
using PrepaidPower.Contracts.Calendar;
using PrepaidPower.Contracts.Errors;
using PrepaidPower.Grains.Calendar;

namespace PrepaidPower.Grains.Tests.Calendar;

/// <summary>The calendar grain on its own: each test uses a calendar id of its own.</summary>
[Collection(CalendarCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class ProtectionCalendarGrainTests(CalendarClusterFixture fixture)
{
    private static readonly DateOnly NationalDay = new(2025, 10, 1);

    private static readonly ProtectionCalendarSpec Shanghai2025 = new()
    {
        Nights = new() { From = new TimeOnly(22, 0), To = new TimeOnly(6, 30) },
        Weekends = false,
        Windows = [new() { Day = DayOfWeek.Sunday, Start = new TimeOnly(0, 0), Length = TimeSpan.FromDays(1) }],
        PublicHolidays = [new() { Date = NationalDay.AddDays(1), Name = "National Day holiday " }, new() { Date = NationalDay, Name = "National Day" }],
        SpecialDays = [new() { Date = new DateOnly(2025, 7, 15), Name = "Heat emergency" }],
        AnnualSpecialDays = [new() { Month = 12, Day = 25, Name = "Christmas Day" }, new() { Month = 2, Day = 29, Name = "Leap day" }],
    };

    private IProtectionCalendarGrain NewCalendar() => fixture.Client.GetGrain<IProtectionCalendarGrain>("cal-" + Guid.NewGuid().ToString("N")[..10]);

    [Fact]
    public async Task Get_NeverSet_NightsTwentyToEightAndWeekendsNoHolidays()
    {
        var view = await NewCalendar().GetAsync();

        Assert.Equal((0, true, (DateTimeOffset?)null, (string?)null), (view.Revision, view.IsDefault, view.UpdatedAt, view.UpdatedBy));
        Assert.Equal(new DailyWindowSpec { From = new TimeOnly(20, 0), To = new TimeOnly(8, 0) }, view.Calendar.Nights);
        Assert.True(view.Calendar.Weekends);
        Assert.Empty(view.Calendar.Windows);
        Assert.Empty(view.Calendar.PublicHolidays);
        Assert.Empty(view.Calendar.SpecialDays);
        Assert.Empty(view.Calendar.AnnualSpecialDays);
        Assert.Equal(0, await NewCalendar().GetRevisionAsync());
    }

    [Fact]
    public async Task Set_ThenGet_RoundTripsSortedAndTrimmedWithRevisionAndOperator()
    {
        var calendar = NewCalendar();

        var set = await calendar.SetAsync(Shanghai2025, "op-7");
        var read = await calendar.GetAsync();

        Assert.Equal((1, false, "op-7", (DateTimeOffset?)fixture.Time.GetUtcNow()), (read.Revision, read.IsDefault, read.UpdatedBy, read.UpdatedAt));
        Assert.Equal(set, read with { Calendar = set.Calendar });
        Assert.True(read.Calendar.SameAs(set.Calendar));
        Assert.Equal(Shanghai2025.Nights, read.Calendar.Nights);
        Assert.False(read.Calendar.Weekends);
        Assert.Equal(Shanghai2025.Windows, read.Calendar.Windows);
        Assert.Equal([(NationalDay, "National Day"), (NationalDay.AddDays(1), "National Day holiday")], read.Calendar.PublicHolidays.Select(d => (d.Date, d.Name)));
        Assert.Equal(Shanghai2025.SpecialDays, read.Calendar.SpecialDays);
        Assert.Equal(["2/29 Leap day", "12/25 Christmas Day"], read.Calendar.AnnualSpecialDays.Select(d => $"{d.Month}/{d.Day} {d.Name}"));
        Assert.Equal(1, await calendar.GetRevisionAsync());
    }

    [Fact]
    public async Task Set_SameContentAgain_SameRevision_OtherContentNextRevision()
    {
        var calendar = NewCalendar();
        await calendar.SetAsync(Shanghai2025, "op-7");

        var again = await calendar.SetAsync(Shanghai2025, "op-8");
        var changed = await calendar.SetAsync(Shanghai2025 with { Weekends = true }, "op-8");

        Assert.Equal((1, "op-7"), (again.Revision, again.UpdatedBy));
        Assert.Equal((2, "op-8", true), (changed.Revision, changed.UpdatedBy, changed.Calendar.Weekends));
    }

    [Fact]
    public async Task Set_Invalid_RejectedNamingTheFieldAndNothingWritten()
    {
        var calendar = NewCalendar();
        await calendar.SetAsync(Shanghai2025, "op-7");
        var before = await calendar.GetAsync();
        var duplicateDate = Shanghai2025 with { SpecialDays = [new() { Date = NationalDay, Name = "Festival" }] };
        var badLength = Shanghai2025 with { Windows = [new() { Day = DayOfWeek.Monday, Start = new TimeOnly(12, 0), Length = TimeSpan.FromDays(8) }] };

        var e1 = await Assert.ThrowsAsync<InvalidRequestException>(() => calendar.SetAsync(duplicateDate, "op-7"));
        var e2 = await Assert.ThrowsAsync<InvalidRequestException>(() => calendar.SetAsync(badLength, "op-7"));
        var e3 = await Assert.ThrowsAsync<InvalidRequestException>(() => calendar.SetAsync(Shanghai2025, " "));

        Assert.Equal(ErrorCodes.InvalidField, e1.Code);
        Assert.StartsWith("specialDays[0].date: 2025-10-01 is already in publicHolidays[1]", e1.Message, StringComparison.Ordinal);
        Assert.StartsWith("windows[0].length: A protected window lasts 1 minute to 7 days", e2.Message, StringComparison.Ordinal);
        Assert.Contains("operatorId", e3.Message, StringComparison.Ordinal);
        var after = await calendar.GetAsync();
        Assert.Equal(before with { Calendar = after.Calendar }, after);
        Assert.True(before.Calendar.SameAs(after.Calendar));
    }

    [Fact]
    public async Task Set_StaleExpectedRevision_ConflictAndNothingWritten_CurrentRevisionAccepted()
    {
        var calendar = NewCalendar();
        await calendar.SetAsync(Shanghai2025, "op-7");

        var stale = await Assert.ThrowsAsync<ConflictException>(() => calendar.SetAsync(ProtectionCalendarSpec.Empty, "op-8", expectedRevision: 0));
        Assert.Equal(1, await calendar.GetRevisionAsync());
        var accepted = await calendar.SetAsync(ProtectionCalendarSpec.Empty, "op-8", expectedRevision: 1);

        Assert.Equal(CalendarErrorCodes.RevisionMismatch, stale.Code);
        Assert.Contains("revision 1, not 0", stale.Message, StringComparison.Ordinal);
        Assert.Equal(2, accepted.Revision);
        Assert.True(accepted.Calendar.SameAs(ProtectionCalendarSpec.Empty));
    }

    [Fact]
    public async Task AddDays_KeepsTheRest_SameDayAgainIsNoOp_OtherNameIsConflict()
    {
        var calendar = NewCalendar(); // never set: the default nights and weekends stay
        var spring = new CalendarDaySpec { Date = new DateOnly(2026, 2, 17), Name = "Spring Festival" };
        var fair = new CalendarDaySpec { Date = new DateOnly(2026, 3, 3), Name = "Lantern fair" };

        var added = await calendar.AddDaysAsync(new CalendarDaysRequest { PublicHolidays = [spring], SpecialDays = [fair] }, "op-7");
        var again = await calendar.AddDaysAsync(new CalendarDaysRequest { PublicHolidays = [spring with { Name = " Spring Festival" }] }, "op-8");
        var clash = await Assert.ThrowsAsync<ConflictException>(() => calendar.AddDaysAsync(new CalendarDaysRequest { SpecialDays = [spring with { Name = "Temple fair" }] }, "op-8"));
        var bad = await Assert.ThrowsAsync<InvalidRequestException>(() => calendar.AddDaysAsync(new CalendarDaysRequest { PublicHolidays = [spring, spring] }, "op-8"));

        Assert.Equal((1, true), (added.Revision, added.Calendar.Weekends));
        Assert.Equal(ProtectionCalendarSpec.Default.Nights, added.Calendar.Nights);
        Assert.Equal([spring], added.Calendar.PublicHolidays);
        Assert.Equal([fair], added.Calendar.SpecialDays);
        Assert.Equal((1, "op-7"), (again.Revision, again.UpdatedBy));
        Assert.Equal(CalendarErrorCodes.DayExists, clash.Code);
        Assert.Contains("public holiday \"Spring Festival\"", clash.Message, StringComparison.Ordinal);
        Assert.StartsWith("publicHolidays[1].date:", bad.Message, StringComparison.Ordinal);
        Assert.Equal(1, await calendar.GetRevisionAsync());
    }

    [Fact]
    public async Task RemoveDay_RemovesThatDateOnly_UnknownDateIsNotFound()
    {
        var calendar = NewCalendar();
        await calendar.SetAsync(Shanghai2025, "op-7");

        var removed = await calendar.RemoveDayAsync(NationalDay, "op-8");
        var missing = await Assert.ThrowsAsync<NotFoundException>(() => calendar.RemoveDayAsync(NationalDay, "op-8"));

        Assert.Equal((2, "op-8"), (removed.Revision, removed.UpdatedBy));
        Assert.Equal([NationalDay.AddDays(1)], removed.Calendar.PublicHolidays.Select(d => d.Date));
        Assert.Equal(Shanghai2025.SpecialDays, removed.Calendar.SpecialDays);
        Assert.Equal(2, removed.Calendar.AnnualSpecialDays.Count);
        Assert.Equal(CalendarErrorCodes.DayNotFound, missing.Code);
        Assert.Equal(2, await calendar.GetRevisionAsync());
    }

    [Fact]
    public void State_NormalizedCalendar_RoundTripsThroughOrleansSerializer()
    {
        // The PostgreSQL storage writes state with the Orleans serializer: what Normalize builds must survive it.
        var serializer = ((InProcessSiloHandle)fixture.Cluster.Primary!).SiloHost!.Services.GetRequiredService<Serializer>();
        var state = new ProtectionCalendarState { Revision = 3, Calendar = ProtectionCalendarRules.Normalize(Shanghai2025), UpdatedAt = fixture.Time.GetUtcNow(), UpdatedBy = "op-7" };

        var copy = serializer.Deserialize<ProtectionCalendarState>(serializer.SerializeToArray(state));

        Assert.NotNull(copy);
        Assert.Equal((3, state.UpdatedAt, "op-7"), (copy.Revision, copy.UpdatedAt, copy.UpdatedBy));
        Assert.True(copy.Calendar.SameAs(state.Calendar));
        Assert.Equal(Shanghai2025.Windows, copy.Calendar.Windows);
    }
}
