using PrepaidPower.Domain.Tariffs;

namespace PrepaidPower.Domain.Tests.Tariffs;

[Trait("Category", "Unit")]
public sealed class TariffLoaderTests
{
    // A small valid TOU × tier tariff; each bad-input test breaks one thing in it.
    private const string Valid = """
        {
          "id": "test",
          "currency": "CNY",
          "timeZone": "Asia/Shanghai",
          "versions": [
            {
              "effectiveFrom": "2024-01-01",
              "timeOfUse": {
                "bands": ["peak", "valley"],
                "seasons": [
                  { "name": "all", "dayTypes": { "default": [
                    { "band": "peak", "from": "06:00", "to": "22:00" },
                    { "band": "valley", "from": "22:00", "to": "06:00" } ] } }
                ]
              },
              "tiers": [
                { "upTo": "100", "prices": { "peak": "0.5", "valley": "0.25" } },
                { "upTo": "200", "prices": { "peak": "0.6", "valley": "0.3" } },
                { "prices": { "peak": "0.9", "valley": "0.45" } }
              ]
            },
            {
              "effectiveFrom": "2025-01-01",
              "price": "0.7"
            }
          ]
        }
        """;

    private static TariffLoadException Rejected(string json) => Assert.Throws<TariffLoadException>(() => TariffLoader.Parse(json, "test.json"));

    private static void AssertProblem(TariffLoadException e, string path, string fragment)
    {
        Assert.Contains(e.Problems, p => p.Path == path && p.Message.Contains(fragment, StringComparison.Ordinal));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Valid_BuildsVersionsTiersAndBands()
    {
        var t = TariffLoader.Parse(Valid);
        Assert.Equal(2, t.Versions.Length);
        Assert.Equal(new[] { "peak", "valley", TariffLoader.AllDayBand }, t.BandNames.ToArray());
        Assert.Equal(MoneyRounding.HalfUp, t.Rounding);
        Assert.Equal(3, t.Versions[0].Tiers.Length);
        Assert.Equal(200m, t.Versions[0].Tiers[1].UpToKilowattHours);
        Assert.Null(t.Versions[0].Tiers[2].UpToKilowattHours);
        Assert.Equal(0.45m, t.Versions[0].Tiers[2].Prices[1]);
        Assert.Equal(0.7m, t.Versions[1].Tiers[0].Prices[0]);
        Assert.Equal(3 * 2 + 1, t.MaxRatedLines);
        Assert.Equal("valley", t.Versions[0].BandAt(new DateOnly(2024, 5, 5), new TimeOnly(5, 59)));
        Assert.Equal("peak", t.Versions[0].BandAt(new DateOnly(2024, 5, 5), new TimeOnly(6, 0)));
        Assert.Equal("valley", t.Versions[0].BandAt(new DateOnly(2024, 5, 5), new TimeOnly(22, 0)));
    }

    [Fact]
    public void LoadFile_ShanghaiTou_MatchesPublishedTariff()
    {
        var t = Samples.ShanghaiTou;
        Assert.Equal(Currency.CNY, t.Currency);
        Assert.Equal("Asia/Shanghai", t.TimeZone.Id);
        var v = Assert.Single(t.Versions);
        Assert.Equal(new DateOnly(2012, 7, 1), v.EffectiveFrom);
        Assert.Equal(TierPeriod.Year, v.TierPeriod);
        Assert.Equal(new[] { "peak", "valley" }, v.Bands.ToArray());
        Assert.Equal([3120m, 4800m, null], v.Tiers.Select(x => x.UpToKilowattHours));
        Assert.Equal(new[] { 0.617m, 0.307m }, v.Tiers[0].Prices.ToArray());
        Assert.Equal(new[] { 0.677m, 0.337m }, v.Tiers[1].Prices.ToArray());
        Assert.Equal(new[] { 0.977m, 0.487m }, v.Tiers[2].Prices.ToArray());
        Assert.Equal(100m, v.Tiers[0].QuotaModifiers.Single(m => m.Name == "large-household").ExtraKilowattHoursPerMonth);
        Assert.Equal(6, t.MaxRatedLines);
    }

    [Fact]
    public void LoadFile_ShanghaiFlat_HasThreeSingleBandTiers()
    {
        var v = Assert.Single(Samples.Shanghai.Versions);
        Assert.Equal(new[] { TariffLoader.AllDayBand }, v.Bands.ToArray());
        Assert.Equal([0.617m, 0.667m, 0.917m], v.Tiers.Select(x => x.Prices[0]));
        Assert.Equal([3120m, 4800m, null], v.Tiers.Select(x => x.UpToKilowattHours));
    }

    [Fact]
    public void LoadFile_Uk_HasQuarterlyVersionsWithStandingCharge()
    {
        var t = Samples.Uk;
        Assert.Equal(Currency.GBP, t.Currency);
        Assert.Equal("Europe/London", t.TimeZone.Id);
        Assert.Equal(4, t.Versions.Length);
        var oct = t.Versions[3];
        Assert.Equal(new DateOnly(2024, 10, 1), oct.EffectiveFrom);
        Assert.Equal(0.6812m, oct.StandingChargePerDay);
        Assert.Equal(0.2337m, oct.Tiers.Single().Prices.Single());
        // Local midnight of 1 October in BST is 23:00 UTC the day before.
        Assert.Equal(Samples.Utc(2024, 9, 30, 23), t.EffectiveFromUtc(3));
    }

    [Fact]
    public void LoadFile_Commercial_CalendarSeasonsAndDayTypes()
    {
        var t = Samples.Commercial;
        var v = Assert.Single(t.Versions);
        Assert.Equal(MoneyRounding.HalfEven, t.Rounding);
        Assert.Equal(new[] { "sharp", "peak", "flat", "valley" }, v.Bands.ToArray());
        Assert.Equal(["summer", "standard"], v.Seasons);
        Assert.Equal("workday", v.DayTypeOf(new DateOnly(2024, 11, 8)));   // Friday
        Assert.Equal("weekend", v.DayTypeOf(new DateOnly(2024, 11, 9)));   // Saturday
        Assert.Equal("holiday", v.DayTypeOf(new DateOnly(2024, 10, 1)));   // National Day, a Tuesday
        Assert.Equal("workday", v.DayTypeOf(new DateOnly(2024, 10, 12)));  // special day, a Saturday
        Assert.Equal("summer", v.SeasonOf(new DateOnly(2024, 9, 30)));
        Assert.Equal("standard", v.SeasonOf(new DateOnly(2024, 10, 1)));
        Assert.Equal("standard", v.SeasonOf(new DateOnly(2024, 1, 1)));   // before the first start: last season of the year before
        Assert.Equal("sharp", v.BandAt(new DateOnly(2024, 9, 30), new TimeOnly(11, 30)));
        Assert.Equal("peak", v.BandAt(new DateOnly(2024, 10, 8), new TimeOnly(11, 30)));
        Assert.Equal("flat", v.BandAt(new DateOnly(2024, 10, 1), new TimeOnly(11, 30)));
    }

    [Fact]
    public void Parse_PricesAsNumbersAndStrings_ExactDecimals()
    {
        var t = TariffLoader.Parse(Valid.Replace("\"0.5\"", "0.1234567890123456789", StringComparison.Ordinal));
        Assert.Equal(0.1234567890123456789m, t.Versions[0].Tiers[0].Prices[0]);
    }

    [Fact]
    public void Parse_OverlappingBands_NamesRangeAndMinute()
    {
        var e = Rejected(Valid.Replace("\"to\": \"22:00\"", "\"to\": \"23:00\"", StringComparison.Ordinal));
        AssertProblem(e, "versions[0].timeOfUse.seasons[0].dayTypes.default[1]", "overlaps");
        AssertProblem(e, "versions[0].timeOfUse.seasons[0].dayTypes.default[1]", "22:00");
    }

    [Fact]
    public void Parse_MissingBandTime_NamesGap()
    {
        var e = Rejected(Valid.Replace("\"from\": \"22:00\", \"to\": \"06:00\"", "\"from\": \"23:00\", \"to\": \"06:00\"", StringComparison.Ordinal));
        AssertProblem(e, "versions[0].timeOfUse.seasons[0].dayTypes.default", "22:00–23:00 is not covered");
    }

    [Fact]
    public void Parse_UnknownBandInSchedule_Rejected()
    {
        var e = Rejected(Valid.Replace("\"band\": \"valley\"", "\"band\": \"night\"", StringComparison.Ordinal));
        AssertProblem(e, "versions[0].timeOfUse.seasons[0].dayTypes.default[1].band", "'night' is not one of the bands");
    }

    [Fact]
    public void Parse_UnsortedTiers_NamesTier()
    {
        var e = Rejected(Valid.Replace("\"upTo\": \"200\"", "\"upTo\": \"50\"", StringComparison.Ordinal));
        AssertProblem(e, "versions[0].tiers[1].upTo", "not above the previous tier's 100");
    }

    [Fact]
    public void Parse_LastTierWithBound_Rejected()
    {
        var e = Rejected(Valid.Replace("{ \"prices\": { \"peak\": \"0.9\"", "{ \"upTo\": 300, \"prices\": { \"peak\": \"0.9\"", StringComparison.Ordinal));
        AssertProblem(e, "versions[0].tiers[2].upTo", "open-ended");
    }

    [Fact]
    public void Parse_NegativePrice_NamesBand()
    {
        var e = Rejected(Valid.Replace("\"valley\": \"0.3\"", "\"valley\": \"-0.3\"", StringComparison.Ordinal));
        AssertProblem(e, "versions[0].tiers[1].prices.valley", "negative");
    }

    [Fact]
    public void Parse_MissingBandPrice_Rejected()
    {
        var e = Rejected(Valid.Replace(", \"valley\": \"0.3\"", "", StringComparison.Ordinal));
        AssertProblem(e, "versions[0].tiers[1].prices", "no price for band 'valley'");
    }

    [Fact]
    public void Parse_UnknownCurrency_Rejected()
    {
        var e = Rejected(Valid.Replace("\"CNY\"", "\"XYZ\"", StringComparison.Ordinal));
        AssertProblem(e, "currency", "unknown currency 'XYZ'");
    }

    [Fact]
    public void Parse_UnknownTimeZone_Rejected()
    {
        var e = Rejected(Valid.Replace("Asia/Shanghai", "Mars/Olympus", StringComparison.Ordinal));
        AssertProblem(e, "timeZone", "unknown time zone 'Mars/Olympus'");
    }

    [Theory]
    [InlineData("2024-13-01")]
    [InlineData("2024-02-30")]
    [InlineData("01/01/2024")]
    public void Parse_BadEffectiveFrom_Rejected(string date)
    {
        var e = Rejected(Valid.Replace("2025-01-01", date, StringComparison.Ordinal));
        AssertProblem(e, "versions[1].effectiveFrom", "is not a date");
    }

    [Fact]
    public void Parse_VersionsOutOfOrder_Rejected()
    {
        var e = Rejected(Valid.Replace("2025-01-01", "2023-06-01", StringComparison.Ordinal));
        AssertProblem(e, "versions[1].effectiveFrom", "not after the previous version's 2024-01-01");
    }

    [Fact]
    public void Parse_DuplicateVersionDate_Rejected()
    {
        var e = Rejected(Valid.Replace("2025-01-01", "2024-01-01", StringComparison.Ordinal));
        AssertProblem(e, "versions[1].effectiveFrom", "cannot overlap");
    }

    [Fact]
    public void Parse_UnknownProperty_RejectedWithPath()
    {
        var e = Rejected(Valid.Replace("\"price\": \"0.7\"", "\"price\": \"0.7\", \"colour\": \"red\"", StringComparison.Ordinal));
        var p = Assert.Single(e.Problems);
        Assert.Contains("unknown property 'colour'", p.Message, StringComparison.Ordinal);
        Assert.StartsWith("versions[1]", p.Path, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_WrongCase_Rejected()
    {
        var e = Rejected(Valid.Replace("\"currency\"", "\"Currency\"", StringComparison.Ordinal));
        Assert.Contains("unknown property 'Currency'", Assert.Single(e.Problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DuplicateKey_Rejected()
    {
        var e = Rejected(Valid.Replace("\"id\": \"test\",", "\"id\": \"test\", \"id\": \"again\",", StringComparison.Ordinal));
        Assert.Single(e.Problems);
    }

    [Fact]
    public void Parse_PriceNotANumber_Rejected()
    {
        var e = Rejected(Valid.Replace("\"0.7\"", "\"cheap\"", StringComparison.Ordinal));
        AssertProblem(e, "versions[1].price", "not a decimal number");
    }

    [Fact]
    public void Parse_UnknownRounding_Rejected()
    {
        var e = Rejected(Valid.Replace("\"id\": \"test\",", "\"id\": \"test\", \"rounding\": \"Nearest\",", StringComparison.Ordinal));
        AssertProblem(e, "rounding", "HalfUp (default), HalfEven, Down, Up");
    }

    [Fact]
    public void Parse_DayTypeWithoutSchedule_Rejected()
    {
        var json = Valid
            .Replace("\"default\": [", "\"workday\": [", StringComparison.Ordinal)
            .Replace("\"bands\": [\"peak\", \"valley\"],", "\"bands\": [\"peak\", \"valley\"], \"publicHolidays\": [\"2024-10-01\"],", StringComparison.Ordinal);
        var e = Rejected(json);
        AssertProblem(e, "versions[0].timeOfUse.seasons[0].dayTypes", "no schedule for day type 'weekend'");
        AssertProblem(e, "versions[0].timeOfUse.seasons[0].dayTypes", "'holiday' (used by versions[0].timeOfUse.publicHolidays)");
    }

    [Fact]
    public void Parse_BadHolidayAndSeasonStart_Rejected()
    {
        var json = Valid
            .Replace("\"bands\": [\"peak\", \"valley\"],", "\"bands\": [\"peak\", \"valley\"], \"publicHolidays\": [\"2024-10-01\", \"2024-10-32\"],", StringComparison.Ordinal)
            .Replace("\"name\": \"all\",", "\"name\": \"all\", \"startsOn\": \"02-29\",", StringComparison.Ordinal);
        var e = Rejected(json);
        AssertProblem(e, "versions[0].timeOfUse.publicHolidays[1]", "is not a date");
        AssertProblem(e, "versions[0].timeOfUse.seasons[0].startsOn", "MM-dd");
    }

    [Fact]
    public void Parse_SeveralProblems_AllReportedNothingLoaded()
    {
        var json = Valid
            .Replace("\"CNY\"", "\"XYZ\"", StringComparison.Ordinal)
            .Replace("\"upTo\": \"200\"", "\"upTo\": \"50\"", StringComparison.Ordinal)
            .Replace("\"valley\": \"0.3\"", "\"valley\": -1", StringComparison.Ordinal)
            .Replace("2025-01-01", "2025-02-30", StringComparison.Ordinal);
        var e = Rejected(json);
        Assert.Equal(4, e.Problems.Count);
        Assert.Contains("4 problems", e.Message, StringComparison.Ordinal);
        Assert.Contains("test.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NotJson_ReportsLine()
    {
        var e = Rejected("{ \"id\": ");
        Assert.Single(e.Problems);
    }

    [Fact]
    public void LoadFile_Missing_Rejected()
    {
        var e = Assert.Throws<TariffLoadException>(() => TariffLoader.LoadFile("/nonexistent/tariff.json"));
        Assert.Contains("cannot read", e.Problems[0].Message, StringComparison.Ordinal);
    }
}
