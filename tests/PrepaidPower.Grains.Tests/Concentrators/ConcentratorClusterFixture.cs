// A cluster for the concentrator tests: its own fake clock (shared with the simulators the tests start), memory
// storage, in-memory reminders and ledger, and short Modbus timeouts.
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using PrepaidPower.Contracts.Accounts;
using PrepaidPower.Contracts.Tariffs;
using PrepaidPower.Domain.Ledger;
using PrepaidPower.Modbus.Profiles;
using PrepaidPower.Persistence.Ledger;

namespace PrepaidPower.Grains.Tests.Concentrators;

/// <summary>Two silos; the domain clock and every simulator started by a test run on <see cref="Time"/>.</summary>
public sealed class ConcentratorClusterFixture : IAsyncLifetime
{
    public const string Tariff = "shanghai-residential";

    /// <summary>The id of a copy of the simulator profile whose relay status values the simulator never serves.</summary>
    public const string BrokenRelayProfile = "sim-broken-relay";

    /// <summary>2030-01-07 00:00 UTC (a Monday, 08:00 in Shanghai).</summary>
    public static readonly FakeTimeProvider Time = new(new DateTimeOffset(2030, 1, 7, 0, 0, 0, TimeSpan.Zero));

    public static readonly InMemoryLedgerStore Ledger = new();

    public TestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(2);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        var json = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "tariffs", Tariff + ".json"));
        await Client.GetGrain<ITariffGrain>(Tariff).CreateAsync(json, "op-test");
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    internal static DeviceProfile BrokenRelay()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "devices", "prepaidpower-sim.json");
        var json = File.ReadAllText(path)
            .Replace("\"id\": \"prepaidpower-sim\"", $"\"id\": \"{BrokenRelayProfile}\"", StringComparison.Ordinal)
            .Replace("\"relayStatus\": { \"address\": 10, \"kind\": \"holding\", \"type\": \"UInt16\", \"closed\": 1, \"open\": 0 }",
                "\"relayStatus\": { \"address\": 10, \"kind\": \"holding\", \"type\": \"UInt16\", \"closed\": 7, \"open\": 8 }", StringComparison.Ordinal);
        return DeviceProfileLoader.Parse(json, "broken relay test profile");
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder
                .UseMemoryParts()
                .AddPrepaidPowerGrains(o =>
                {
                    o.Time = Time;
                    o.PublishEvents = false;
                    o.Supply = new Domain.Supply.SupplyOptions { JitterFraction = 0 };
                })
                .ConfigureConcentrators(o =>
                {
                    o.RequestTimeout = TimeSpan.FromMilliseconds(250);
                    o.Profiles.Add(BrokenRelay());
                });
            siloBuilder.Services.AddSingleton<ILedgerStore>(Ledger);
        }
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(Microsoft.Extensions.Configuration.IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder.AddMemoryStreams(AccountEventStream.ProviderName);
    }
}

[CollectionDefinition(Name)]
public sealed class ConcentratorClusterCollection : ICollectionFixture<ConcentratorClusterFixture>
{
    public const string Name = "concentrator cluster";
}
