using CsCheck;

namespace PrepaidPower.Domain.Tests.Values;

[Trait("Category", "Unit")]
public sealed class MoneyTests
{
    [Fact]
    public void FromMajor_TooManyDecimals_Rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Money.FromMajor(1.234m, Currency.CNY));
        Assert.Contains("more than 2 decimals", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromMajor_Exact_KeepsMinorUnits()
    {
        Assert.Equal(15410, Money.FromMajor(154.10m, Currency.CNY).MinorUnits);
        Assert.Equal("154.10", Money.FromMinor(15410, Currency.CNY).ToAmountString());
        Assert.Equal("-0.05", Money.FromMinor(-5, Currency.GBP).ToAmountString());
    }

    [Fact]
    public void Add_DifferentCurrencies_Rejected()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Money.FromMinor(1, Currency.CNY) + Money.FromMinor(1, Currency.GBP));
        Assert.Contains("CNY", e.Message, StringComparison.Ordinal);
        Assert.Contains("GBP", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_Overflow_Throws()
    {
        Assert.Throws<OverflowException>(() => Money.FromMinor(long.MaxValue, Currency.CNY) + Money.FromMinor(1, Currency.CNY));
    }

    [Fact]
    public void DefaultMoney_Rejected()
    {
        Assert.Throws<InvalidOperationException>(() => default(Money) + Money.FromMinor(1, Currency.CNY));
        Assert.Throws<ArgumentException>(() => Money.FromMinor(1, default));
    }

    [Theory]
    [InlineData("12.34", true, 1234)]
    [InlineData("-0.5", true, -50)]
    [InlineData("1.005", false, 0)]
    [InlineData("abc", false, 0)]
    [InlineData("1e3", false, 0)]
    [InlineData("", false, 0)]
    public void TryParse_Cases(string text, bool ok, long minor)
    {
        Assert.Equal(ok, Money.TryParse(text, Currency.CNY, out var m, out var error));
        if (ok)
        {
            Assert.Equal(minor, m.MinorUnits);
        }
        else
        {
            Assert.False(string.IsNullOrEmpty(error));
        }
    }

    [Fact]
    public void Currency_Unknown_NamesTheCode()
    {
        var e = Assert.Throws<ArgumentException>(() => Currency.FromCode("XYZ"));
        Assert.Contains("XYZ", e.Message, StringComparison.Ordinal);
        Assert.False(Currency.TryFromCode("cny", out _));
    }

    [Theory]
    [InlineData(MoneyRounding.HalfUp, 2.5, 3)]
    [InlineData(MoneyRounding.HalfUp, -2.5, -3)]
    [InlineData(MoneyRounding.HalfEven, 2.5, 2)]
    [InlineData(MoneyRounding.HalfEven, 3.5, 4)]
    [InlineData(MoneyRounding.Down, 2.9, 2)]
    [InlineData(MoneyRounding.Down, -2.9, -2)]
    [InlineData(MoneyRounding.Up, 2.1, 3)]
    [InlineData(MoneyRounding.Up, -2.1, -3)]
    public void Rounding_Modes(MoneyRounding mode, double value, long expected)
    {
        Assert.Equal(expected, (long)mode.RoundToInteger((decimal)value));
    }

    [Fact]
    public void ChargeAccumulator_ManySmallCharges_NoDrift()
    {
        // 1000 charges of 0.3337 fen: posted total must equal round(333.7) = 334, never 0 (per-posting rounding) or 1000.
        var acc = new ChargeAccumulator(0, 0, MoneyRounding.HalfUp);
        long posted = 0;
        for (var i = 0; i < 1000; i++)
        {
            posted += acc.Post(0.3337m);
        }
        Assert.Equal(334, posted);
        Assert.Equal(334, acc.PostedMinorTotal);
    }

    [Fact]
    public void ChargeAccumulator_AnySplit_PostsExactTotalRoundedOnce()
    {
        Gen.Decimal[0m, 500m].Array[1, 200].Select(Gen.Enum<MoneyRounding>()).Sample((parts, mode) =>
        {
            var acc = new ChargeAccumulator(0, 0, mode);
            long posted = 0;
            decimal exact = 0;
            foreach (var p in parts)
            {
                posted += acc.Post(p);
                exact += p;
                Assert.True(Math.Abs(acc.CarryMinor) <= 1m);
            }
            Assert.Equal((long)mode.RoundToInteger(exact), posted);
        });
    }

    [Fact]
    public void Energy_FromKilowattHours_RejectsSubWattHour()
    {
        Assert.Equal(1234, Energy.FromKilowattHours(1.234m).WattHours);
        Assert.Throws<ArgumentException>(() => Energy.FromKilowattHours(1.2345m));
        Assert.Equal("1.234 kWh", Energy.FromWattHours(1234).ToString());
    }
}
