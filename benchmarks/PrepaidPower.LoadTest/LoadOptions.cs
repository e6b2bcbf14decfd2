using System.Globalization;

namespace PrepaidPower.LoadTest;

/// <summary>
/// What one harness run does (command line: <see cref="Usage"/>). The main run is durable (PostgreSQL, ledger); the two
/// baselines run after it on the same machine with the same city, tariff and step.
/// </summary>
internal sealed record LoadOptions
{
    public const string Usage = "--meters N --concentrators C --minutes T [--baseline-minutes B] [--step-minutes S] [--top-ups-per-round K] [--meter-snapshot-every R] [--ado-net-storage] [--no-baselines] [--postgres CONNECTION] [--out DIR]";

    /// <summary>Meters, each with its own account. Default 20,000.</summary>
    public int Meters { get; init; } = 20_000;

    /// <summary>Table-layout concentrators the meters are spread over. Default 8.</summary>
    public int Concentrators { get; init; } = 8;

    /// <summary>Wall-clock length of the measured part of the durable run, minutes. Default 1.</summary>
    public double Minutes { get; init; } = 1;

    /// <summary>Wall-clock length of each baseline's measured part, minutes. Default: <see cref="Minutes"/>.</summary>
    public double? BaselineMinutes { get; init; }

    /// <summary>Simulated minutes between two poll rounds (the clock is stepped, so rounds follow each other at once). Default 15.</summary>
    public int StepMinutes { get; init; } = 15;

    /// <summary>Cut accounts topped up per round (concurrently with the next round) to time the reconnection. Default 200.</summary>
    public int TopUpsPerRound { get; init; } = 200;

    /// <summary>The grains' MeterSnapshotEveryReadings: 1 (the product default) writes every meter's state per reading.</summary>
    public int MeterSnapshotEvery { get; init; } = 1;

    /// <summary>
    /// Keep accounts and meters on the Orleans ADO.NET storage provider (one transaction per write) instead of the
    /// group-commit storage, to compare the two on the same workload.
    /// </summary>
    public bool AdoNetStorage { get; init; }

    /// <summary>Skip the ceiling and SQL-only baselines (a quick look; the report then has no ratios).</summary>
    public bool NoBaselines { get; init; }

    /// <summary>An existing PostgreSQL database to use (it is migrated); default: a throwaway server of our own.</summary>
    public string? Postgres { get; init; }

    public string OutDirectory { get; init; } = Path.Combine("benchmarks", "results");

    public TimeSpan Duration => TimeSpan.FromMinutes(Minutes);

    public TimeSpan BaselineDuration => TimeSpan.FromMinutes(BaselineMinutes ?? Minutes);

    public TimeSpan Step => TimeSpan.FromMinutes(StepMinutes);

    public static LoadOptions Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var o = new LoadOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value; usage: {Usage}");
            int Int() => int.TryParse(Next(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : throw new ArgumentException($"{name} needs a whole number above 0");
            double Minutes() => double.TryParse(Next(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 && v <= 24 * 60 ? v : throw new ArgumentException($"{name} needs minutes above 0 (at most a day)");
            o = name switch
            {
                "--meters" => o with { Meters = Int() },
                "--concentrators" => o with { Concentrators = Int() },
                "--minutes" => o with { Minutes = Minutes() },
                "--baseline-minutes" => o with { BaselineMinutes = Minutes() },
                "--step-minutes" => o with { StepMinutes = Int() },
                "--top-ups-per-round" => o with { TopUpsPerRound = Int() },
                "--meter-snapshot-every" => o with { MeterSnapshotEvery = Int() },
                "--ado-net-storage" => o with { AdoNetStorage = true },
                "--no-baselines" => o with { NoBaselines = true },
                "--postgres" => o with { Postgres = Next() },
                "--out" => o with { OutDirectory = Next() },
                _ => throw new ArgumentException($"unknown option {name}; usage: {Usage}"),
            };
        }

        if (o.Concentrators > o.Meters)
        {
            throw new ArgumentException($"--concentrators {o.Concentrators} is more than --meters {o.Meters}; give every concentrator at least one meter");
        }

        return o;
    }
}
