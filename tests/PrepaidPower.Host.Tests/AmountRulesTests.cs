using PrepaidPower.Host.Api.Money;
using PrepaidPower.Host.Errors;

namespace PrepaidPower.Host.Tests;

[Trait("Category", "Unit")]
public sealed class AmountRulesTests
{
    [Theory]
    [InlineData("100.00", "CNY", 10000)]
    [InlineData("0.01", "CNY", 1)]
    [InlineData("100000", "CNY", 10000000)]
    [InlineData("5", "JPY", 5)]
    public void Parse_ValidAmount_GivesMinorUnits(string amount, string currency, long minor)
    {
        Assert.Equal(minor, AmountRules.Parse(amount, currency, 100_000m, allowNegative: false).Minor);
    }

    [Theory]
    [InlineData("-1.00", false, "negative", "amount")]
    [InlineData("0", false, "zero", "amount")]
    [InlineData("0.00", true, "zero", "amount")]
    [InlineData("100000.01", false, "largest", "amount")]
    [InlineData("-100000.01", true, "largest", "amount")]
    [InlineData("1.005", false, "decimals", "amount")]
    public void Parse_BadAmount_Is400NamingTheField(string amount, bool allowNegative, string mentions, string field)
    {
        var e = Assert.Throws<ApiRequestException>(() => AmountRules.Parse(amount, "CNY", 100_000m, allowNegative));

        Assert.Equal(400, e.Status);
        Assert.Equal(field, e.Field);
        Assert.Contains(mentions, e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Parse_NegativeAdjustment_IsAllowed()
    {
        Assert.Equal(-500, AmountRules.Parse("-5.00", "CNY", 100_000m, allowNegative: true).Minor);
    }

    [Fact]
    public void Parse_UnknownCurrency_NamesTheCurrencyField()
    {
        var e = Assert.Throws<ApiRequestException>(() => AmountRules.Parse("1.00", "ABC", 100_000m, allowNegative: false));

        Assert.Equal("currency", e.Field);
        Assert.Equal("WRONG_CURRENCY", e.Code);
    }
}
