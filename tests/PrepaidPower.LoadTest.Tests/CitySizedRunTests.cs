using PrepaidPower.Tests.Shared;
using Xunit.Abstractions;

namespace PrepaidPower.LoadTest.Tests;

/// <summary>
/// The load harness's CI-sized run (issue 5): 20,000 meters for one minute on the real PostgreSQL and simulator,
/// with both baselines. It checks correctness only — every account reconciles after a crash-like restart, and every
/// latency the harness reports was measured — never a speed: these machines are shared.
/// </summary>
[Trait("Category", "Integration")]
[Collection(PostgresCollection.Name)]
public sealed class CitySizedRunTests(PostgresFixture postgres, ITestOutputHelper output)
{
    [Fact]
    public async Task RunAsync_20000MetersForOneMinute_ReconcilesAndMeasuresEveryLatency()
    {
        var cs = await postgres.CreateDatabaseAsync();
        var outDir = Directory.CreateTempSubdirectory("pp-loadtest-").FullName;
        var options = LoadOptions.Parse(["--meters", "20000", "--concentrators", "8", "--minutes", "1", "--baseline-minutes", "0.25", "--postgres", cs, "--out", outDir]);

        var report = await LoadRun.RunAsync(options);

        output.WriteLine(report.Markdown);
        var d = report.Durable;
        Assert.Equal(0, d.EnergyDifferenceWh);
        Assert.Equal(0L, d.MoneyDifferenceMinor);
        Assert.Equal(0, d.ReconnectsMissed);
        Assert.True(d.Rounds >= 1);
        Assert.InRange(d.Readings, 1, d.Rounds * 20_000L);
        // One account in ten runs out of credit within the run: each is cut once, and the cuts were timed.
        Assert.True(d.Cutoffs > 0, "no cut was timed");
        Assert.NotNull(d.LagP50Ms);
        Assert.NotNull(d.LagP99Ms);
        Assert.NotNull(d.CutoffP50Ms);
        Assert.NotNull(d.CutoffP99Ms);
        Assert.True(d.Reconnects > 0, "no top-up was timed to its reconnection");
        Assert.NotNull(d.ReconnectP99Ms);
        Assert.NotNull(d.ColdStartSeconds);
        Assert.NotNull(d.PgTransactionsPerSecond);
        Assert.True(d.HeapBytesPerMeter > 0);

        Assert.NotNull(report.Ceiling);
        Assert.Equal(0, report.Ceiling.EnergyDifferenceWh);
        Assert.True(report.Ceiling.Readings > 0);
        Assert.NotNull(report.SqlOnly);
        Assert.Equal(0, report.SqlOnly.EnergyDifferenceWh);
        Assert.Equal(0, report.SqlOnly.MoneyDifferenceMinor);
        Assert.True(report.Passed);

        // The JSON the README's table comes from has every field the issue names.
        foreach (var field in new[] { "meters", "concentrators", "durationSeconds", "readingsPerSecond", "ceilingReadingsPerSecond", "sqlOnlyReadingsPerSecond", "coldStartSeconds", "lagP99Ms", "cutoffP50Ms", "cutoffP99Ms", "reconnectP99Ms", "bytesPerMeter", "moneyDifference", "machine" })
        {
            Assert.True(report.Json.TryGetValue(field, out var value) && value is not null, $"{field} is missing from the JSON");
        }

        Assert.True(File.Exists(report.File));
        Directory.Delete(outDir, recursive: true);
    }

    [Theory]
    [InlineData("--meters", "0")]
    [InlineData("--meters", "lots")]
    [InlineData("--minutes", "-1")]
    [InlineData("--frobnicate", "1")]
    public void Parse_BadOption_SaysWhatIsWrong(string name, string value)
    {
        var e = Assert.Throws<ArgumentException>(() => LoadOptions.Parse([name, value]));
        Assert.Contains(name, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MoreConcentratorsThanMeters_IsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => LoadOptions.Parse(["--meters", "4", "--concentrators", "8"]));
        Assert.Contains("at least one meter", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Percentile_OfKnownValues_IsWithinOnePercent()
    {
        var r = new LatencyRecorder();
        for (var i = 1; i <= 1000; i++)
        {
            r.Record(i);
        }

        Assert.InRange(r.Percentile(0.50)!.Value, 495, 505);
        Assert.InRange(r.Percentile(0.99)!.Value, 985, 1000);
        r.Reset();
        Assert.Null(r.Percentile(0.5));
    }
}
