// A simulated day in a city of 240 meters behind 4 concentrators (both layouts), read by concentrator grains in a
// two-silo cluster on the real PostgreSQL, with faults injected; then everything is reconciled with the simulator's truth
// and the ledger in PostgreSQL.
using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Orleans.Configuration;
using Orleans.TestingHost;
using PrepaidPower.Contracts.Accounts;
using PrepaidPower.Contracts.Meters;
using PrepaidPower.Contracts.Tariffs;
using PrepaidPower.Domain.Credit;
using PrepaidPower.Domain.Ledger;
using PrepaidPower.Domain.Protection;
using PrepaidPower.Grains;
using PrepaidPower.Persistence.Ledger;
using PrepaidPower.Persistence.Orleans;
using PrepaidPower.Simulator;
using PrepaidPower.Tests.Shared;
using Xunit.Abstractions;

namespace PrepaidPower.EndToEnd.Tests;

[Collection(PostgresCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class SimulatedCityEndToEndTests(PostgresFixture postgres, ITestOutputHelper output) : IAsyncLifetime
{
    private const string ConnectionKey = "PrepaidPower:EndToEndPostgres";
    private const string Tariff = "shanghai-residential";
    private const int Meters = 240;
    private const int LowCreditEvery = 8;

    /// <summary>Monday 2030-01-07 06:00 in Shanghai (kept in UTC: instants written to PostgreSQL must be UTC).</summary>
    private static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2030, 1, 6, 22, 0, 0, TimeSpan.Zero));

    /// <summary>Arrears cuts never happen 20:00–08:00 local time.</summary>
    private static readonly ProtectionCalendar Nights = ProtectionCalendar.Create(
        "Asia/Shanghai", WeeklyProfile.Of(ProtectedWindow.Daily(new TimeOnly(20, 0), new TimeOnly(8, 0))));

    private static readonly CreditPolicySpec Policy = new()
    {
        NoticePeriod = TimeSpan.FromHours(1),
        GracePeriod = TimeSpan.FromHours(1),
        EmergencyCreditLimitMinor = 0,
    };

    private string _database = "";
    private TestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _database = await postgres.CreateDatabaseAsync();
        var builder = new TestClusterBuilder(2);
        builder.Options.UseTestClusterMembership = false;
        builder.Options.ServiceId = "e2e";
        builder.Options.ClusterId = "e2e-" + Guid.NewGuid().ToString("N")[..8];
        // Two silos share the Orleans pool of one connection string; the ledger and the checks get small pools of their own.
        builder.Properties[ConnectionKey] = WithPool(_database, 40);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        _cluster = builder.Build();
        await _cluster.DeployAsync();
        var json = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "tariffs", Tariff + ".json"));
        await _cluster.Client.GetGrain<ITariffGrain>(Tariff).CreateAsync(json, "op-e2e");
    }

    public async Task DisposeAsync()
    {
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task SimulatedDay_WithFaults_BillsTheTruth_BalancesMatchTheLedger_CutsOnlyOutsideProtectedWindows()
    {
        var watch = Stopwatch.StartNew();
        var start = Clock.GetUtcNow();
        await using var city = await CityHarness.StartAsync(_cluster.Client, Clock, new SimulatorOptions
        {
            Meters = Meters,
            Concentrators = 4,
            Layout = SimulatedLayouts.Alternate,
            Seed = 42,
            RolloverEvery = 25,
        }, new CitySetup
        {
            TariffId = Tariff,
            Policy = Policy,
            // Every eighth account starts with 3.00 CNY (about 5 kWh): it runs out during the day.
            TopUpMinor = m => m % LowCreditEvery == 3 ? 300 : 100_000,
        }, prefix: "e2e");
        output.WriteLine($"set up {Meters} meters in {watch.Elapsed.TotalSeconds:F1} s");

        await city.PollAllAsync();
        var step = TimeSpan.FromMinutes(20);
        var rescued = new HashSet<int>();
        var disconnectedSince = new Dictionary<int, DateTimeOffset>();
        for (var i = 1; i <= 72; i++)
        {
            await InjectFaultsAsync(city, i);
            await city.StepAsync(step);
            if (i % 3 == 0)
            {
                await RescueAsync(city, rescued, disconnectedSince);
            }
        }

        city.City.ClearFault(FaultTarget.Concentrator(0));
        city.City.ClearFault(FaultTarget.Concentrator(1));
        city.City.ClearFault(FaultTarget.Concentrator(2));
        city.City.ClearFault(FaultTarget.Meter(200));
        var last = await city.StepAsync(step);
        output.WriteLine($"simulated {Clock.GetUtcNow() - start} in {watch.Elapsed.TotalSeconds:F1} s");

        // Every concentrator is back online; the counters show what each fault did.
        Assert.All(last, p => Assert.Equal("Online", p.Health));
        var counters = await Task.WhenAll(Enumerable.Range(0, 4).Select(c => city.Concentrator(c).GetStatusAsync()));
        Assert.True(counters[0].Counters.Timeouts > 0, "concentrator 0 timed out");
        Assert.True(counters[1].Counters.ConnectionFailures > 0 && counters[1].Counters.Reconnects > 0, "concentrator 1 dropped connections and reconnected");
        Assert.True(counters[2].Counters.StaleReads > 0, "concentrator 2 served frozen registers");
        Assert.True(counters[3].Counters.ExceptionResponses > 0, "meter 200 answered with exceptions");
        Assert.All(counters, c => Assert.Equal(0, c.Counters.DecodeErrors));

        // Billing: every account billed exactly the energy its registers advanced by (rollovers and exchanges included).
        Assert.True(city.City.GetTruth(0).Rollovers + city.City.GetTruth(25).Rollovers + city.City.GetTruth(50).Rollovers > 0, "a meter rolled over");
        Assert.Equal(2, city.City.Exchanges.Count);
        await using var dataSource = NpgsqlDataSource.Create(WithPool(_database, 8));
        await using var ledger = new PostgresLedgerStore(dataSource);
        var cutAccounts = 0;
        var deferredAccounts = 0;
        await CityHarness.ForEachAsync(Enumerable.Range(0, Meters), 16, async m =>
        {
            var truth = city.City.GetTruth(m);
            var balance = await city.Account(m).GetBalanceAsync();
            Assert.True(truth.RegisteredWh == balance.BilledEnergyWh, $"meter {m}: billed {balance.BilledEnergyWh} Wh, registers advanced {truth.RegisteredWh} Wh");
            Assert.InRange(truth.TrueWh - balance.BilledEnergyWh, 0, (truth.Exchanges + 1) * truth.WattHoursPerCount);

            var rows = await ledger.ReadAsync(city.AccountId(m), 0, 100_000);
            Assert.Equal(LedgerReplay.Balance(rows), balance.Balance.Minor);
            Assert.Equal(balance.LastLedgerSequence, rows[^1].Sequence);

            var events = await city.Account(m).GetRecentEventsAsync(100);
            var cuts = events.Where(e => e.Code is CreditEventCodes.DisconnectionDue or CreditEventCodes.Disconnected).ToArray();
            foreach (var cut in cuts)
            {
                var protection = Nights.Evaluate(cut.At);
                Assert.False(protection.IsProtected, $"account {m}: {cut.Code} at {cut.At:O} is inside a protected window ({protection.Reason})");
            }

            if (events.Any(e => e.Code == CreditEventCodes.DisconnectionDeferredProtected))
            {
                Interlocked.Increment(ref deferredAccounts);
            }

            if (cuts.Any(e => e.Code == CreditEventCodes.Disconnected))
            {
                Interlocked.Increment(ref cutAccounts);
                if (rescued.Contains(m))
                {
                    Assert.Contains(events, e => e.Code == CreditEventCodes.Reconnected);
                    Assert.Equal("Connected", (await city.Meter(m).GetSupplyAsync()).Status);
                    Assert.True(truth.RelayClosed, $"meter {m}'s relay is closed again after the top-up");
                }
            }
        });

        output.WriteLine($"{cutAccounts} accounts cut ({deferredAccounts} deferred by the night window first), {rescued.Count} rescued; reconciled in {watch.Elapsed.TotalSeconds:F1} s");
        Assert.True(deferredAccounts > 0, "some cut fell due before 08:00 and was deferred");
        Assert.True(cutAccounts >= 5, $"only {cutAccounts} accounts were cut; the low-credit accounts should have run out");
        Assert.NotEmpty(rescued);
    }

    /// <summary>The fault schedule, by step (20 simulated minutes each).</summary>
    private static async Task InjectFaultsAsync(CityHarness city, int step)
    {
        var sim = city.City;
        switch (step)
        {
            case 6:
                sim.SetFault(FaultTarget.Concentrator(0), FaultKind.Timeout);
                break;
            case 10:
                sim.ClearFault(FaultTarget.Concentrator(0));
                sim.SetFault(FaultTarget.Concentrator(1), FaultKind.DropConnection);
                break;
            case 13:
                sim.ClearFault(FaultTarget.Concentrator(1));
                sim.SetFault(FaultTarget.Concentrator(2), FaultKind.StaleRegisters);
                break;
            case 17:
                sim.ClearFault(FaultTarget.Concentrator(2));
                sim.SetFault(FaultTarget.Meter(200), FaultKind.ExceptionResponse, Modbus.ModbusExceptionCode.GatewayTargetDeviceFailedToRespond);
                break;
            case 20:
                sim.ClearFault(FaultTarget.Meter(200));
                break;
            case 24:
                // Two meters exchanged between polls, the installer's record entered at once: one new meter starting at
                // zero, one starting just below the register wrap (it rolls over within the day).
                await ExchangeAsync(city, 17, 0);
                await ExchangeAsync(city, 121, 4_294_967_295UL - 500);
                break;
        }
    }

    private static async Task ExchangeAsync(CityHarness city, int meter, ulong newStartRaw)
    {
        var exchange = city.City.ExchangeMeter(meter, newStartRaw);
        var perCount = city.City.GetTruth(meter).WattHoursPerCount;
        await city.Meter(meter).ExchangeAsync(new MeterExchangeRequest
        {
            OldFinalWh = (long)exchange.OldFinalRaw * perCount,
            NewStartWh = (long)exchange.NewStartRaw * perCount,
            At = exchange.At,
            OperatorId = "installer-7",
        });
    }

    /// <summary>Tops up (once) every account that has been disconnected for an hour; its meter must reconnect.</summary>
    private static async Task RescueAsync(CityHarness city, HashSet<int> rescued, Dictionary<int, DateTimeOffset> disconnectedSince)
    {
        var now = Clock.GetUtcNow();
        for (var m = 3; m < Meters; m += LowCreditEvery)
        {
            if (rescued.Contains(m))
            {
                continue;
            }

            var status = (await city.Account(m).GetBalanceAsync()).CreditStatus;
            if (status != "Disconnected")
            {
                continue;
            }

            if (!disconnectedSince.TryGetValue(m, out var since))
            {
                disconnectedSince[m] = now;
            }
            else if (now - since >= TimeSpan.FromHours(1))
            {
                await city.TopUpAsync(m, 100_000, "rescue");
                rescued.Add(m);
                var meter = city.Meter(m);
                // A healthy device path reconnects within seconds (the close command runs at once, no poll needed); behind a
                // faulted concentrator the supply machine's retry does it after the fault clears (checked at the end).
                var concentrator = city.City.AddressOf(m).Concentrator;
                if (city.City.GetFault(FaultTarget.Concentrator(concentrator)).Kind == FaultKind.None && city.City.GetFault(FaultTarget.Meter(m)).Kind == FaultKind.None)
                {
                    await CityHarness.UntilAsync(async () => (await meter.GetSupplyAsync()).Status == "Connected", TimeSpan.FromSeconds(10), $"meter {m} reconnects after its top-up");
                }
            }
        }
    }

    private static string WithPool(string connectionString, int size) =>
        new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = size }.ConnectionString;

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var cs = siloBuilder.Configuration[ConnectionKey]!;
            siloBuilder.UsePrepaidPowerPostgres(cs);
            siloBuilder.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
                o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(2);
            });
            siloBuilder.AddMemoryGrainStorage("PubSubStore").AddMemoryStreams(AccountEventStream.ProviderName);
            siloBuilder.AddPrepaidPowerGrains(o =>
            {
                o.Time = Clock;
                o.PublishEvents = false;
                o.SnapshotEveryEntries = 8;
                o.ProtectionCalendar = _ => Nights;
            });
            siloBuilder.ConfigureConcentrators(o => o.RequestTimeout = TimeSpan.FromMilliseconds(250));
            siloBuilder.Services.AddSingleton(_ => NpgsqlDataSource.Create(WithPool(cs, 10)));
            siloBuilder.Services.AddSingleton<ILedgerStore>(sp => new PostgresLedgerStore(sp.GetRequiredService<NpgsqlDataSource>()));
        }
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder.UsePrepaidPowerPostgresClustering(configuration[ConnectionKey]!).AddMemoryStreams(AccountEventStream.ProviderName);
    }
}
