using System.Text.Json;

namespace PrepaidPower.Cli.Tests.Quote;

[Trait("Category", "Unit")]
public sealed class QuoteCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("quote-tests-");

    private static string Sample(string relative) => Path.Combine(AppContext.BaseDirectory, "samples", relative);

    public void Dispose() => _dir.Delete(recursive: true);

    private FileInfo Write(string name, string content)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, content);
        return new FileInfo(path);
    }

    private static (int Code, string Out, string Err) Run(string tariff, FileInfo readings, FileInfo? account = null)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = QuoteCommand.Run(new FileInfo(tariff), readings, account, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Run_ShanghaiSample_Costs154Point10()
    {
        var (code, output, err) = Run(Sample("tariffs/shanghai-residential-tou.json"),
            new FileInfo(Sample("readings/shanghai-month.csv")), new FileInfo(Sample("accounts/shanghai-household.json")));
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.Equal("CNY", root.GetProperty("currency").GetString());
        Assert.Equal("300.000", root.GetProperty("energyKwh").GetString());
        Assert.Equal("154.10", root.GetProperty("total").GetString());
        var lines = root.GetProperty("lines").EnumerateArray().ToDictionary(l => l.GetProperty("band").GetString()!, l => l);
        Assert.Equal("123.40", lines["peak"].GetProperty("amount").GetString());
        Assert.Equal("200", lines["peak"].GetProperty("kWh").GetString());
        Assert.Equal("0.617", lines["peak"].GetProperty("rate").GetString());
        Assert.Equal(1, lines["peak"].GetProperty("tier").GetInt32());
        Assert.Equal("30.70", lines["valley"].GetProperty("amount").GetString());
        Assert.Equal("1120.500", root.GetProperty("tierUsage").GetProperty("usedKwh").GetString());
    }

    [Fact]
    public void Run_UkSampleWithDebt_ChargesEnergyStandingAndDebtRoundedOnce()
    {
        var (code, output, err) = Run(Sample("tariffs/uk-prepayment-single-rate.json"),
            new FileInfo(Sample("readings/uk-week.csv")), new FileInfo(Sample("accounts/uk-with-debt.json")));
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(output);
        var lines = doc.RootElement.GetProperty("lines").EnumerateArray().ToList();
        // 67.4 kWh × 0.2337 = 15.75138; 7 days × 0.6812 = 4.7684; exact 20.51978 → 20.52 posted as 15.75 + 4.77.
        Assert.Equal("15.75", lines[0].GetProperty("amount").GetString());
        Assert.Equal("standingCharge", lines[1].GetProperty("kind").GetString());
        Assert.Equal(7, lines[1].GetProperty("days").GetInt32());
        Assert.Equal("4.77", lines[1].GetProperty("amount").GetString());
        Assert.Equal("debtRecovery", lines[2].GetProperty("kind").GetString());
        Assert.Equal("3.50", lines[2].GetProperty("amount").GetString());
        Assert.Equal("24.02", doc.RootElement.GetProperty("total").GetString());
    }

    [Fact]
    public void Run_LargeHousehold_GetsMoreTierOneQuota()
    {
        // 4,000 kWh in one year, no TOU: a 3-person household pays 3,120 in tier 1 and 880 in tier 2;
        // a 5-person household has 3,120 + 12 × 100 = 4,320 kWh in tier 1, so all 4,000 is tier 1.
        var readings = Write("year.csv", "timestamp,total_kwh\n2024-01-01T00:00:00+08:00,0\n2025-01-01T00:00:00+08:00,4000\n");
        var small = Run(Sample("tariffs/shanghai-residential.json"), readings, Write("small.json", """{ "householdSize": 3 }"""));
        var large = Run(Sample("tariffs/shanghai-residential.json"), readings, Write("large.json", """{ "householdSize": 5 }"""));
        Assert.Equal("2512.00", Total(small.Out)); // 3120 × 0.617 + 880 × 0.667 = 1925.04 + 586.96
        Assert.Equal("2468.00", Total(large.Out)); // 4000 × 0.617
    }

    [Theory]
    [InlineData("timestamp,total_kwh\n2024-01-01T00:00:00+08:00,abc\n2024-01-02T00:00:00+08:00,2\n", "year.csv:2:2:", "not a non-negative number")]
    [InlineData("timestamp,total_kwh\n2024-01-01 00:00,1\n2024-01-02T00:00:00+08:00,2\n", "year.csv:2:1:", "with an offset")]
    [InlineData("timestamp,total_kwh\n2024-01-01T00:00:00+08:00,5\n2024-01-02T00:00:00+08:00,4\n", "year.csv:3:2:", "decreased")]
    [InlineData("timestamp,total_kwh\n2024-01-02T00:00:00+08:00,5\n2024-01-01T00:00:00+08:00,6\n", "year.csv:3:1:", "not after")]
    [InlineData("time,kwh\n", "year.csv:1:1:", "header")]
    [InlineData("timestamp,total_kwh\n2024-01-01T00:00:00+08:00,5\n", "year.csv:2:", "at least two readings")]
    [InlineData("timestamp,total_kwh\n2024-01-01T00:00:00+08:00,5,6\n", "year.csv:2:", "expected 2 values")]
    [InlineData("timestamp,total_kwh,sharp_kwh\n2024-01-01T00:00:00+08:00,5,1\n2024-01-02T00:00:00+08:00,6,1\n", "year.csv:1:3:", "not a band")]
    [InlineData("timestamp,total_kwh\n2024-01-01T00:00:00+08:00,1.2345\n2024-01-02T00:00:00+08:00,6\n", "year.csv:2:2:", "three decimals")]
    public void Run_BadReadings_ExitCode2NamingLineAndColumn(string csv, string where, string what)
    {
        var (code, output, err) = Run(Sample("tariffs/shanghai-residential-tou.json"), Write("year.csv", csv));
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains(where, err, StringComparison.Ordinal);
        Assert.Contains(what, err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "householdSize": -2 }""", "householdSize")]
    [InlineData("""{ "householdSize": 2, "pets": 1 }""", "pets")]
    [InlineData("""{ "tierUsage": { "periodStart": "2024-13-01", "usedKwh": 1 } }""", "periodStart")]
    [InlineData("""{ "debts": [ { "id": "d", "outstanding": "1.00", "method": "payment", "percent": 0 } ] }""", "percent")]
    public void Run_BadAccount_ExitCode2NamingTheField(string json, string field)
    {
        var readings = Write("r.csv", "timestamp,total_kwh\n2024-01-01T00:00:00+08:00,0\n2024-01-02T00:00:00+08:00,1\n");
        var (code, _, err) = Run(Sample("tariffs/shanghai-residential-tou.json"), readings, Write("a.json", json));
        Assert.Equal(2, code);
        Assert.Contains(field, err, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_BadTariff_ExitCode2WithJsonPath()
    {
        var tariff = Write("t.json", """{ "id": "x", "currency": "XXX", "timeZone": "Asia/Shanghai", "versions": [ { "effectiveFrom": "2024-01-01", "price": "-1" } ] }""");
        var readings = Write("r.csv", "timestamp,total_kwh\n2024-02-01T00:00:00+08:00,0\n2024-02-02T00:00:00+08:00,1\n");
        var (code, output, err) = Run(tariff.FullName, readings);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains("currency", err, StringComparison.Ordinal);
        Assert.Contains("versions[0].price", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_MissingReadingsFile_ExitCode2()
    {
        var (code, _, err) = Run(Sample("tariffs/shanghai-residential-tou.json"), new FileInfo(Path.Combine(_dir.FullName, "nope.csv")));
        Assert.Equal(2, code);
        Assert.Contains("not found", err, StringComparison.Ordinal);
    }

    private static string Total(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("total").GetString()!;
    }
}
