using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using PrepaidPower.Contracts.Accounts;
using PrepaidPower.Contracts.Calendar;
using PrepaidPower.Contracts.Tariffs;
using PrepaidPower.Domain.Ledger;
using PrepaidPower.Persistence.Ledger;

namespace PrepaidPower.Grains.Tests;

/// <summary>
/// A two-silo in-process cluster with memory grain storage, memory streams, in-memory reminders, one in-memory ledger
/// store shared by both silos, and a fake domain clock. Snapshots are written rarely and not on deactivation, so every
/// re-activation has to rebuild the account from the snapshot plus the ledger tail.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    /// <summary>2025-07-01 00:00 in Shanghai.</summary>
    public static readonly FakeTimeProvider Time = new(new DateTimeOffset(2025, 6, 30, 16, 0, 0, TimeSpan.Zero));

    public static readonly InMemoryLedgerStore Ledger = new();

    public const string ShanghaiTou = "shanghai-residential-tou";

    public TestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(2);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        var json = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "tariffs", ShanghaiTou + ".json"));
        await Client.GetGrain<ITariffGrain>(ShanghaiTou).CreateAsync(json, "op-test");
        // These tests cut at any hour of any day: no protected windows (the calendar tests use their own cluster).
        await Client.GetGrain<IProtectionCalendarGrain>(IProtectionCalendarGrain.DefaultId).SetAsync(ProtectionCalendarSpec.Empty, "op-test");
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
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
                    o.SnapshotEveryEntries = 1_000;
                    o.SnapshotOnDeactivate = false;
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
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
