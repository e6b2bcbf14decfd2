// The city-scale load harness (issue 5, first slice): one in-process silo on PostgreSQL (or memory), the simulator with
// M meters behind C table concentrators on a stepped clock, polled round after round; then a money reconciliation.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using PrepaidPower.Contracts;
using PrepaidPower.Contracts.Accounts;
using PrepaidPower.Contracts.Concentrators;
using PrepaidPower.Contracts.Meters;
using PrepaidPower.Contracts.Tariffs;
using PrepaidPower.Domain.Ledger;
using PrepaidPower.Domain.Protection;
using PrepaidPower.Grains;
using PrepaidPower.Modbus.Profiles;
using PrepaidPower.LoadTest;
using PrepaidPower.Persistence.Ledger;
using PrepaidPower.Persistence.Local;
using PrepaidPower.Persistence.Orleans;
using PrepaidPower.Simulator;

var options = LoadOptions.Parse(args);
return await LoadRun.RunAsync(options);

namespace PrepaidPower.LoadTest
{
    /// <summary>Command-line options: <c>--meters N --concentrators C --minutes T [--step-minutes S] [--in-memory] [--out DIR]</c>.</summary>
    internal sealed record LoadOptions
    {
        public int Meters { get; init; } = 20_000;
        public int Concentrators { get; init; } = 8;
        public double Minutes { get; init; } = 1;
        public int StepMinutes { get; init; } = 15;
        public bool InMemory { get; init; }
        public string OutDirectory { get; init; } = Path.Combine("benchmarks", "results");

        public static LoadOptions Parse(string[] args)
        {
            var o = new LoadOptions();
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                o = args[i] switch
                {
                    "--meters" => o with { Meters = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--concentrators" => o with { Concentrators = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--minutes" => o with { Minutes = double.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--step-minutes" => o with { StepMinutes = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--in-memory" => o with { InMemory = true },
                    "--out" => o with { OutDirectory = Next() },
                    _ => throw new ArgumentException($"unknown option {args[i]}; use --meters N --concentrators C --minutes T [--step-minutes S] [--in-memory] [--out DIR]"),
                };
            }

            return o;
        }
    }

    internal static class LoadRun
    {
        private const string Tariff = "shanghai-residential";
        private const string Operator = "loadtest";
        private const int LowCreditEvery = 10;

        public static async Task<int> RunAsync(LoadOptions o)
        {
            var clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 7, 2, 0, 0, TimeSpan.Zero));
            ManagedPostgres? postgres = null;
            if (!o.InMemory)
            {
                Console.WriteLine("starting a throwaway PostgreSQL…");
                postgres = await ManagedPostgres.StartAsync(ManagedPostgresOptions.Throwaway("loadtest"));
            }

            try
            {
                return await RunAsync(o, clock, postgres?.ConnectionString);
            }
            finally
            {
                if (postgres is not null)
                {
                    await postgres.DisposeAsync();
                }
            }
        }

        private static async Task<int> RunAsync(LoadOptions o, FakeTimeProvider clock, string? cs)
        {
            var none = ProtectionCalendar.None("Asia/Shanghai");
            using var host = Host.CreateDefaultBuilder()
                .ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning))
                .UseOrleans(silo =>
                {
                    if (cs is null)
                    {
                        silo.UseLocalhostClustering(FreePort(), FreePort());
                        silo.AddMemoryGrainStorageAsDefault();
                        foreach (var name in new PrepaidPowerPostgresOptions().StorageNames)
                        {
                            silo.AddMemoryGrainStorage(name);
                        }

                        silo.UseInMemoryReminderService();
                        silo.Services.AddSingleton<ILedgerStore, InMemoryLedgerStore>();
                    }
                    else
                    {
                        var pooled = WithPool(cs, 40);
                        silo.ConfigureEndpoints(IPAddress.Loopback, FreePort(), FreePort(), listenOnAnyHostAddress: false);
                        silo.UsePrepaidPowerPostgres(pooled);
                        silo.Services.AddSingleton(_ => NpgsqlDataSource.Create(WithPool(cs, 20)));
                        silo.Services.AddSingleton<ILedgerStore>(sp => new PostgresLedgerStore(sp.GetRequiredService<NpgsqlDataSource>()));
                    }

                    silo.AddMemoryGrainStorage("PubSubStore").AddMemoryStreams(AccountEventStream.ProviderName);
                    silo.AddPrepaidPowerGrains(g =>
                    {
                        g.Time = clock;
                        g.PublishEvents = false;
                        g.ProtectionCalendar = _ => none;
                    });
                })
                .Build();
            await host.StartAsync();
            try
            {
                return await DriveAsync(o, clock, host.Services);
            }
            finally
            {
                await host.StopAsync();
            }
        }

        private static async Task<int> DriveAsync(LoadOptions o, FakeTimeProvider clock, IServiceProvider services)
        {
            var grains = services.GetRequiredService<IGrainFactory>();
            var json = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "tariffs", Tariff + ".json"));
            await grains.GetGrain<ITariffGrain>(Tariff).CreateAsync(json, Operator);

            await using var sim = await SimulatorHost.StartAsync(new SimulatorOptions
            {
                Meters = o.Meters,
                Concentrators = o.Concentrators,
                Layout = SimulatedLayouts.Table,
                Seed = 5,
                Start = clock.GetUtcNow(),
                TimeProvider = clock,
            });
            var city = new City(grains, sim, "lt");

            // Cold start: open, register, attach and fund every account and meter (fresh grains, written to storage).
            var heapBefore = GC.GetTotalMemory(true);
            var wsBefore = Environment.WorkingSet;
            var watch = Stopwatch.StartNew();
            await ForEachAsync(Enumerable.Range(0, o.Meters), 64, m => city.RegisterAsync(m, m % LowCreditEvery == 3 ? 50 : 1_000_000));
            for (var c = 0; c < sim.Endpoints.Count; c++)
            {
                await city.Concentrator(c).RegisterAsync(city.Registration(c, TimeSpan.FromMinutes(o.StepMinutes)));
            }

            var coldStart = watch.Elapsed;
            var heapAfter = GC.GetTotalMemory(true);
            var wsAfter = Environment.WorkingSet;
            Console.WriteLine($"registered {o.Meters} meters behind {sim.Endpoints.Count} concentrators in {coldStart.TotalSeconds:F1} s");

            // The first round activates the concentrators and reads the opening registers: warm-up, not counted.
            await city.PollAllAsync();
            var rounds = new List<double>();
            var reconnects = new List<double>();
            var rescued = new HashSet<int>();
            long readings = 0;
            var pollTime = TimeSpan.Zero;
            var run = Stopwatch.StartNew();
            var duration = TimeSpan.FromMinutes(o.Minutes);
            while (run.Elapsed < duration)
            {
                clock.Advance(TimeSpan.FromMinutes(o.StepMinutes));
                var round = Stopwatch.StartNew();
                var summaries = await city.PollAllAsync();
                round.Stop();
                rounds.Add(round.Elapsed.TotalMilliseconds);
                pollTime += round.Elapsed;
                readings += summaries.Sum(s => s.ReadingsReported);
                Console.WriteLine($"round {rounds.Count}: {summaries.Sum(s => s.ReadingsReported)} readings in {round.Elapsed.TotalMilliseconds:F0} ms, {summaries.Sum(s => s.Failed)} failed");
                reconnects.AddRange(await RescueAsync(city, o.Meters, rescued));
            }

            var measured = run.Elapsed;
            Console.WriteLine($"{rescued.Count} accounts cut and topped up; reconciling…");
            var difference = await ReconcileAsync(city, services.GetRequiredService<ILedgerStore>(), o.Meters);

            var result = new Dictionary<string, object?>
            {
                ["meters"] = o.Meters,
                ["concentrators"] = o.Concentrators,
                ["storage"] = o.InMemory ? "memory" : "postgresql",
                ["durationSeconds"] = Math.Round(measured.TotalSeconds, 1),
                ["pollRounds"] = rounds.Count,
                ["simulatedMinutesPerRound"] = o.StepMinutes,
                ["readings"] = readings,
                ["readingsPerSecond"] = pollTime > TimeSpan.Zero ? Math.Round(readings / pollTime.TotalSeconds, 0) : null,
                ["ceilingReadingsPerSecond"] = null,
                ["sqlOnlyReadingsPerSecond"] = null,
                ["coldStartSeconds"] = Math.Round(coldStart.TotalSeconds, 2),
                ["lagP50Ms"] = Percentile(rounds, 0.50),
                ["lagP99Ms"] = Percentile(rounds, 0.99),
                ["cutoffP50Ms"] = null,
                ["cutoffP99Ms"] = null,
                ["accountsCutAndToppedUp"] = rescued.Count,
                ["reconnectP50Ms"] = Percentile(reconnects, 0.50),
                ["reconnectP99Ms"] = Percentile(reconnects, 0.99),
                ["bytesPerMeter"] = (heapAfter - heapBefore) / o.Meters,
                ["workingSetBytesPerMeter"] = (wsAfter - wsBefore) / o.Meters,
                ["moneyDifference"] = difference,
                ["machine"] = new Dictionary<string, object>
                {
                    ["cores"] = Environment.ProcessorCount,
                    ["memoryBytes"] = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
                    ["os"] = RuntimeInformation.OSDescription,
                    ["runtime"] = RuntimeInformation.FrameworkDescription,
                },
            };
            Console.WriteLine(Table(result));
            Directory.CreateDirectory(o.OutDirectory);
            var file = Path.Combine(o.OutDirectory, $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{(o.InMemory ? "memory" : "postgresql")}-{o.Meters}.json");
            await File.WriteAllTextAsync(file, JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
            Console.WriteLine($"written {file}");
            return difference == 0 ? 0 : 1;
        }

        /// <summary>Tops up (once) each low-credit account found disconnected; returns top-up → relay-confirmed-closed times, ms.</summary>
        private static async Task<List<double>> RescueAsync(City city, int meters, HashSet<int> rescued)
        {
            var found = new List<int>();
            var candidates = Enumerable.Range(0, meters).Where(m => m % LowCreditEvery == 3 && !rescued.Contains(m)).ToArray();
            var gate = new Lock();
            await ForEachAsync(candidates, 64, async m =>
            {
                if ((await city.Account(m).GetBalanceAsync()).CreditStatus == "Disconnected")
                {
                    lock (gate)
                    {
                        found.Add(m);
                    }
                }
            });
            var times = new List<double>();
            await ForEachAsync(found, 64, async m =>
            {
                var watch = Stopwatch.StartNew();
                await city.TopUpAsync(m, 1_000_000, "rescue");
                while ((await city.Meter(m).GetSupplyAsync()).Status != "Connected")
                {
                    if (watch.Elapsed > TimeSpan.FromSeconds(30))
                    {
                        Console.WriteLine($"meter {m} did not reconnect within 30 s of its top-up");
                        return;
                    }

                    await Task.Delay(5);
                }

                lock (gate)
                {
                    times.Add(watch.Elapsed.TotalMilliseconds);
                }
            });
            rescued.UnionWith(found);
            return times;
        }

        /// <summary>Σ |billed − registers' advance| (Wh) + Σ |balance − ledger replay| (minor units); prints the first few differences.</summary>
        private static async Task<long> ReconcileAsync(City city, ILedgerStore ledger, int meters)
        {
            long total = 0;
            var shown = 0;
            await ForEachAsync(Enumerable.Range(0, meters), 32, async m =>
            {
                var truth = city.Sim.City.GetTruth(m);
                var balance = await city.Account(m).GetBalanceAsync();
                var rows = await ledger.ReadAsync(city.AccountId(m), 0, 1_000_000);
                var d = Math.Abs(truth.RegisteredWh - balance.BilledEnergyWh) + Math.Abs(balance.Balance.Minor - LedgerReplay.Balance(rows));
                if (d != 0)
                {
                    Interlocked.Add(ref total, d);
                    if (Interlocked.Increment(ref shown) <= 10)
                    {
                        Console.WriteLine($"meter {m}: billed {balance.BilledEnergyWh} Wh vs registers {truth.RegisteredWh} Wh; balance {balance.Balance.Minor} vs ledger {LedgerReplay.Balance(rows)}");
                    }
                }
            });
            return total;
        }

        private static string Table(Dictionary<string, object?> result)
        {
            var s = new StringBuilder("| metric | value |\n|---|---|\n");
            foreach (var (key, value) in result)
            {
                var text = value switch
                {
                    null => "null (not measured)",
                    Dictionary<string, object> d => string.Join(", ", d.Select(kv => $"{kv.Key} {kv.Value}")),
                    IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                    _ => value.ToString(),
                };
                s.Append(CultureInfo.InvariantCulture, $"| {key} | {text} |\n");
            }

            return s.ToString();
        }

        private static double? Percentile(List<double> values, double p)
        {
            if (values.Count == 0)
            {
                return null;
            }

            var sorted = values.Order().ToArray();
            return Math.Round(sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)], 1);
        }

        private static int FreePort()
        {
            using var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            return ((IPEndPoint)l.LocalEndpoint).Port;
        }

        private static string WithPool(string connectionString, int size) =>
            new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = size }.ConnectionString;

        private static async Task ForEachAsync<T>(IEnumerable<T> items, int parallelism, Func<T, Task> action)
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
    }

    /// <summary>The simulated city's ids and registrations in the cluster (the same shape as the tests' CityHarness).</summary>
    internal sealed class City(IGrainFactory grains, RunningSimulator sim, string prefix)
    {
        public RunningSimulator Sim => sim;

        public string MeterId(int m) => $"{prefix}-m{m}";

        public string AccountId(int m) => $"{prefix}-a{m}";

        public IMeterGrain Meter(int m) => grains.GetGrain<IMeterGrain>(MeterId(m));

        public IAccountGrain Account(int m) => grains.GetGrain<IAccountGrain>(AccountId(m));

        public IConcentratorGrain Concentrator(int c) => grains.GetGrain<IConcentratorGrain>($"{prefix}-c{c}");

        public async Task RegisterAsync(int m, long openingMinor)
        {
            await Account(m).OpenAsync(new OpenAccountRequest
            {
                Currency = "CNY",
                TariffId = "shanghai-residential",
                TimeZone = "Asia/Shanghai",
                // Short notice and grace, so a low-credit account is cut within a few poll rounds.
                CreditPolicy = new CreditPolicySpec { NoticePeriod = TimeSpan.FromMinutes(15), GracePeriod = TimeSpan.FromMinutes(15), EmergencyCreditLimitMinor = 0 },
                OperatorId = "loadtest",
            });
            var (endPoint, _) = sim.Locate(m);
            await Meter(m).RegisterAsync(new RegisterMeterRequest
            {
                Model = "SIM-1",
                MaxPowerKilowatts = 100m,
                ConcentratorAddress = $"{endPoint}/{Slot(m)}",
                OperatorId = "loadtest",
            });
            await Meter(m).AttachAsync(new AttachMeterRequest { AccountId = AccountId(m), OperatorId = "loadtest" });
            await TopUpAsync(m, openingMinor, "open");
        }

        public ConcentratorRegistration Registration(int c, TimeSpan pollPeriod)
        {
            var e = sim.Endpoints[c];
            return new ConcentratorRegistration
            {
                Endpoint = e.EndPoint.ToString(),
                Layout = e.Info.Layout == ConcentratorLayout.Gateway ? "gateway" : "table",
                ProfileId = sim.City.Profile.Id,
                PollPeriod = pollPeriod,
                Meters = [.. Enumerable.Range(e.Info.FirstMeter, e.Info.MeterCount).Select(m => new ConcentratorMeter { Slot = Slot(m), MeterId = MeterId(m) })],
                OperatorId = "loadtest",
            };
        }

        /// <summary>Gateway: the unit id; table: the block index.</summary>
        public int Slot(int m)
        {
            var a = sim.City.AddressOf(m);
            var info = sim.Endpoints[a.Concentrator].Info;
            return a.Layout == ConcentratorLayout.Gateway ? a.UnitId : m - info.FirstMeter;
        }

        public Task<PaymentReceipt> TopUpAsync(int m, long minor, string tag) =>
            Account(m).TopUpAsync(new PaymentRequest { Id = $"{AccountId(m)}-{tag}", Amount = new MoneyAmount(minor, "CNY"), Channel = "loadtest", OperatorId = "loadtest" });

        public async Task<PollSummary[]> PollAllAsync() =>
            await Task.WhenAll(Enumerable.Range(0, sim.Endpoints.Count).Select(c => Concentrator(c).PollNowAsync()));
    }
}
