using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using PrepaidPower.Persistence.Local;
using PrepaidPower.Persistence.Schema;

namespace PrepaidPower.LoadTest;

/// <summary>What a harness run found: the durable run, the baselines (null when skipped), the JSON written and where.</summary>
internal sealed record LoadReport(GrainRunResult Durable, GrainRunResult? Ceiling, SqlOnlyResult? SqlOnly, Dictionary<string, object?> Json, string Markdown, string File)
{
    /// <summary>Money and energy reconcile in every run, and every topped-up account was reconnected.</summary>
    public bool Passed =>
        Durable.MoneyDifferenceMinor == 0 && Durable.EnergyDifferenceWh == 0 && Durable.ReconnectsMissed == 0
        && (Ceiling is null || Ceiling.EnergyDifferenceWh == 0)
        && (SqlOnly is null || (SqlOnly.EnergyDifferenceWh == 0 && SqlOnly.MoneyDifferenceMinor == 0));
}

internal static class LoadRun
{
    public static async Task<LoadReport> RunAsync(LoadOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        ManagedPostgres? server = null;
        var cs = o.Postgres;
        if (cs is null)
        {
            Console.WriteLine("starting a throwaway PostgreSQL (fsync off: it measures the platform, not the disk)…");
            server = await ManagedPostgres.StartAsync(ManagedPostgresOptions.Throwaway("loadtest"));
            cs = server.ConnectionString;
        }

        try
        {
            await SchemaMigrator.ApplyAsync(cs);
            Console.WriteLine($"durable run: {o.Meters} meters, {o.Concentrators} concentrators, {o.Minutes} min");
            var durable = await GrainRun.RunAsync(o, GrainMode.Durable, cs, o.Duration);
            GrainRunResult? ceiling = null;
            SqlOnlyResult? sqlOnly = null;
            if (!o.NoBaselines)
            {
                GC.Collect();
                Console.WriteLine($"ceiling baseline: the same grains on memory storage with no ledger, {o.BaselineDuration.TotalMinutes} min");
                ceiling = await GrainRun.RunAsync(o, GrainMode.Ceiling, null, o.BaselineDuration);
                GC.Collect();
                Console.WriteLine($"SQL-only baseline: set-based rating in PostgreSQL, {o.BaselineDuration.TotalMinutes} min");
                var clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 7, 2, 0, 0, TimeSpan.Zero));
                sqlOnly = await SqlOnlyRater.RunAsync(cs, o.Meters, o.Concentrators, clock, o.Step, o.BaselineDuration, GrainRun.OpeningMinor);
                Console.WriteLine($"SQL-only: {sqlOnly}");
            }

            var json = Json(o, durable, ceiling, sqlOnly);
            var markdown = Markdown(o, durable, ceiling, sqlOnly);
            Console.WriteLine(markdown);
            Directory.CreateDirectory(o.OutDirectory);
            var file = Path.Combine(o.OutDirectory, $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-loadtest-{o.Meters}.json");
            await File.WriteAllTextAsync(file, JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }));
            Console.WriteLine($"written {file}");
            var report = new LoadReport(durable, ceiling, sqlOnly, json, markdown, file);
            Console.WriteLine(report.Passed ? "PASSED: every account reconciles" : "FAILED: see the differences above");
            return report;
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }
    }

    private static double? Ratio(double a, double? b) => b is > 0 ? Math.Round(a / b.Value, 2) : null;

    private static Dictionary<string, object?> Json(LoadOptions o, GrainRunResult d, GrainRunResult? c, SqlOnlyResult? s) => new()
    {
        ["meters"] = o.Meters,
        ["concentrators"] = o.Concentrators,
        ["durationSeconds"] = d.DurationSeconds,
        ["simulatedMinutesPerRound"] = o.StepMinutes,
        ["meterSnapshotEveryReadings"] = o.MeterSnapshotEvery,
        ["grainStorage"] = o.AdoNetStorage ? "ado.net" : "group-commit",
        ["rounds"] = d.Rounds,
        ["readings"] = d.Readings,
        ["readingsPerSecond"] = d.ReadingsPerSecond,
        ["ceilingReadingsPerSecond"] = c?.ReadingsPerSecond,
        ["sqlOnlyReadingsPerSecond"] = s is null ? null : Math.Round(s.ReadingsPerSecond),
        ["durableToCeilingRatio"] = c is null ? null : Ratio(d.ReadingsPerSecond, c.ReadingsPerSecond),
        ["durableToSqlOnlyRatio"] = s is null ? null : Ratio(d.ReadingsPerSecond, s.ReadingsPerSecond),
        ["setupSeconds"] = d.SetupSeconds,
        ["coldStartSeconds"] = d.ColdStartSeconds,
        ["coldActivationsPerSecond"] = d.ColdStartSeconds is > 0 ? Math.Round(2.0 * o.Meters / d.ColdStartSeconds.Value) : null,
        ["lagP50Ms"] = d.LagP50Ms,
        ["lagP99Ms"] = d.LagP99Ms,
        ["cutoffs"] = d.Cutoffs,
        ["cutoffP50Ms"] = d.CutoffP50Ms,
        ["cutoffP99Ms"] = d.CutoffP99Ms,
        ["reconnects"] = d.Reconnects,
        ["reconnectsMissed"] = d.ReconnectsMissed,
        ["reconnectP50Ms"] = d.ReconnectP50Ms,
        ["reconnectP99Ms"] = d.ReconnectP99Ms,
        ["bytesPerMeter"] = d.HeapBytesPerMeter,
        ["workingSetBytesPerMeter"] = d.WorkingSetBytesPerMeter,
        ["processCores"] = d.ProcessCores,
        ["machineCpuPercent"] = d.MachineCpuPercent,
        ["pgTransactionsPerSecond"] = d.PgTransactionsPerSecond,
        ["pgRowsPerSecond"] = d.PgRowsPerSecond,
        ["failedReads"] = d.Failed,
        ["energyDifferenceWh"] = d.EnergyDifferenceWh,
        ["moneyDifference"] = d.MoneyDifferenceMinor,
        ["ceiling"] = c,
        ["sqlOnly"] = s,
        ["machine"] = new Dictionary<string, object>
        {
            ["cores"] = Environment.ProcessorCount,
            ["memoryBytes"] = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
            ["os"] = RuntimeInformation.OSDescription,
            ["runtime"] = RuntimeInformation.FrameworkDescription,
        },
    };

    private static string Markdown(LoadOptions o, GrainRunResult d, GrainRunResult? c, SqlOnlyResult? s)
    {
        static string F(double? v, string unit = "") => v is { } x ? x.ToString("#,0.##", CultureInfo.InvariantCulture) + unit : "–";
        var b = new StringBuilder();
        b.Append(CultureInfo.InvariantCulture, $"{o.Meters:#,0} meters with their accounts, {o.Concentrators} concentrators, {o.StepMinutes} simulated minutes per round, meter state written every {o.MeterSnapshotEvery} reading(s) to {(o.AdoNetStorage ? "the ADO.NET storage provider" : "the group-commit storage")}; {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}\n\n");
        b.Append("| | durable (PostgreSQL + ledger) | ceiling (memory, no ledger) | SQL-only rater |\n|---|---|---|---|\n");
        b.Append(CultureInfo.InvariantCulture, $"| readings rated per second | {F(d.ReadingsPerSecond)} | {F(c?.ReadingsPerSecond)} | {F(s is null ? null : Math.Round(s.ReadingsPerSecond))} |\n");
        b.Append(CultureInfo.InvariantCulture, $"| durable ÷ baseline | | {F(c is null ? null : Ratio(d.ReadingsPerSecond, c.ReadingsPerSecond), "×")} | {F(s is null ? null : Ratio(d.ReadingsPerSecond, s.ReadingsPerSecond), "×")} |\n");
        b.Append(CultureInfo.InvariantCulture, $"| measured for | {F(d.DurationSeconds, " s")} ({d.Rounds} rounds, {d.Readings:#,0} readings) | {F(c?.DurationSeconds, " s")} | {F(s?.PollSeconds, " s")} ({s?.Rounds} rounds) |\n");
        b.Append(CultureInfo.InvariantCulture, $"| poll → charge in ledger p50 / p99 | {F(d.LagP50Ms, " ms")} / {F(d.LagP99Ms, " ms")} | {F(c?.LagP50Ms, " ms")} / {F(c?.LagP99Ms, " ms")} | |\n");
        b.Append(CultureInfo.InvariantCulture, $"| cutoff p50 / p99 ({d.Cutoffs} cuts) | {F(d.CutoffP50Ms, " ms")} / {F(d.CutoffP99Ms, " ms")} | {F(c?.CutoffP50Ms, " ms")} / {F(c?.CutoffP99Ms, " ms")} | |\n");
        b.Append(CultureInfo.InvariantCulture, $"| top-up → reconnect p50 / p99 ({d.Reconnects} timed) | {F(d.ReconnectP50Ms, " ms")} / {F(d.ReconnectP99Ms, " ms")} | {F(c?.ReconnectP50Ms, " ms")} / {F(c?.ReconnectP99Ms, " ms")} | |\n");
        b.Append(CultureInfo.InvariantCulture, $"| set-up (open, register, attach, fund) | {F(d.SetupSeconds, " s")} | {F(c?.SetupSeconds, " s")} | |\n");
        b.Append(CultureInfo.InvariantCulture, $"| cold start from PostgreSQL (all meters + accounts) | {F(d.ColdStartSeconds, " s")} | | |\n");
        b.Append(CultureInfo.InvariantCulture, $"| heap per meter with its account | {F(d.HeapBytesPerMeter, " B")} | {F(c?.HeapBytesPerMeter, " B")} | |\n");
        b.Append(CultureInfo.InvariantCulture, $"| CPU: harness process (cores) / machine | {F(d.ProcessCores)} / {F(d.MachineCpuPercent, " %")} | {F(c?.ProcessCores)} / {F(c?.MachineCpuPercent, " %")} | |\n");
        b.Append(CultureInfo.InvariantCulture, $"| PostgreSQL transactions / rows written per second | {F(d.PgTransactionsPerSecond)} / {F(d.PgRowsPerSecond)} | | |\n");
        b.Append(CultureInfo.InvariantCulture, $"| energy difference (Wh) / money difference (fen) | {d.EnergyDifferenceWh} / {d.MoneyDifferenceMinor} | {c?.EnergyDifferenceWh} / – | {s?.EnergyDifferenceWh} / {s?.MoneyDifferenceMinor} |\n");
        return b.ToString();
    }
}
