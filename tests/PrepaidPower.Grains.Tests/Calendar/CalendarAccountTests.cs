using PrepaidPower.Contracts.Accounts;
using PrepaidPower.Contracts.Calendar;
using PrepaidPower.Domain.Credit;

namespace PrepaidPower.Grains.Tests.Calendar;

/// <summary>
/// Accounts and the shared calendar they use. The default calendar of this cluster is changed by these tests, so each
/// sets the calendar it needs first; the clock only moves forward, and each test works on days no other test uses.
/// Worked numbers: 20 kWh at the Shanghai peak rate 0.617 = 12.34, so a 10.00 balance falls to −2.34.
/// </summary>
[Collection(CalendarCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class CalendarAccountTests(CalendarClusterFixture fixture)
{
    [Fact]
    public async Task CutDueOnPublicHoliday_SetThroughCalendarGrain_DeferredToEndOfNextNight()
    {
        var wednesday = fixture.Next(DayOfWeek.Wednesday, 9);
        var holiday = LocalDate(wednesday);
        await fixture.DefaultCalendar.SetAsync(ProtectionCalendarSpec.Default with { PublicHolidays = [new() { Date = holiday, Name = "Founders' Day" }] }, "op-cal");
        var s = new CalendarScenario(fixture);
        await s.StartAsync(wednesday, 1_000, CalendarScenario.NoGrace);

        var result = await s.ReadAsync(wednesday.AddHours(1), 20_000); // Wednesday 10:00, a public holiday

        Assert.Equal(1_234, result.ChargedMinor);
        var thursday0800 = wednesday.AddHours(23); // the holiday, then the night 20:00–08:00: one protected stretch
        var balance = await s.Account.GetBalanceAsync();
        Assert.Equal((-234L, "DisconnectionDeferred", (DateTimeOffset?)thursday0800), (balance.Balance.Minor, balance.CreditStatus, balance.Deadline));
        var deferred = await s.LastEventAsync(CreditEventCodes.DisconnectionDeferredProtected);
        Assert.Equal(("PublicHoliday: Founders' Day", (DateTimeOffset?)thursday0800), (deferred.Reason, deferred.Until));
        Assert.Null((await s.Meter.GetSupplyAsync()).Pending);
    }

    [Fact]
    public async Task HolidayRemoved_AfterCacheInterval_AccountUsesNewCalendarAndCuts()
    {
        var tuesday = fixture.Next(DayOfWeek.Tuesday, 21);
        var wednesday = LocalDate(tuesday).AddDays(1);
        var nightsOnly = new ProtectionCalendarSpec { Nights = ProtectionCalendarSpec.Default.Nights };
        await fixture.DefaultCalendar.SetAsync(nightsOnly with { PublicHolidays = [new() { Date = wednesday, Name = "Storm Day" }] }, "op-cal");
        var twelveHours = new CreditPolicySpec { NoticePeriod = TimeSpan.FromHours(12), GracePeriod = TimeSpan.FromHours(12), EmergencyCreditLimitMinor = 0 };
        var s = new CalendarScenario(fixture);
        await s.StartAsync(tuesday, 1_000, twelveHours);
        await s.ReadAsync(tuesday.AddHours(1), 20_000); // Tuesday 22:00: arrears, grace until Wednesday 10:00
        var arrears = await s.Account.GetBalanceAsync();
        Assert.Equal(("Arrears", (DateTimeOffset?)tuesday.AddHours(13)), (arrears.CreditStatus, arrears.Deadline));

        // The operator takes the holiday out; twelve hours later (far past the one-minute check) the account knows.
        await fixture.DefaultCalendar.RemoveDayAsync(wednesday, "op-cal");
        await s.ReadAsync(tuesday.AddHours(13), 1); // Wednesday 10:00: grace over, no longer a holiday

        var balance = await s.Account.GetBalanceAsync();
        Assert.Equal(("DisconnectionDue", (DateTimeOffset?)null), (balance.CreditStatus, balance.Deadline));
        var events = await s.Account.GetRecentEventsAsync(32);
        Assert.DoesNotContain(events, e => e.Code == CreditEventCodes.DisconnectionDeferredProtected);
        var supply = await s.Meter.GetSupplyAsync();
        Assert.Equal(("DisconnectRequested", "Open"), (supply.Status, supply.Pending?.Kind));
    }

    [Fact]
    public async Task HolidayAddedSecondsBeforeCut_WithinCacheInterval_CalendarRecheckedAndCutDeferred()
    {
        var thursday = fixture.Next(DayOfWeek.Thursday, 9);
        await fixture.DefaultCalendar.SetAsync(ProtectionCalendarSpec.Empty, "op-cal");
        var s = new CalendarScenario(fixture);
        await s.StartAsync(thursday, 1_000, CalendarScenario.NoGrace);
        fixture.ClockTo(thursday.AddMinutes(59.5)); // 09:59:30: a payment makes this silo read the (empty) calendar now
        await s.Account.TopUpAsync(new() { Id = "pay-2-" + s.AccountId, Amount = new(1, "CNY"), Channel = "wechat" });

        await fixture.DefaultCalendar.AddDaysAsync(new CalendarDaysRequest { PublicHolidays = [new() { Date = LocalDate(thursday), Name = "Typhoon Day" }] }, "op-cal");
        await s.ReadAsync(thursday.AddHours(1), 20_000); // 10:00, 30 s later: the cache is still fresh, but a cut re-checks

        var friday0000 = thursday.AddHours(15);
        var balance = await s.Account.GetBalanceAsync();
        Assert.Equal((-233L, "DisconnectionDeferred", (DateTimeOffset?)friday0000), (balance.Balance.Minor, balance.CreditStatus, balance.Deadline));
        var deferred = await s.LastEventAsync(CreditEventCodes.DisconnectionDeferredProtected);
        Assert.Equal("PublicHoliday: Typhoon Day", deferred.Reason);
        Assert.Null((await s.Meter.GetSupplyAsync()).Pending);
    }

    [Fact]
    public async Task Cache_SameCalendarUntilIntervalPasses_RecheckSeesChangeAtOnce_OneInstancePerZone()
    {
        var id = "cache-" + Guid.NewGuid().ToString("N")[..8];
        var grain = fixture.Client.GetGrain<IProtectionCalendarGrain>(id);
        var saturday2200 = fixture.Next(DayOfWeek.Saturday, 22);
        var first = await fixture.Cache.GetAsync(id, "Asia/Shanghai");
        Assert.True(first.Evaluate(saturday2200).IsProtected); // never set: nights and weekends

        await grain.SetAsync(ProtectionCalendarSpec.Empty, "op-cal");
        var start = fixture.Time.GetUtcNow();
        fixture.ClockTo(start.AddSeconds(59));
        Assert.Same(first, await fixture.Cache.GetAsync(id, "Asia/Shanghai"));
        fixture.ClockTo(start.AddSeconds(60));
        var second = await fixture.Cache.GetAsync(id, "Asia/Shanghai");
        Assert.NotSame(first, second);
        Assert.False(second.Evaluate(saturday2200).IsProtected);
        Assert.Same(second, await fixture.Cache.GetAsync(id, "Asia/Shanghai"));

        await grain.SetAsync(ProtectionCalendarSpec.Default, "op-cal");
        var third = await fixture.Cache.GetAsync(id, "Asia/Shanghai", recheck: true);
        Assert.True(third.Evaluate(saturday2200).IsProtected);
        Assert.Equal(2, (await fixture.Cache.GetViewAsync(id)).Revision);
        var london = await fixture.Cache.GetAsync(id, "Europe/London");
        Assert.Equal(("Europe/London", "Asia/Shanghai"), (london.TimeZone.Id, third.TimeZone.Id));
        Assert.Same(london, await fixture.Cache.GetAsync(id, "Europe/London"));
    }

    private static DateOnly LocalDate(DateTimeOffset instant) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, CalendarClusterFixture.Shanghai).DateTime);
}

/// <summary>The calendar nobody has set: customers are protected at night and at weekends out of the box.</summary>
[Collection(DefaultCalendarCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class DefaultCalendarAccountTests(CalendarClusterFixture fixture)
{
    [Fact]
    public async Task NeverSetCalendar_CreditRunsOutSaturdayNight_CutDeferredToMonday0800ThenDue()
    {
        Assert.True((await fixture.DefaultCalendar.GetAsync()).IsDefault);
        var saturday = fixture.Next(DayOfWeek.Saturday, 21);
        var s = new CalendarScenario(fixture);
        await s.StartAsync(saturday, 1_000, CalendarScenario.NoGrace);

        var result = await s.ReadAsync(saturday.AddHours(1), 20_000); // Saturday 22:00: −2.34, the cut is due now

        Assert.Equal(1_234, result.ChargedMinor);
        var monday0800 = saturday.AddHours(35);
        var balance = await s.Account.GetBalanceAsync();
        Assert.Equal(("DisconnectionDeferred", (DateTimeOffset?)monday0800), (balance.CreditStatus, balance.Deadline));
        var deferred = await s.LastEventAsync(CreditEventCodes.DisconnectionDeferredProtected);
        Assert.Equal(("WeeklyWindow: protected window Saturday 20:00 for 12 h", (DateTimeOffset?)monday0800), (deferred.Reason, deferred.Until));
        Assert.Equal(
            [CreditEventCodes.ArrearsNoticeServed, CreditEventCodes.DisconnectionDeferredProtected],
            (await s.Account.GetRecentEventsAsync(32)).Select(e => e.Code));
        Assert.Null((await s.Meter.GetSupplyAsync()).Pending);

        await s.ReadAsync(saturday.AddHours(15), 1);        // Sunday 12:00: the weekend
        await s.ReadAsync(monday0800.AddMinutes(-1), 1);    // Monday 07:59: still the night
        Assert.Equal("DisconnectionDeferred", (await s.Account.GetBalanceAsync()).CreditStatus);
        Assert.Null((await s.Meter.GetSupplyAsync()).Pending);

        await s.ReadAsync(monday0800, 1);                   // Monday 08:00: the first unprotected minute

        Assert.Equal("DisconnectionDue", (await s.Account.GetBalanceAsync()).CreditStatus);
        var supply = await s.Meter.GetSupplyAsync();
        Assert.Equal(("DisconnectRequested", "Open"), (supply.Status, supply.Pending?.Kind));
        Assert.Equal(monday0800, (await s.LastEventAsync(CreditEventCodes.DisconnectionDue)).At);
    }
}
