using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Orleans.Configuration;
using PrepaidPower.Contracts.Accounts;
using PrepaidPower.Contracts.Tariffs;
using PrepaidPower.Domain.Ledger;
using PrepaidPower.Domain.Protection;
using PrepaidPower.Grains;
using PrepaidPower.Persistence.Ledger;
using PrepaidPower.Persistence.Orleans;
using PrepaidPower.Simulator;

namespace PrepaidPower.LoadTest;

/// <summary>Durable: PostgreSQL grain storage, reminders and ledger. Ceiling: the same grains on memory storage with no ledger.</summary>
internal enum GrainMode
{
    Durable,
    Ceiling,
}

/// <summary>One grain run's measurements; latencies in ms, null when the run had none to measure.</summary>
internal sealed record GrainRunResult
{
    public required GrainMode Mode { get; init; }
    public required double SetupSeconds { get; init; }
    public required double DurationSeconds { get; init; }
    public required int Rounds { get; init; }
    public required long Readings { get; init; }
    public required double PollSeconds { get; init; }
    public double ReadingsPerSecond => PollSeconds > 0 ? Math.Round(Readings / PollSeconds) : 0;
    public required long Failed { get; init; }
    public required double? LagP50Ms { get; init; }
    public required double? LagP99Ms { get; init; }
    public required long Cutoffs { get; init; }
    public required double? CutoffP50Ms { get; init; }
    public required double? CutoffP99Ms { get; init; }
    public required int Reconnects { get; init; }
    public required int ReconnectsMissed { get; init; }
    public required double? ReconnectP50Ms { get; init; }
    public required double? ReconnectP99Ms { get; init; }
    public required double ProcessCores { get; init; }
    public required double MachineCpuPercent { get; init; }
    public required double? PgTransactionsPerSecond { get; init; }
    public required double? PgRowsPerSecond { get; init; }
    public required double? ColdStartSeconds { get; init; }
    public required long HeapBytesPerMeter { get; init; }
    public required long WorkingSetBytesPerMeter { get; init; }
    public required long EnergyDifferenceWh { get; init; }
    public required long? MoneyDifferenceMinor { get; init; }
}

/// <summary>
/// One grain run: a silo in this process, the simulator's city behind table concentrators on a stepped clock, every
/// account opened and funded (one in ten with 0.50 CNY, so it runs out), a warm-up round, then timed poll rounds for
/// the given wall time while a share of the cut accounts is topped up. A durable run then stops the silo as a crash
/// would (no deactivation writes), starts a new one on the same database, activates every meter and account from
/// PostgreSQL (the cold start) and reconciles every account against the simulator's registers and its ledger rows.
/// </summary>
internal static class GrainRun
{
    public const string Prefix = "lt";
    private const string Tariff = "shanghai-residential";
    private const string Operator = "loadtest";
    private const string ServiceId = "prepaidpower-loadtest";
    private const int Parallelism = 512;
    private static readonly DateTimeOffset Start = new(2030, 1, 7, 2, 0, 0, TimeSpan.Zero);

    /// <summary>Every tenth account (m % 10 == 3) opens with 50 fen and runs out; the others with 10,000 CNY.</summary>
    public static long OpeningMinor(int m) => m % 10 == 3 ? 50 : 1_000_000;

    public static async Task<GrainRunResult> RunAsync(LoadOptions o, GrainMode mode, string? connectionString, TimeSpan duration)
    {
        if (mode == GrainMode.Durable && connectionString is null)
        {
            throw new ArgumentException("A durable run needs a PostgreSQL connection string.", nameof(connectionString));
        }

        var clock = new FakeTimeProvider(Start);
        using var listener = new IngestListener();
        await using var database = mode == GrainMode.Durable ? NpgsqlDataSource.Create(connectionString!) : null;
        var sampler = new ResourceSampler(database);
        await using var sim = await SimulatorHost.StartAsync(new SimulatorOptions
        {
            Meters = o.Meters,
            Concentrators = o.Concentrators,
            Layout = SimulatedLayouts.Table,
            Seed = 5,
            Start = clock.GetUtcNow(),
            TimeProvider = clock,
        });

        var host = BuildHost(mode, connectionString, clock, o);
        await host.StartAsync();
        var stopped = false;
        try
        {
            var city = new City(host.Services.GetRequiredService<IGrainFactory>(), sim, Prefix);
            var json = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "tariffs", Tariff + ".json"));
            await host.Services.GetRequiredService<IGrainFactory>().GetGrain<ITariffGrain>(Tariff).CreateAsync(json, Operator);

            var heapBefore = GC.GetTotalMemory(true);
            var workingSetBefore = Environment.WorkingSet;
            var setup = Stopwatch.StartNew();
            var registered = 0;
            await ForEachAsync(Enumerable.Range(0, o.Meters), Parallelism, async m =>
            {
                await city.RegisterAsync(m, OpeningMinor(m));
                if (Interlocked.Increment(ref registered) % 100_000 == 0)
                {
                    Console.WriteLine($"  {registered} meters registered, {setup.Elapsed.TotalSeconds:F0} s");
                }
            });
            for (var c = 0; c < sim.Endpoints.Count; c++)
            {
                await city.Concentrator(c).RegisterAsync(city.Registration(c, o.Step));
            }

            setup.Stop();
            var heapBytesPerMeter = (GC.GetTotalMemory(true) - heapBefore) / o.Meters;
            var workingSetBytesPerMeter = (Environment.WorkingSet - workingSetBefore) / o.Meters;
            Console.WriteLine($"{mode}: {o.Meters} meters and accounts set up behind {sim.Endpoints.Count} concentrators in {setup.Elapsed.TotalSeconds:F1} s");

            // Warm-up: the first round activates the concentrators and takes every meter's opening registers (baselines).
            await city.PollAllAsync();
            listener.Reset();

            var reconnects = new LatencyRecorder();
            var missed = 0;
            var rescue = new Rescue(o.Meters, o.TopUpsPerRound);
            long readings = 0, failed = 0;
            var rounds = 0;
            var pollTime = TimeSpan.Zero;
            var run = Stopwatch.StartNew();
            while (run.Elapsed < duration)
            {
                clock.Advance(o.Step);
                var topUps = rescue.Next();
                await sampler.StartAsync();
                var round = Stopwatch.StartNew();
                var rescuing = Task.WhenAll(topUps.Select(async m =>
                {
                    var ms = await TopUpAndWaitAsync(city, m);
                    if (ms is { } v)
                    {
                        reconnects.Record(v);
                    }
                    else
                    {
                        Interlocked.Increment(ref missed);
                    }
                }));
                var summaries = await city.PollAllAsync();
                round.Stop();
                await rescuing;
                await sampler.StopAsync();
                pollTime += round.Elapsed;
                rounds++;
                var read = summaries.Sum(s => (long)s.ReadingsReported);
                readings += read;
                failed += summaries.Sum(s => (long)s.Failed);
                Console.WriteLine($"  round {rounds}: {read} readings in {round.Elapsed.TotalMilliseconds:F0} ms ({read / round.Elapsed.TotalSeconds:F0}/s), {summaries.Sum(s => s.Failed)} failed, {topUps.Count} top-ups");
                await rescue.ScanAsync(city);
            }

            var measured = run.Elapsed;
            Console.WriteLine($"{mode}: {rounds} rounds, {listener.Cutoff.Count} cuts, {reconnects.Count} reconnects timed; reconciling…");

            double? coldStart = null;
            long energy;
            long? money;
            if (mode == GrainMode.Durable)
            {
                // As a crash: no deactivation, no snapshot writes; the new silo rebuilds every account from its ledger.
                await host.StopAsync(new CancellationToken(canceled: true));
                host.Dispose();
                stopped = true;
                (coldStart, heapBytesPerMeter, energy, money) = await ColdStartAndReconcileAsync(o, connectionString!, clock, sim, database!);
            }
            else
            {
                (energy, money) = (await ReconcileEnergyAsync(city, o.Meters), null);
            }

            return new GrainRunResult
            {
                Mode = mode,
                SetupSeconds = Math.Round(setup.Elapsed.TotalSeconds, 1),
                DurationSeconds = Math.Round(measured.TotalSeconds, 1),
                Rounds = rounds,
                Readings = readings,
                PollSeconds = Math.Round(pollTime.TotalSeconds, 2),
                Failed = failed,
                LagP50Ms = listener.Lag.Percentile(0.50),
                LagP99Ms = listener.Lag.Percentile(0.99),
                Cutoffs = listener.Cutoff.Count,
                CutoffP50Ms = listener.Cutoff.Percentile(0.50),
                CutoffP99Ms = listener.Cutoff.Percentile(0.99),
                Reconnects = (int)reconnects.Count,
                ReconnectsMissed = missed,
                ReconnectP50Ms = reconnects.Percentile(0.50),
                ReconnectP99Ms = reconnects.Percentile(0.99),
                ProcessCores = sampler.ProcessCores,
                MachineCpuPercent = sampler.MachineCpuPercent,
                PgTransactionsPerSecond = sampler.TransactionsPerSecond,
                PgRowsPerSecond = sampler.RowsPerSecond,
                ColdStartSeconds = coldStart,
                HeapBytesPerMeter = heapBytesPerMeter,
                WorkingSetBytesPerMeter = workingSetBytesPerMeter,
                EnergyDifferenceWh = energy,
                MoneyDifferenceMinor = money,
            };
        }
        finally
        {
            if (!stopped)
            {
                await host.StopAsync(new CancellationToken(canceled: true));
                host.Dispose();
            }
        }
    }

    /// <summary>A new silo on the same database: activates every account and meter, measures it, then reconciles.</summary>
    private static async Task<(double Seconds, long HeapBytesPerMeter, long EnergyWh, long MoneyMinor)> ColdStartAndReconcileAsync(
        LoadOptions o, string connectionString, FakeTimeProvider clock, RunningSimulator sim, NpgsqlDataSource database)
    {
        GC.Collect();
        var host = BuildHost(GrainMode.Durable, connectionString, clock, o);
        await host.StartAsync();
        try
        {
            var city = new City(host.Services.GetRequiredService<IGrainFactory>(), sim, Prefix);
            var heapBefore = GC.GetTotalMemory(true);
            var watch = Stopwatch.StartNew();
            await ForEachAsync(Enumerable.Range(0, o.Meters), Parallelism, m => Task.WhenAll(city.Account(m).GetBalanceAsync(), city.Meter(m).GetSupplyAsync()));
            var seconds = Math.Round(watch.Elapsed.TotalSeconds, 2);
            var heapBytesPerMeter = (GC.GetTotalMemory(true) - heapBefore) / o.Meters;
            Console.WriteLine($"cold start: {o.Meters} accounts and {o.Meters} meters activated from PostgreSQL in {seconds:F1} s ({2.0 * o.Meters / seconds:F0} activations/s), {heapBytesPerMeter} B of heap per meter with its account");

            // The ledger's own view of every account: entries, highest sequence and the sum of amounts.
            var ledger = new Dictionary<string, (long Count, long MaxSeq, long Sum)>(o.Meters, StringComparer.Ordinal);
            await using (var cmd = database.CreateCommand("select account_id, count(*), max(seq), sum(amount_minor)::bigint from ledger where account_id like $1 group by account_id"))
            {
                cmd.Parameters.AddWithValue(Prefix + "-a%");
                await using var reader = await cmd.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    ledger[reader.GetString(0)] = (reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
                }
            }

            long energy = 0, money = 0;
            var shown = 0;
            await ForEachAsync(Enumerable.Range(0, o.Meters), Parallelism, async m =>
            {
                var truth = sim.City.GetTruth(m);
                var balance = await city.Account(m).GetBalanceAsync();
                var rows = ledger.GetValueOrDefault(city.AccountId(m));
                var e = Math.Abs(truth.RegisteredWh - balance.BilledEnergyWh);
                // A gap-free ledger has as many rows as its highest sequence; its amounts add up to the balance.
                var d = Math.Abs(balance.Balance.Minor - rows.Sum) + Math.Abs(rows.Count - rows.MaxSeq);
                if (e != 0 || d != 0)
                {
                    Interlocked.Add(ref energy, e);
                    Interlocked.Add(ref money, d);
                    if (Interlocked.Increment(ref shown) <= 10)
                    {
                        Console.WriteLine($"  meter {m}: billed {balance.BilledEnergyWh} Wh vs registers {truth.RegisteredWh} Wh; balance {balance.Balance.Minor} vs ledger sum {rows.Sum} ({rows.Count} rows, last #{rows.MaxSeq})");
                    }
                }
            });
            return (seconds, heapBytesPerMeter, energy, money);
        }
        finally
        {
            await host.StopAsync(new CancellationToken(canceled: true));
            host.Dispose();
        }
    }

    private static async Task<long> ReconcileEnergyAsync(City city, int meters)
    {
        long total = 0;
        await ForEachAsync(Enumerable.Range(0, meters), Parallelism, async m =>
        {
            var balance = await city.Account(m).GetBalanceAsync();
            Interlocked.Add(ref total, Math.Abs(city.Sim.City.GetTruth(m).RegisteredWh - balance.BilledEnergyWh));
        });
        return total;
    }

    /// <summary>Tops up a cut account; ms from the call to its meter's relay confirmed closed, or null after 30 s.</summary>
    private static async Task<double?> TopUpAndWaitAsync(City city, int m)
    {
        var watch = Stopwatch.StartNew();
        await city.TopUpAsync(m, 1_000_000, "rescue");
        while ((await city.Meter(m).GetSupplyAsync()).Status != "Connected")
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(30))
            {
                Console.WriteLine($"  meter {m} did not reconnect within 30 s of its top-up");
                return null;
            }

            await Task.Delay(10);
        }

        return watch.Elapsed.TotalMilliseconds;
    }

    private static IHost BuildHost(GrainMode mode, string? connectionString, FakeTimeProvider clock, LoadOptions o)
    {
        var none = ProtectionCalendar.None("Asia/Shanghai");
        return Host.CreateDefaultBuilder()
            .ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .UseOrleans(silo =>
            {
                if (mode == GrainMode.Ceiling)
                {
                    silo.UseLocalhostClustering(FreePort(), FreePort(), serviceId: ServiceId, clusterId: "lt-ceiling");
                    silo.AddMemoryGrainStorageAsDefault();
                    foreach (var name in new PrepaidPowerPostgresOptions().StorageNames)
                    {
                        silo.AddMemoryGrainStorage(name);
                    }

                    silo.UseInMemoryReminderService();
                    silo.Services.AddSingleton<ILedgerStore, NullLedgerStore>();
                }
                else
                {
                    // A new cluster id per silo (the service id, which keys the stored state, stays): the crashed silo of
                    // the durable run is then not a member the new one waits for.
                    silo.Configure<ClusterOptions>(c =>
                    {
                        c.ServiceId = ServiceId;
                        c.ClusterId = "lt-" + Guid.NewGuid().ToString("N")[..8];
                    });
                    silo.ConfigureEndpoints(IPAddress.Loopback, FreePort(), FreePort(), listenOnAnyHostAddress: false);
                    silo.UsePrepaidPowerPostgres(WithPool(connectionString!, 40), p => p.GroupCommitStorage = !o.AdoNetStorage);
                    silo.Services.AddSingleton<ILedgerStore>(_ => new PostgresLedgerStore(NpgsqlDataSource.Create(WithPool(connectionString!, 20))));
                }

                // A poll round of a big concentrator is one PollNow call that can outlast the default 30 s (the
                // product polls on the concentrator's timer instead, which has no caller waiting).
                silo.Configure<SiloMessagingOptions>(m => m.ResponseTimeout = TimeSpan.FromMinutes(30));
                silo.AddMemoryGrainStorage("PubSubStore").AddMemoryStreams(AccountEventStream.ProviderName);
                silo.AddPrepaidPowerGrains(g =>
                {
                    g.Time = clock;
                    g.PublishEvents = false;
                    g.ProtectionCalendar = _ => none;
                    g.SnapshotOnDeactivate = false;
                    g.MeterSnapshotEveryReadings = o.MeterSnapshotEvery;
                });
            })
            .Build();
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static string WithPool(string connectionString, int size) =>
        new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = size }.ConnectionString;

    internal static async Task ForEachAsync<T>(IEnumerable<T> items, int parallelism, Func<T, Task> action)
    {
        using var gate = new SemaphoreSlim(parallelism);
        await Task.WhenAll(items.Select(async item =>
        {
            await gate.WaitAsync();
            try
            {
                await action(item);
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    /// <summary>
    /// Finds cut low-credit accounts a slice at a time (so the scan stays small at a million meters) and hands out up
    /// to <c>perRound</c> of them per round for a top-up.
    /// </summary>
    private sealed class Rescue(int meters, int perRound)
    {
        private readonly Queue<int> candidates = new(Enumerable.Range(0, meters).Where(m => OpeningMinor(m) < 1_000));
        private readonly Queue<int> found = new();

        public List<int> Next()
        {
            var next = new List<int>(perRound);
            while (next.Count < perRound && found.TryDequeue(out var m))
            {
                next.Add(m);
            }

            return next;
        }

        public async Task ScanAsync(City city)
        {
            var slice = new List<int>();
            while (slice.Count < perRound * 4 && candidates.TryDequeue(out var m))
            {
                slice.Add(m);
            }

            var cut = new bool[slice.Count];
            await ForEachAsync(Enumerable.Range(0, slice.Count), 64, async i =>
                cut[i] = (await city.Account(slice[i]).GetBalanceAsync()).CreditStatus == "Disconnected");
            for (var i = 0; i < slice.Count; i++)
            {
                (cut[i] ? found : candidates).Enqueue(slice[i]);
            }
        }
    }
}
