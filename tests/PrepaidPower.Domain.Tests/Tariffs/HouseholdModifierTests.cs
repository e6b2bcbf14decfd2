using PrepaidPower.Domain.Tariffs;

namespace PrepaidPower.Domain.Tests.Tariffs;

[Trait("Category", "Unit")]
public sealed class HouseholdModifierTests
{
    private static string WithRules(string rules) => $$"""
        {
          "id": "t", "currency": "CNY", "timeZone": "Asia/Shanghai",
          "householdModifiers": {{rules}},
          "versions": [ { "effectiveFrom": "2024-01-01", "tierPeriod": "year", "tiers": [
            { "upTo": "100", "quotaModifiers": { "large": "10", "huge": "20" }, "price": "0.5" },
            { "price": "0.9" } ] } ]
        }
        """;

    [Fact]
    public void QuotaModifierForHousehold_ShanghaiSample_FivePersonsOrMoreAreLarge()
    {
        Assert.Null(Samples.ShanghaiTou.QuotaModifierForHousehold(4));
        Assert.Equal("large-household", Samples.ShanghaiTou.QuotaModifierForHousehold(5));
        Assert.Equal("large-household", Samples.Shanghai.QuotaModifierForHousehold(9));
        Assert.Null(Samples.Uk.QuotaModifierForHousehold(9));
    }

    [Fact]
    public void QuotaModifierForHousehold_SeveralRules_LargestReachedWins()
    {
        var t = TariffLoader.Parse(WithRules("""[ { "minPersons": 4, "modifier": "large" }, { "minPersons": 7, "modifier": "huge" } ]"""));
        Assert.Null(t.QuotaModifierForHousehold(3));
        Assert.Equal("large", t.QuotaModifierForHousehold(6));
        Assert.Equal("huge", t.QuotaModifierForHousehold(7));
    }

    [Theory]
    [InlineData("""[ { "minPersons": 5, "modifier": "nope" } ]""", "householdModifiers[0].modifier", "not a quota modifier")]
    [InlineData("""[ { "minPersons": 0, "modifier": "large" } ]""", "householdModifiers[0].minPersons", "1 to 99")]
    [InlineData("""[ { "minPersons": 6, "modifier": "large" }, { "minPersons": 5, "modifier": "huge" } ]""", "householdModifiers[1].minPersons", "ascending")]
    public void Parse_BadRule_RejectedWithPath(string rules, string path, string fragment)
    {
        var e = Assert.Throws<TariffLoadException>(() => TariffLoader.Parse(WithRules(rules)));
        Assert.Contains(e.Problems, p => p.Path == path && p.Message.Contains(fragment, StringComparison.Ordinal));
    }
}
