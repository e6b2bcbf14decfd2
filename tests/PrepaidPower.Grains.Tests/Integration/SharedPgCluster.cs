// One PostgreSQL-backed cluster on a fresh database, started on first use and shared by the tests of one class.
using Orleans.TestingHost;
using PrepaidPower.Tests.Shared;

namespace PrepaidPower.Grains.Tests.Integration;

public sealed class SharedPgCluster : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private TestCluster? _cluster;

    public string ConnectionString { get; private set; } = "";

    public async Task<TestCluster> GetAsync(PostgresFixture postgres, short silos = 2)
    {
        await _gate.WaitAsync();
        try
        {
            if (_cluster is null)
            {
                ConnectionString = await postgres.CreateDatabaseAsync();
                _cluster = await PgCluster.StartAsync(ConnectionString, silos, "shared-" + Guid.NewGuid().ToString("N")[..8]);
            }
            return _cluster;
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => PgCluster.StopAsync(_cluster);
}
