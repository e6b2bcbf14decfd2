using Orleans.Storage;
using Orleans.TestingHost;
using PrepaidPower.Tests.Shared;
using static PrepaidPower.Persistence.Tests.Orleans.PostgresTestCluster;

namespace PrepaidPower.Persistence.Tests.Orleans;

/// <summary>One two-silo cluster on a fresh database, shared by the tests of <see cref="PostgresClusterTests"/>.</summary>
public sealed class SharedClusterFixture : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private TestCluster? _cluster;

    public string ConnectionString { get; private set; } = string.Empty;

    public string ClusterId { get; } = "shared-" + Guid.NewGuid().ToString("N")[..8];

    public async Task<TestCluster> GetAsync(PostgresFixture postgres)
    {
        await _gate.WaitAsync();
        try
        {
            if (_cluster is null)
            {
                ConnectionString = await postgres.CreateDatabaseAsync();
                _cluster = await StartAsync(ConnectionString, 2, "prepaidpower-tests", ClusterId);
            }

            return _cluster;
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.StopAllSilosAsync();
            await _cluster.DisposeAsync();
        }
    }
}

[Trait("Category", "Cluster")]
[Collection(PostgresCollection.Name)]
public sealed class PostgresClusterTests(PostgresFixture postgres, SharedClusterFixture shared) : IClassFixture<SharedClusterFixture>
{
    [Fact]
    public async Task Membership_TwoSilos_AreActiveRowsOfTheCluster()
    {
        var cluster = await shared.GetAsync(postgres);

        Assert.Equal(2L, await ScalarAsync(shared.ConnectionString,
            "select count(*) from orleans_membership where cluster_id = @c and status = 3", ("c", shared.ClusterId)));
        foreach (var silo in cluster.Silos)
        {
            Assert.Equal(1L, await ScalarAsync(shared.ConnectionString,
                "select count(*) from orleans_membership where cluster_id = @c and port = @p and generation = @g and proxy_port > 0",
                ("c", shared.ClusterId), ("p", silo.SiloAddress.Endpoint.Port), ("g", silo.SiloAddress.Generation)));
        }

        // Two inserts and at least the two status changes to Active went through the version row.
        Assert.True((int)(await ScalarAsync(shared.ConnectionString,
            "select version from orleans_membership_version where cluster_id = @c", ("c", shared.ClusterId)))! >= 4);
    }

    [Fact]
    public async Task State_WrittenTwice_IsOneBinaryRowAndSurvivesDeactivation()
    {
        var cluster = await shared.GetAsync(postgres);
        var grain = cluster.Client.GetGrain<ICounterGrain>("acct-roundtrip");

        Assert.Equal(5, await grain.AddAsync(5, "first"));
        Assert.Equal(12, await grain.AddAsync(7, "second 第二"));
        await grain.DeactivateAsync();
        await UntilAsync(async () => (await grain.GetAsync()).Total == 12, TimeSpan.FromSeconds(30), "the reactivated grain reads its state");

        var state = await grain.GetAsync();
        Assert.Equal("second 第二", state.Note);
        Assert.Equal(1L, await ScalarAsync(shared.ConnectionString,
            "select count(*) from grain_state where grain_key = 'acct-roundtrip'"));
        Assert.Equal(2, await ScalarAsync(shared.ConnectionString,
            "select version from grain_state where grain_key = 'acct-roundtrip'"));
        var payload = (byte[])(await ScalarAsync(shared.ConnectionString,
            "select payload from grain_state where grain_key = 'acct-roundtrip'"))!;
        var text = System.Text.Encoding.UTF8.GetString(payload);
        // Orleans' binary format: no CLR type or assembly names, and not JSON.
        Assert.DoesNotContain("CounterState", text, StringComparison.Ordinal);
        Assert.DoesNotContain("PrepaidPower", text, StringComparison.Ordinal);
        Assert.NotEqual((byte)'{', payload[0]);
        Assert.Contains("second 第二", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task State_RowChangedByAnotherWriter_WriteRaisesInconsistentStateException()
    {
        var cluster = await shared.GetAsync(postgres);
        var grain = cluster.Client.GetGrain<ICounterGrain>("acct-etag");
        await grain.AddAsync(1, "mine");

        // Another writer (e.g. a second activation during a partition) has moved the row on.
        await ScalarAsync(shared.ConnectionString,
            "update grain_state set version = version + 1, payload = null where grain_key = 'acct-etag'");

        await Assert.ThrowsAsync<InconsistentStateException>(() => grain.AddAsync(1, "stale"));
        Assert.Equal(2, await ScalarAsync(shared.ConnectionString,
            "select version from grain_state where grain_key = 'acct-etag'"));
    }

    [Fact]
    public async Task State_DefaultStorageGuidKeyCleared_KeepsRowWithoutPayload()
    {
        var cluster = await shared.GetAsync(postgres);
        var key = Guid.NewGuid();
        var grain = cluster.Client.GetGrain<INoteGrain>(key, "meter-7");

        await grain.SetAsync("hello");
        await grain.ClearAsync();

        Assert.Null(await grain.GetAsync());
        var n0 = BitConverter.ToInt64(key.ToByteArray(), 0);
        Assert.Equal(2, await ScalarAsync(shared.ConnectionString,
            "select version from orleans_storage where grain_id_n0 = @n0 and grain_id_ext = 'meter-7' and payload is null", ("n0", n0)));
        await grain.SetAsync("again");
        Assert.Equal(3, await ScalarAsync(shared.ConnectionString,
            "select version from orleans_storage where grain_id_n0 = @n0 and grain_id_ext = 'meter-7'", ("n0", n0)));
    }

    [Fact]
    public async Task Reminder_Registered_IsStoredFiresAndIsDeleted()
    {
        var cluster = await shared.GetAsync(postgres);
        var grain = cluster.Client.GetGrain<IReminderProbeGrain>("reminder-probe-1");

        await grain.StartAsync(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));

        Assert.Equal(60_000L, await ScalarAsync(shared.ConnectionString,
            "select period_ms from orleans_reminders where grain_id like '%reminder-probe-1' and reminder_name = @n",
            ("n", ReminderProbeGrain.ReminderName)));
        await UntilAsync(async () => await grain.GetTicksAsync() >= 1, TimeSpan.FromSeconds(30), "the reminder fires");
        await grain.StopAsync();
        Assert.Equal(0L, await ScalarAsync(shared.ConnectionString,
            "select count(*) from orleans_reminders where grain_id like '%reminder-probe-1'"));
    }
}
