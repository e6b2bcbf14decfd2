using PrepaidPower.Domain.Tariffs;

namespace PrepaidPower.Domain.Tests.Tariffs;

[Trait("Category", "Unit")]
public sealed class TariffTests
{
    private const string FutureVersion = """{ "effectiveFrom": "2025-01-01", "standingChargePerDay": "0.70", "price": "0.30" }""";

    [Fact]
    public void AddVersion_Future_Appended()
    {
        var now = Samples.Utc(2024, 11, 15, 12);
        var t = Samples.Uk.AddVersion(TariffLoader.ParseVersion(FutureVersion), now);
        Assert.Equal(5, t.Versions.Length);
        Assert.Equal(4, Samples.Uk.Versions.Length); // the original is unchanged
        Assert.Equal(4, t.VersionIndexAt(Samples.Utc(2025, 1, 1)));
        Assert.Equal(3, t.VersionIndexAt(Samples.Utc(2024, 12, 31, 23, 59)));
    }

    [Fact]
    public void AddVersion_StartingTodayOrEarlier_Rejected()
    {
        var now = Samples.Utc(2024, 11, 15, 12);
        var today = TariffLoader.ParseVersion("""{ "effectiveFrom": "2024-11-15", "price": "0.30" }""");
        var e = Assert.Throws<TariffLoadException>(() => Samples.Uk.AddVersion(today, now));
        Assert.Contains(e.Problems, p => p.Path == "effectiveFrom" && p.Message.Contains("not after now", StringComparison.Ordinal));
    }

    [Fact]
    public void AddVersion_NotAfterLastVersion_Rejected()
    {
        var now = Samples.Utc(2024, 11, 15, 12);
        var t = Samples.Uk.AddVersion(TariffLoader.ParseVersion(FutureVersion), now);
        var again = TariffLoader.ParseVersion(FutureVersion);
        var e = Assert.Throws<TariffLoadException>(() => t.AddVersion(again, now));
        Assert.Contains(e.Problems, p => p.Message.Contains("cannot overlap or repeat", StringComparison.Ordinal));
    }

    [Fact]
    public void ParseVersion_Bad_ReportsPath()
    {
        var e = Assert.Throws<TariffLoadException>(() => TariffLoader.ParseVersion("""{ "effectiveFrom": "2025-01-01", "price": "-1" }"""));
        Assert.Equal("price", Assert.Single(e.Problems).Path);
    }

    [Fact]
    public void QuotaModifierNames_ListsModifiersOfAllTiers()
    {
        Assert.Equal(new[] { "large-household" }, Samples.ShanghaiTou.QuotaModifierNames.ToArray());
        Assert.Empty(Samples.Uk.QuotaModifierNames);
    }

    [Fact]
    public void BandIndex_KnowsBandsOfAllVersions()
    {
        Assert.Equal(1, Samples.ShanghaiTou.BandIndex("valley"));
        Assert.Equal(-1, Samples.ShanghaiTou.BandIndex("night"));
    }

    [Fact]
    public void VersionIndexAt_BeforeFirstVersion_MinusOne()
    {
        Assert.Equal(-1, Samples.Uk.VersionIndexAt(Samples.Utc(2023, 12, 31, 23, 59)));
        Assert.Equal(0, Samples.Uk.VersionIndexAt(Samples.Utc(2024, 1, 1)));
    }
}
