using PrepaidPower.Domain.Rating;
using PrepaidPower.Domain.Tariffs;
using static PrepaidPower.Domain.Tests.Tariffs.Samples;

namespace PrepaidPower.Domain.Tests.Rating;

[Trait("Category", "Unit")]
public sealed class RaterTests
{
    // Economy-7-like London tariff: night 00:00–07:00 at 10p, day 07:00–24:00 at 30p.
    private static readonly Tariff LondonTwoRate = TariffLoader.Parse("""
        {
          "id": "london-two-rate", "currency": "GBP", "timeZone": "Europe/London",
          "versions": [ {
            "effectiveFrom": "2024-01-01",
            "timeOfUse": { "bands": ["night", "day"], "seasons": [ { "dayTypes": { "default": [
              { "band": "night", "from": "00:00", "to": "07:00" },
              { "band": "day", "from": "07:00", "to": "24:00" } ] } } ] },
            "prices": { "night": "0.10", "day": "0.30" }
          } ]
        }
        """);

    // Monthly tiers: 0–100 kWh at 1.00, above at 2.00.
    private static readonly Tariff Monthly = TariffLoader.Parse("""
        {
          "id": "monthly", "currency": "CNY", "timeZone": "Asia/Shanghai",
          "versions": [ { "effectiveFrom": "2024-01-01", "tierPeriod": "month",
            "tiers": [ { "upTo": 100, "price": 1 }, { "price": 2 } ] } ]
        }
        """);

    private static readonly TimeSpan Bst = TimeSpan.FromHours(1);

    private static (RatingResult Result, RatedLine[] Lines) Rate(
        Tariff tariff, DateTimeOffset from, DateTimeOffset to, decimal kwh, RatingAccount account = default, params (string Band, decimal Kwh)[] bands)
    {
        var lines = new RatedLine[tariff.MaxRatedLines];
        Energy[] registers = [];
        if (bands.Length > 0)
        {
            registers = new Energy[tariff.BandNames.Length];
            foreach (var (band, e) in bands)
            {
                registers[tariff.BandIndex(band)] = Energy.FromKilowattHours(e);
            }
        }
        var r = Rater.Rate(tariff, from, to, Energy.FromKilowattHours(kwh), registers, account, lines);
        return (r, lines[..r.LineCount]);
    }

    private static RatingAccount Used(int year, decimal kwh, DateOnly opened = default, string? modifier = null) =>
        new(new TierCounter(new DateOnly(year, 1, 1), Energy.FromKilowattHours(kwh)), opened, modifier);

    private static long Post(MoneyRounding rounding, params decimal[] exactMinor)
    {
        var acc = new ChargeAccumulator(0m, 0, rounding);
        long posted = 0;
        foreach (var x in exactMinor)
        {
            posted += acc.Post(x);
        }
        return posted;
    }

    private static decimal Kwh(RatedLine[] lines, string band, int tier = 0) =>
        lines.Where(l => l.Band == band && l.TierIndex == tier).Sum(l => l.KilowattHours);

    [Fact]
    public void Rate_ShanghaiPeakAndValleyRegistersInTier1_Costs154_10()
    {
        var (r, lines) = Rate(ShanghaiTou, Cn(2024, 3, 1), Cn(2024, 3, 2), 300, Used(2024, 0), ("peak", 200), ("valley", 100));
        Assert.Equal(15410m, r.TotalMinor);
        Assert.Equal(2, lines.Length);
        var peak = lines.Single(l => l.Band == "peak");
        Assert.Equal((0, 200m, 0.617m, 12340m), (peak.TierIndex, peak.KilowattHours, peak.Rate, peak.AmountMinor));
        var valley = lines.Single(l => l.Band == "valley");
        Assert.Equal((0, 100m, 0.307m, 3070m), (valley.TierIndex, valley.KilowattHours, valley.Rate, valley.AmountMinor));
        Assert.Equal(new DateOnly(2012, 7, 1), peak.VersionEffectiveFrom);
        Assert.Equal(new TierCounter(new DateOnly(2024, 1, 1), Energy.FromKilowattHours(300)), r.Counter);
        Assert.Equal("154.10", Money.FromMinor(Post(ShanghaiTou.Rounding, r.TotalMinor), Currency.CNY).ToAmountString());
    }

    [Fact]
    public void Rate_ShanghaiSeparatePeakAndValleyIntervals_Costs154_10()
    {
        var peak = Rate(ShanghaiTou, Cn(2024, 3, 1, 8), Cn(2024, 3, 1, 18), 200, Used(2024, 0));
        var valley = Rate(ShanghaiTou, Cn(2024, 3, 1, 22), Cn(2024, 3, 2, 4), 100, new RatingAccount(peak.Result.Counter));
        Assert.Equal(15410, Post(MoneyRounding.HalfUp, peak.Result.TotalMinor, valley.Result.TotalMinor));
        Assert.Equal(Energy.FromKilowattHours(300), valley.Result.Counter.Used);
    }

    [Fact]
    public void Rate_ShanghaiAllInTier2_Costs236_80()
    {
        var (r, lines) = Rate(ShanghaiTou, Cn(2024, 8, 1), Cn(2024, 8, 2), 400, Used(2024, 3120), ("peak", 300), ("valley", 100));
        Assert.Equal(23680m, r.TotalMinor);
        Assert.All(lines, l => Assert.Equal(1, l.TierIndex));
    }

    [Fact]
    public void Rate_ShanghaiFlat3500KwhInAYear_Costs2178_50()
    {
        var (r, lines) = Rate(Shanghai, Cn(2024, 1, 1), Cn(2025, 1, 1), 3500, Used(2024, 0));
        Assert.Equal(217850m, r.TotalMinor);
        Assert.Equal(192504m, lines.Single(l => l.TierIndex == 0).AmountMinor);
        Assert.Equal(3120m, lines.Single(l => l.TierIndex == 0).KilowattHours);
        Assert.Equal(380m, lines.Single(l => l.TierIndex == 1).KilowattHours);
        Assert.Equal(new TierCounter(new DateOnly(2024, 1, 1), Energy.FromKilowattHours(3500)), r.Counter);
    }

    [Fact]
    public void Rate_Uk10KwhPlusOneDayStanding_Posts3_02()
    {
        var from = new DateTimeOffset(2024, 10, 1, 0, 0, 0, Bst);
        var to = new DateTimeOffset(2024, 10, 2, 0, 0, 0, Bst);
        var (r, _) = Rate(Uk, from, to, 10);
        var standing = Rater.StandingCharge(Uk, from, to);
        Assert.Equal(233.7m, r.TotalMinor);
        Assert.Equal(new StandingChargeResult(1, 68.12m), standing);
        Assert.Equal(301.82m, r.TotalMinor + standing.AmountMinor);
        var acc = new ChargeAccumulator(0m, 0, Uk.Rounding);
        var posted = acc.Post(r.TotalMinor) + acc.Post(standing.AmountMinor);
        Assert.Equal("3.02", Money.FromMinor(posted, Currency.GBP).ToAmountString());
    }

    [Fact]
    public void Rate_StraddlingPeakValleyBoundary_SplitByTime()
    {
        var (r, lines) = Rate(ShanghaiTou, Cn(2024, 3, 1, 21, 45), Cn(2024, 3, 1, 22, 15), 1, Used(2024, 0));
        Assert.Equal(0.5m, Kwh(lines, "peak"));
        Assert.Equal(0.5m, Kwh(lines, "valley"));
        Assert.Equal(46.2m, r.TotalMinor); // 0.5 × 61.7 + 0.5 × 30.7
    }

    [Fact]
    public void Rate_RepeatingTimeShare_FlooredToMicroWattHourAndAddsUp()
    {
        // 250 Wh over 21:50–22:05: 10/15 peak = 166.666666 Wh (floored to 1 µWh), the rest valley.
        var (r, lines) = Rate(ShanghaiTou, Cn(2024, 3, 1, 21, 50), Cn(2024, 3, 1, 22, 5), 0.25m, Used(2024, 0));
        Assert.Equal(0.166666666m, Kwh(lines, "peak"));
        Assert.Equal(0.083333334m, Kwh(lines, "valley"));
        Assert.Equal(0.166666666m * 61.7m + 0.083333334m * 30.7m, r.TotalMinor);
        Assert.Equal(Energy.FromWattHours(250), r.Counter.Used);
    }

    [Fact]
    public void Rate_StraddlingBoundaryWithRegisters_UsesRegisters()
    {
        var (r, lines) = Rate(ShanghaiTou, Cn(2024, 3, 1, 21, 45), Cn(2024, 3, 1, 22, 15), 1, Used(2024, 0), ("peak", 0.3m), ("valley", 0.7m));
        Assert.Equal(0.3m, Kwh(lines, "peak"));
        Assert.Equal(40.00m, r.TotalMinor); // 0.3 × 61.7 + 0.7 × 30.7
    }

    [Fact]
    public void Rate_AcrossMidnightFridayToSaturday_UsesEachDaysType()
    {
        // Fri 20–21 peak, 21–23 flat, 23–07 valley, Sat 07–12 flat (a workday would have peak 10–12).
        var (r, lines) = Rate(Commercial, Cn(2024, 11, 8, 20), Cn(2024, 11, 9, 12), 16);
        Assert.Equal(1m, Kwh(lines, "peak"));
        Assert.Equal(7m, Kwh(lines, "flat"));
        Assert.Equal(8m, Kwh(lines, "valley"));
        Assert.Equal(778.91m, r.TotalMinor);
    }

    [Theory]
    [InlineData(2024, 11, 8, "peak")]   // Friday, standard season
    [InlineData(2024, 11, 9, "flat")]   // Saturday
    [InlineData(2024, 10, 1, "flat")]   // National Day (Tuesday): public holiday
    [InlineData(2024, 10, 12, "peak")]  // Saturday worked as a workday: special day
    public void Rate_DayTypes_PickBand(int y, int m, int d, string band)
    {
        var (_, lines) = Rate(Commercial, Cn(y, m, d, 10, 15), Cn(y, m, d, 10, 30), 1);
        Assert.Equal(band, Assert.Single(lines).Band);
    }

    [Fact]
    public void Rate_SpecialSundayInSummer_IsWorkdayWithSharp()
    {
        var (_, lines) = Rate(Commercial, Cn(2024, 9, 29, 11), Cn(2024, 9, 29, 12), 1);
        Assert.Equal("sharp", Assert.Single(lines).Band);
    }

    [Fact]
    public void Rate_AcrossSeasonChange_UsesEachSeason()
    {
        // Sun 30 Jun (standard weekend) 22–23 flat, 23–07 valley; Mon 1 Jul (summer workday) 07–10 flat, 10–11 peak, 11–12 sharp.
        var (r, lines) = Rate(Commercial, Cn(2024, 6, 30, 22), Cn(2024, 7, 1, 12), 14);
        Assert.Equal(4m, Kwh(lines, "flat"));
        Assert.Equal(8m, Kwh(lines, "valley"));
        Assert.Equal(1m, Kwh(lines, "peak"));
        Assert.Equal(1m, Kwh(lines, "sharp"));
        Assert.Equal(713.1m, r.TotalMinor);
    }

    [Fact]
    public void Rate_SpringForwardDay_23HoursProRataByRealTime()
    {
        // 31 Mar 2024: 00:00 GMT → 00:00 BST next day is 23 h; night 00:00–07:00 local is only 6 real hours.
        var (r, lines) = Rate(LondonTwoRate, Utc(2024, 3, 31), Utc(2024, 3, 31, 23), 23);
        Assert.Equal(6m, Kwh(lines, "night"));
        Assert.Equal(17m, Kwh(lines, "day"));
        Assert.Equal(570m, r.TotalMinor);
    }

    [Fact]
    public void Rate_FallBackDay_25HoursProRataByRealTime()
    {
        // 27 Oct 2024: 00:00 BST (26th 23:00 UTC) → 00:00 GMT on the 28th is 25 h; night 00:00–07:00 local is 8 real hours.
        var (r, lines) = Rate(LondonTwoRate, Utc(2024, 10, 26, 23), Utc(2024, 10, 28), 25);
        Assert.Equal(8m, Kwh(lines, "night"));
        Assert.Equal(17m, Kwh(lines, "day"));
        Assert.Equal(590m, r.TotalMinor);
    }

    [Fact]
    public void Rate_SpringForwardAtMidnight_DayStartsWhenClockJumps()
    {
        // Santiago, 8 Sep 2024: 24:00 (−04) jumps to 01:00 (−03) at 04:00 UTC, so the day starts at 01:00 local and
        // lasts 23 h; night 00:00–07:00 local is 6 real hours (04:00–10:00 UTC).
        var santiago = TariffLoader.Parse("""
            {
              "id": "santiago", "currency": "USD", "timeZone": "America/Santiago",
              "versions": [ { "effectiveFrom": "2024-01-01", "standingChargePerDay": 1,
                "timeOfUse": { "bands": ["night", "day"], "seasons": [ { "dayTypes": { "default": [
                  { "band": "night", "from": "00:00", "to": "07:00" }, { "band": "day", "from": "07:00", "to": "24:00" } ] } } ] },
                "prices": { "night": "0.10", "day": "0.30" } } ]
            }
            """);
        var (r, lines) = Rate(santiago, Utc(2024, 9, 8, 4), Utc(2024, 9, 9, 3), 23);
        Assert.Equal(6m, Kwh(lines, "night"));
        Assert.Equal(17m, Kwh(lines, "day"));
        Assert.Equal(570m, r.TotalMinor);
        Assert.Equal(new StandingChargeResult(1, 100m), Rater.StandingCharge(santiago, Utc(2024, 9, 8, 4), Utc(2024, 9, 9, 3)));
        Assert.Equal(new StandingChargeResult(0, 0m), Rater.StandingCharge(santiago, Utc(2024, 9, 8, 4, 1), Utc(2024, 9, 9, 3)));
    }

    [Fact]
    public void Rate_TierCrossedMidInterval_Chronological()
    {
        // 1 kWh/h from 20:00 to 24:00, 1 kWh below the tier-1 bound: 20–21 peak tier 1, 21–22 peak tier 2, 22–24 valley tier 2.
        var (r, lines) = Rate(ShanghaiTou, Cn(2024, 3, 1, 20), Cn(2024, 3, 2), 4, Used(2024, 3119));
        Assert.Equal(1m, Kwh(lines, "peak", 0));
        Assert.Equal(1m, Kwh(lines, "peak", 1));
        Assert.Equal(0m, Kwh(lines, "valley", 0));
        Assert.Equal(2m, Kwh(lines, "valley", 1));
        Assert.Equal(196.8m, r.TotalMinor); // 61.7 + 67.7 + 2 × 33.7
        Assert.Equal(Energy.FromKilowattHours(3123), r.Counter.Used);
    }

    [Fact]
    public void Rate_TierCrossedAtFractionOfSegment_SplitExactly()
    {
        // 3 kWh over 3 h of peak with 1.5 kWh of room: the crossing is half-way.
        var (_, lines) = Rate(ShanghaiTou, Cn(2024, 3, 1, 9), Cn(2024, 3, 1, 12), 3, Used(2024, 3118.5m));
        Assert.Equal(1.5m, Kwh(lines, "peak", 0));
        Assert.Equal(1.5m, Kwh(lines, "peak", 1));
    }

    [Fact]
    public void Rate_AccountOpened1July_Tier1BoundIsHalf()
    {
        var v = Shanghai.Versions[0];
        var opened = new DateOnly(2024, 7, 1);
        Assert.Equal(Energy.FromKilowattHours(1560), Rater.TierBound(v, 0, new DateOnly(2024, 1, 1), opened, null));
        Assert.Equal(Energy.FromKilowattHours(2400), Rater.TierBound(v, 1, new DateOnly(2024, 1, 1), opened, null));
        Assert.Equal(Energy.FromKilowattHours(3120), Rater.TierBound(v, 0, new DateOnly(2025, 1, 1), opened, null)); // next year in full
        // 1,600 kWh in the first half year: 1,560 at 0.617 and 40 at 0.667.
        var (r, _) = Rate(Shanghai, Cn(2024, 7, 1), Cn(2024, 8, 1), 1600, new RatingAccount(default, opened));
        Assert.Equal(98920m, r.TotalMinor);
    }

    [Fact]
    public void TierBound_OpenedMidMonth_CountsRemainingDays()
    {
        // Opened 16 Nov: 15/30 of November + December = 1.5 months of 12 → 3,120 × 1.5 / 12 = 390 kWh.
        Assert.Equal(Energy.FromKilowattHours(390), Rater.TierBound(Shanghai.Versions[0], 0, new DateOnly(2024, 1, 1), new DateOnly(2024, 11, 16), null));
    }

    [Fact]
    public void Rate_LargeHousehold_GetsLargerTier1()
    {
        Assert.Equal(Energy.FromKilowattHours(4320), Rater.TierBound(Shanghai.Versions[0], 0, new DateOnly(2024, 1, 1), default, "large-household"));
        var large = Rate(Shanghai, Cn(2024, 1, 1), Cn(2025, 1, 1), 4000, Used(2024, 0, modifier: "large-household"));
        var normal = Rate(Shanghai, Cn(2024, 1, 1), Cn(2025, 1, 1), 4000, Used(2024, 0));
        Assert.Equal(246800m, large.Result.TotalMinor);  // 4,000 × 0.617
        Assert.Equal(251200m, normal.Result.TotalMinor); // 3,120 × 0.617 + 880 × 0.667
    }

    [Fact]
    public void Rate_VersionChangesMidInterval_SplitAtLocalMidnight()
    {
        // UK 30 Sep 12:00 BST → 1 Oct 12:00 BST: 12 h at 21.33p, 12 h at 23.37p.
        var (r, lines) = Rate(Uk, new DateTimeOffset(2024, 9, 30, 12, 0, 0, Bst), new DateTimeOffset(2024, 10, 1, 12, 0, 0, Bst), 24);
        Assert.Equal(2, lines.Length);
        Assert.Equal(new DateOnly(2024, 7, 1), lines[0].VersionEffectiveFrom);
        Assert.Equal(12m, lines[0].KilowattHours);
        Assert.Equal(new DateOnly(2024, 10, 1), lines[1].VersionEffectiveFrom);
        Assert.Equal(536.4m, r.TotalMinor);
    }

    [Fact]
    public void Rate_PastIntervalAfterFutureVersionAdded_Unchanged()
    {
        var now = Utc(2024, 11, 15, 12);
        var before = Rate(Uk, Utc(2024, 11, 1), Utc(2024, 11, 2), 10);
        var updated = Uk.AddVersion(TariffLoader.ParseVersion("""{ "effectiveFrom": "2025-01-01", "standingChargePerDay": "0.70", "price": "0.30" }"""), now);
        var after = Rate(updated, Utc(2024, 11, 1), Utc(2024, 11, 2), 10);
        Assert.Equal(before.Result.TotalMinor, after.Result.TotalMinor);
        Assert.Equal(233.7m, after.Result.TotalMinor);
        Assert.Equal(300m, Rate(updated, Utc(2025, 1, 2), Utc(2025, 1, 3), 10).Result.TotalMinor);
        Assert.Equal(Rater.StandingCharge(Uk, Utc(2024, 11, 1), Utc(2024, 12, 1)), Rater.StandingCharge(updated, Utc(2024, 11, 1), Utc(2024, 12, 1)));
    }

    [Fact]
    public void Rate_AcrossYearEnd_NewPeriodStartsAtZero()
    {
        // 12 kWh on 31 Dec (1 in tier 1, 11 in tier 2), 12 kWh on 1 Jan in the new year's tier 1.
        var (r, lines) = Rate(Shanghai, Cn(2024, 12, 31, 12), Cn(2025, 1, 1, 12), 24, Used(2024, 3119));
        Assert.Equal(13m, Kwh(lines, TariffLoader.AllDayBand, 0));
        Assert.Equal(11m, Kwh(lines, TariffLoader.AllDayBand, 1));
        Assert.Equal(1535.8m, r.TotalMinor);
        Assert.Equal(new TierCounter(new DateOnly(2025, 1, 1), Energy.FromKilowattHours(12)), r.Counter);
    }

    [Fact]
    public void Rate_MonthlyTiers_CounterResetsEachMonth()
    {
        var jan = Rate(Monthly, Cn(2024, 1, 10), Cn(2024, 1, 20), 150, default);
        Assert.Equal(20000m, jan.Result.TotalMinor); // 100 × 1.00 + 50 × 2.00 yuan
        var feb = Rate(Monthly, Cn(2024, 2, 1), Cn(2024, 2, 2), 50, new RatingAccount(jan.Result.Counter));
        Assert.Equal(5000m, feb.Result.TotalMinor);
        Assert.Equal(new TierCounter(new DateOnly(2024, 2, 1), Energy.FromKilowattHours(50)), feb.Result.Counter);
    }

    [Fact]
    public void Rate_CounterInLaterPeriod_Rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Rate(Monthly, Cn(2024, 1, 10), Cn(2024, 1, 11), 1, new RatingAccount(new TierCounter(new DateOnly(2024, 2, 1), default))));
        Assert.Contains("time order", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rate_BeforeFirstVersion_Rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Rate(Uk, Utc(2023, 12, 1), Utc(2023, 12, 2), 1));
        Assert.Contains("before tariff 'uk-prepayment-single-rate' begins", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rate_RegistersNotAddingUp_Rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Rate(ShanghaiTou, Cn(2024, 3, 1), Cn(2024, 3, 2), 3, default, ("peak", 1), ("valley", 1)));
        Assert.Contains("add up to 2.000 kWh but the total is 3.000 kWh", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rate_RegisterForBandNotInInterval_Rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Rate(ShanghaiTou, Cn(2024, 3, 1, 8), Cn(2024, 3, 1, 9), 1, default, ("valley", 1)));
        Assert.Contains("no 'valley' time", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rate_SmallBuffer_Rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Rater.Rate(ShanghaiTou, Cn(2024, 3, 1), Cn(2024, 3, 2), Energy.FromWattHours(1), default, new RatedLine[2]));
        Assert.Contains("MaxRatedLines", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rate_ReversedInterval_Rejected()
    {
        Assert.Throws<ArgumentException>(() => Rate(ShanghaiTou, Cn(2024, 3, 2), Cn(2024, 3, 1), 1));
    }

    [Fact]
    public void Rate_ZeroEnergy_NoLinesCounterKept()
    {
        var account = Used(2024, 5);
        var (r, lines) = Rate(ShanghaiTou, Cn(2024, 3, 1), Cn(2024, 3, 2), 0, account);
        Assert.Empty(lines);
        Assert.Equal(account.Counter, r.Counter);
    }

    [Fact]
    public void StandingCharge_OverSpringForward_ThreeDaysTwoVersions()
    {
        // Days starting 30 Mar, 31 Mar (23 h) at 65.56p and 1 Apr at 67.19p.
        var r = Rater.StandingCharge(Uk, Utc(2024, 3, 30), new DateTimeOffset(2024, 4, 2, 0, 0, 0, Bst));
        Assert.Equal(new StandingChargeResult(3, 198.31m), r);
    }

    [Fact]
    public void StandingCharge_OverFallBack_EachDayOnce()
    {
        // Days starting 26, 27 (25 h) and 28 Oct.
        var r = Rater.StandingCharge(Uk, new DateTimeOffset(2024, 10, 26, 0, 0, 0, Bst), Utc(2024, 10, 29));
        Assert.Equal(new StandingChargeResult(3, 204.36m), r);
    }

    [Fact]
    public void StandingCharge_DayChargedWhenItStarts()
    {
        var noon = new DateTimeOffset(2024, 10, 1, 12, 0, 0, Bst);
        Assert.Equal(new StandingChargeResult(1, 68.12m), Rater.StandingCharge(Uk, noon, noon.AddDays(1)));
        Assert.Equal(new StandingChargeResult(0, 0m), Rater.StandingCharge(Uk, noon, noon.AddHours(11)));
        // Split ranges charge each day exactly once.
        var a = Rater.StandingCharge(Uk, Utc(2024, 10, 1), Utc(2024, 10, 15, 7));
        var b = Rater.StandingCharge(Uk, Utc(2024, 10, 15, 7), Utc(2024, 11, 1));
        Assert.Equal(Rater.StandingCharge(Uk, Utc(2024, 10, 1), Utc(2024, 11, 1)).AmountMinor, a.AmountMinor + b.AmountMinor);
    }
}
