// A one-silo cluster whose grain calls time out after 3 s: a call cycle between two grains shows up as a failed call
// within the test's time instead of hanging for Orleans' default 30 s.
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Configuration;
using Orleans.TestingHost;
using PrepaidPower.Contracts.Accounts;
using PrepaidPower.Contracts.Calendar;
using PrepaidPower.Contracts.Tariffs;
using PrepaidPower.Domain.Ledger;
using PrepaidPower.Persistence.Ledger;

namespace PrepaidPower.Grains.Tests.Accounts;

/// <summary>Memory storage, in-memory reminders and ledger, events not published, a fake domain clock, a 3 s response timeout.</summary>
public sealed class ShortTimeoutClusterFixture : IAsyncLifetime
{
    public const string Tariff = "shanghai-residential";

    public static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(3);

    /// <summary>2030-03-04 00:00 UTC (08:00 in Shanghai).</summary>
    public static readonly FakeTimeProvider Time = new(new DateTimeOffset(2030, 3, 4, 0, 0, 0, TimeSpan.Zero));

    public static readonly InMemoryLedgerStore Ledger = new();

    public TestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(1);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        var json = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "tariffs", Tariff + ".json"));
        await Client.GetGrain<ITariffGrain>(Tariff).CreateAsync(json, "op-test");
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
                .Configure<SiloMessagingOptions>(o => o.ResponseTimeout = ResponseTimeout)
                .AddPrepaidPowerGrains(o =>
                {
                    o.Time = Time;
                    o.PublishEvents = false;
                });
            siloBuilder.Services.AddSingleton<ILedgerStore>(Ledger);
        }
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(Microsoft.Extensions.Configuration.IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder
                .AddMemoryStreams(AccountEventStream.ProviderName)
                .Configure<ClientMessagingOptions>(o => o.ResponseTimeout = ResponseTimeout);
    }
}

[CollectionDefinition(Name)]
public sealed class ShortTimeoutClusterCollection : ICollectionFixture<ShortTimeoutClusterFixture>
{
    public const string Name = "short-timeout cluster";
}
