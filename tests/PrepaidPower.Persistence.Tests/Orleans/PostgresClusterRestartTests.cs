using PrepaidPower.Tests.Shared;
using static PrepaidPower.Persistence.Tests.Orleans.PostgresTestCluster;

namespace PrepaidPower.Persistence.Tests.Orleans;

/// <summary>Tests that stop or kill silos, each on its own cluster and database.</summary>
[Trait("Category", "Cluster")]
[Collection(PostgresCollection.Name)]
public sealed class PostgresClusterRestartTests(PostgresFixture postgres)
{
    [Fact]
    public async Task State_WholeClusterStoppedAndStartedAgain_IsReadBackFromPostgres()
    {
        var db = await postgres.CreateDatabaseAsync();
        var first = await StartAsync(db, 1, "restart-service", "restart-a");
        await first.Client.GetGrain<ICounterGrain>("acct-restart").AddAsync(42, "before restart");
        await first.StopAllSilosAsync();
        await first.DisposeAsync();

        var second = await StartAsync(db, 1, "restart-service", "restart-b");
        try
        {
            var state = await second.Client.GetGrain<ICounterGrain>("acct-restart").GetAsync();

            Assert.Equal(42, state.Total);
            Assert.Equal("before restart", state.Note);
        }
        finally
        {
            await second.StopAllSilosAsync();
            await second.DisposeAsync();
        }
    }

    [Fact]
    public async Task KillSilo_OneOfTwo_IsDeclaredDeadAndTheClusterKeepsServingEveryGrain()
    {
        var db = await postgres.CreateDatabaseAsync();
        var cluster = await StartAsync(db, 2, "kill-service", "kill");
        try
        {
            var keys = Enumerable.Range(0, 8).Select(i => $"acct-kill-{i}").ToList();
            foreach (var (key, i) in keys.Select((k, i) => (k, i)))
            {
                await cluster.Client.GetGrain<ICounterGrain>(key).AddAsync(i + 1, key);
            }

            var victim = cluster.Silos[1];
            var survivor = cluster.Silos[0];
            await cluster.KillSiloAsync(victim);

            await UntilAsync(
                async () => (int?)await ScalarAsync(db,
                    "select status from orleans_membership where cluster_id = 'kill' and port = @p and generation = @g",
                    ("p", victim.SiloAddress.Endpoint.Port), ("g", victim.SiloAddress.Generation)) == 6,
                TimeSpan.FromSeconds(60),
                "the killed silo is marked Dead (6) in orleans_membership");
            Assert.Equal(3, await ScalarAsync(db,
                "select status from orleans_membership where cluster_id = 'kill' and port = @p and generation = @g",
                ("p", survivor.SiloAddress.Endpoint.Port), ("g", survivor.SiloAddress.Generation)));

            foreach (var (key, i) in keys.Select((k, i) => (k, i)))
            {
                var grain = cluster.Client.GetGrain<ICounterGrain>(key);
                CounterState? state = null;
                await UntilAsync(
                    async () =>
                    {
                        try
                        {
                            state = await grain.GetAsync();
                            return true;
                        }
                        catch (Exception e) when (e is TimeoutException or SiloUnavailableException or OrleansMessageRejectionException)
                        {
                            return false;
                        }
                    },
                    TimeSpan.FromSeconds(60),
                    $"{key} answers again");
                Assert.Equal(i + 1, state!.Total);
                Assert.Equal(2 * (i + 1), await grain.AddAsync(i + 1, "after kill"));
            }
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }
}
