using System.Collections.Concurrent;
using Npgsql;
using PrepaidPower.Domain.Ledger;
using PrepaidPower.Persistence.Ledger;
using PrepaidPower.Persistence.Local;
using PrepaidPower.Persistence.Tests.Local;
using static PrepaidPower.Persistence.Tests.Ledger.LedgerTestData;

namespace PrepaidPower.Persistence.Tests.Ledger;

/// <summary>The database stops and starts again under a stream of appends, on a server of this test's own.</summary>
[Trait("Category", "Integration")]
public sealed class PostgresLedgerStoreRestartTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task AppendAsync_ServerRestartsWhileAppendsFlow_CallersFaultCleanlyAndTheLedgerReplays()
    {
        using var temp = new TempFolder();
        var options = ManagedPostgresOptions.Persistent(temp.Sub("pg")) with { Settings = ManagedPostgresOptions.FastUnsafeSettings };
        var pg = await ManagedPostgres.StartAsync(options);
        try
        {
            await using var dataSource = NpgsqlDataSource.Create(pg.ConnectionString);
            await LedgerSchema.ApplyAsync(dataSource);
            await using var store = new PostgresLedgerStore(dataSource, new PostgresLedgerStoreOptions { MaxDelay = TimeSpan.FromMilliseconds(1) });
            var workers = Enumerable.Range(0, 16).Select(_ => new Grain(store, NewAccount("restart"))).ToArray();
            using var stop = new CancellationTokenSource();
            var running = workers.Select(w => Task.Run(() => w.RunAsync(stop.Token))).ToArray();

            await Wait.UntilAsync(() => workers.All(w => w.Acknowledged >= 5), Deadline, "every grain has appended");
            await pg.StopAsync();
            await Wait.UntilAsync(() => workers.All(w => !w.Faults.IsEmpty), Deadline, "every grain has seen its appends fail");
            var beforeRestart = workers.Select(w => w.Acknowledged).ToArray();
            pg = await ManagedPostgres.StartAsync(options with { Port = pg.Port });
            await Wait.UntilAsync(() => workers.Select((w, i) => w.Acknowledged >= beforeRestart[i] + 5).All(ok => ok), Deadline, "appends flow again after the restart");
            await stop.CancelAsync();
            await Task.WhenAll(running);

            Assert.True(store.Statistics.Faulted > 0);
            foreach (var worker in workers)
            {
                // Faults are database failures, never a stale sequence: each grain reloaded before going on.
                Assert.All(worker.Faults, ex => Assert.IsAssignableFrom<NpgsqlException>(ex));
                var stored = await store.ReadAsync(worker.AccountId, 0, 100_000);
                Assert.Equal(stored[^1].BalanceAfterMinor, LedgerReplay.Balance(stored));
                // Appends are pairs; a pair is never half-written.
                Assert.Equal(0, stored.Count % 2);
                Assert.All(worker.AcknowledgedEntries, e => Assert.Equal(e, stored[(int)e.Sequence - 1]));
            }
        }
        finally
        {
            await pg.DisposeAsync();
        }
    }

    /// <summary>What an account grain does with the ledger: append pairs of charges; on a fault, reload the tail and go on.</summary>
    private sealed class Grain(PostgresLedgerStore store, string accountId)
    {
        private long _next = 1;
        private long _balance;
        private int _acknowledged;

        public string AccountId { get; } = accountId;

        public int Acknowledged => Volatile.Read(ref _acknowledged);

        public ConcurrentQueue<Exception> Faults { get; } = new();

        public List<LedgerEntry> AcknowledgedEntries { get; } = [];

        public async Task RunAsync(CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                var entries = Charges(AccountId, _next, _balance, -3, -4);
                try
                {
                    await store.AppendAsync(entries, CancellationToken.None);
                    AcknowledgedEntries.AddRange(entries);
                    (_next, _balance) = (_next + 2, _balance - 7);
                    Interlocked.Increment(ref _acknowledged);
                }
                catch (Exception ex)
                {
                    Faults.Enqueue(ex);
                    await ReloadAsync(stop);
                }
            }
        }

        // A new activation: read the ledger until the database answers.
        private async Task ReloadAsync(CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var tail = await store.ReadAsync(AccountId, 0, 100_000, CancellationToken.None);
                    (_next, _balance) = (tail.Count + 1, tail.Count == 0 ? 0 : tail[^1].BalanceAfterMinor);
                    return;
                }
                catch (NpgsqlException)
                {
                    await Task.Delay(50, CancellationToken.None);
                }
            }
        }
    }
}
