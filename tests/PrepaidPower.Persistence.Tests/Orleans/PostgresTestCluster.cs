// Starts a real Orleans test cluster whose silos and client use PostgreSQL through UsePrepaidPowerPostgres.
using Microsoft.Extensions.Configuration;
using Npgsql;
using Orleans.Configuration;
using Orleans.TestingHost;
using PrepaidPower.Persistence.Orleans;

namespace PrepaidPower.Persistence.Tests.Orleans;

internal static class PostgresTestCluster
{
    private const string ConnectionKey = "PrepaidPower:TestPostgres";

    /// <summary>
    /// A cluster of <paramref name="silos"/> silos on <paramref name="connectionString"/>: real ADO.NET membership
    /// (no test membership), storage and reminders; liveness tuned so a killed silo is declared dead in seconds.
    /// </summary>
    public static async Task<TestCluster> StartAsync(string connectionString, short silos, string serviceId, string clusterId)
    {
        var builder = new TestClusterBuilder(silos);
        builder.Options.UseTestClusterMembership = false;
        builder.Options.ServiceId = serviceId;
        builder.Options.ClusterId = clusterId;
        builder.Properties[ConnectionKey] = connectionString;
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    public static async Task<object?> ScalarAsync(string db, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteScalarAsync();
    }

    /// <summary>Polls until <paramref name="condition"/> holds; fails naming <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out after {timeout.TotalSeconds:0} s waiting until {what}.");
            await Task.Delay(100);
        }
    }

    public sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.UsePrepaidPowerPostgres(siloBuilder.Configuration[ConnectionKey]!);
            siloBuilder.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
                o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(2);
            });
            siloBuilder.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(5));
        }
    }

    public sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder)
        {
            clientBuilder.UsePrepaidPowerPostgresClustering(configuration[ConnectionKey]!);
            clientBuilder.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(5));
            clientBuilder.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(1));
        }
    }
}
