using Npgsql;
using PrepaidPower.Persistence.Orleans;
using PrepaidPower.Persistence.Schema;
using PrepaidPower.Tests.Shared;
using static PrepaidPower.Persistence.Tests.Orleans.PostgresTestCluster;

namespace PrepaidPower.Persistence.Tests.Orleans;

/// <summary>The group-commit grain state store on a real PostgreSQL: versions, conflicts, batches, clears, shutdown.</summary>
[Trait("Category", "Integration")]
[Collection(PostgresCollection.Name)]
public sealed class GroupCommitGrainStateStoreTests(PostgresFixture postgres) : IAsyncLifetime
{
    private const string Service = "svc-test";
    private string _db = "";
    private NpgsqlDataSource? _dataSource;
    private GroupCommitGrainStateStore? _store;

    private GroupCommitGrainStateStore Store => _store ?? throw new InvalidOperationException("Not initialised.");

    public async Task InitializeAsync()
    {
        _db = await postgres.CreateDatabaseAsync();
        await SchemaMigrator.ApplyAsync(_db);
        _dataSource = NpgsqlDataSource.Create(_db);
        _store = new GroupCommitGrainStateStore(_dataSource, Service);
    }

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }
    }

    private static GrainStateKey Meter(int n) => new("meter", $"m-{n}", "meter");

    [Fact]
    public async Task Write_FirstThenWithVersion_CountsVersionsAndReadsBack()
    {
        Assert.Null(await Store.ReadAsync(Meter(1)));

        Assert.Equal(1, await Store.WriteAsync(Meter(1), [1, 2, 3], null));
        Assert.Equal(2, await Store.WriteAsync(Meter(1), [4, 5], 1));

        var stored = await Store.ReadAsync(Meter(1));
        Assert.Equal(new byte[] { 4, 5 }, stored!.Value.Payload);
        Assert.Equal(2, stored.Value.Version);
        Assert.Equal(2, await ScalarAsync(_db, "select version from grain_state where service_id = @s and grain_key = 'm-1'", ("s", Service)));
    }

    [Fact]
    public async Task Write_StaleVersion_FailsOnlyThatWriteAndChangesNothing()
    {
        await Store.WriteAsync(Meter(2), [1], null);
        await Store.WriteAsync(Meter(2), [2], 1);

        // Many writes together, so the stale one shares its batch with others that must still commit.
        var others = Enumerable.Range(100, 300).Select(n => Store.WriteAsync(Meter(n), [(byte)n], null)).ToArray();
        var stale = Store.WriteAsync(Meter(2), [9], 1);
        var ex = await Assert.ThrowsAsync<GrainStateVersionConflictException>(() => stale);

        Assert.Equal(1, ex.Expected);
        Assert.Equal(2, ex.Stored);
        Assert.Contains("m-2", ex.Message, StringComparison.Ordinal);
        Assert.All(await Task.WhenAll(others), v => Assert.Equal(1, v));
        Assert.Equal(new byte[] { 2 }, (await Store.ReadAsync(Meter(2)))!.Value.Payload);
        Assert.Equal(301L, await ScalarAsync(_db, "select count(*) from grain_state where service_id = @s", ("s", Service)));
    }

    [Fact]
    public async Task Write_TwoFirstWritesOfOneKey_OneWinsTheOtherConflicts()
    {
        var first = Store.WriteAsync(Meter(3), [1], null);
        var second = Store.WriteAsync(Meter(3), [2], null);

        var outcomes = await Task.WhenAll(Outcome(first), Outcome(second));

        Assert.Equal(1, outcomes.Count(o => o == "1"));
        Assert.Equal(1, outcomes.Count(o => o == "conflict"));
        Assert.Equal(1, (await Store.ReadAsync(Meter(3)))!.Value.Version);

        static async Task<string> Outcome(Task<int> write)
        {
            try
            {
                return (await write).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (GrainStateVersionConflictException)
            {
                return "conflict";
            }
        }
    }

    [Fact]
    public async Task ReadAndWrite_ManyAtOnce_EachGetsItsOwnRow()
    {
        var keys = Enumerable.Range(1_000, 2_500).Select(Meter).ToArray();
        await Task.WhenAll(keys.Select((k, i) => Store.WriteAsync(k, BitConverter.GetBytes(i), null)));
        await Task.WhenAll(keys.Select((k, i) => Store.WriteAsync(k, BitConverter.GetBytes(i * 7), 1)));

        var read = await Task.WhenAll(keys.Select(Store.ReadAsync).Append(Store.ReadAsync(Meter(-1))));

        for (var i = 0; i < keys.Length; i++)
        {
            Assert.Equal(i * 7, BitConverter.ToInt32(read[i]!.Value.Payload));
            Assert.Equal(2, read[i]!.Value.Version);
        }

        Assert.Null(read[^1]);
        var (transactions, writes, queries, reads) = Store.Statistics;
        Assert.Equal(5_000, writes);
        Assert.Equal(2_501, reads);
        Assert.InRange(transactions, 5, 5_000);
        Assert.InRange(queries, 3, 2_501);
    }

    [Fact]
    public async Task States_OfOtherServicesAndStateNames_AreSeparate()
    {
        await using var other = new GroupCommitGrainStateStore(_dataSource!, "svc-other");
        await Store.WriteAsync(Meter(4), [1], null);
        await Store.WriteAsync(Meter(4) with { StateName = "other" }, [2], null);

        Assert.Null(await other.ReadAsync(Meter(4)));
        Assert.Equal(1, await other.WriteAsync(Meter(4), [3], null));
        Assert.Equal(new byte[] { 1 }, (await Store.ReadAsync(Meter(4)))!.Value.Payload);
        Assert.Equal(new byte[] { 2 }, (await Store.ReadAsync(Meter(4) with { StateName = "other" }))!.Value.Payload);
    }

    [Fact]
    public async Task Clear_KeepsTheRowWithoutPayload_DeleteRemovesIt_StaleClearFails()
    {
        await Store.WriteAsync(Meter(5), [1], null);
        await Store.WriteAsync(Meter(6), [1], null);

        await Assert.ThrowsAsync<GrainStateVersionConflictException>(() => Store.ClearAsync(Meter(5), 7, delete: false));
        Assert.Equal(2, await Store.ClearAsync(Meter(5), 1, delete: false));
        Assert.Null(await Store.ClearAsync(Meter(6), 1, delete: true));

        var cleared = await Store.ReadAsync(Meter(5));
        Assert.Null(cleared!.Value.Payload);
        Assert.Equal(2, cleared.Value.Version);
        Assert.Null(await Store.ReadAsync(Meter(6)));
        Assert.Equal(3, await Store.WriteAsync(Meter(5), [8], 2));
    }

    [Fact]
    public async Task Dispose_WritesWhatIsQueuedThenRefusesNewWork()
    {
        var queued = Enumerable.Range(5_000, 200).Select(n => Store.WriteAsync(Meter(n), [1], null)).ToArray();

        await Store.DisposeAsync();

        Assert.All(await Task.WhenAll(queued), v => Assert.Equal(1, v));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => Store.WriteAsync(Meter(1), [1], null));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => Store.ReadAsync(Meter(1)));
    }

    [Fact]
    public async Task DatabaseGone_FailsTheCallersInsteadOfHanging()
    {
        await using var broken = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(_db) { Database = "no_such_database_" + Guid.NewGuid().ToString("N")[..6] }.ConnectionString);
        await using var store = new GroupCommitGrainStateStore(broken, Service);

        await Assert.ThrowsAsync<PostgresException>(() => store.WriteAsync(Meter(1), [1], null));
        await Assert.ThrowsAsync<PostgresException>(() => store.ReadAsync(Meter(1)));
    }

    [Fact]
    public void Options_OutOfRange_AreRejectedWithTheRange()
    {
        var ex = Assert.Throws<ArgumentException>(() => new GroupCommitGrainStateOptions { Writers = 0 }.Validate());
        Assert.Contains("1–32", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new GroupCommitGrainStateOptions { MaxBatchWrites = 10_001 }.Validate());
        Assert.Throws<ArgumentException>(() => new GroupCommitGrainStateOptions { MaxBatchReads = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new GroupCommitGrainStateOptions { Readers = 33 }.Validate());
    }
}
