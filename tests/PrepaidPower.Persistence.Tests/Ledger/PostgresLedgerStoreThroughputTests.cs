using System.Diagnostics;
using Npgsql;
using PrepaidPower.Domain.Ledger;
using PrepaidPower.Persistence.Ledger;
using PrepaidPower.Persistence.Local;
using PrepaidPower.Persistence.Tests.Local;
using Xunit.Abstractions;
using static PrepaidPower.Persistence.Tests.Ledger.LedgerTestData;

namespace PrepaidPower.Persistence.Tests.Ledger;

/// <summary>
/// How many rows per second the group-commit writer commits: 10,000 accounts × 10 entries from 200 concurrent
/// callers, one entry per append. Prints the number; asserts only that everything arrived, batched.
/// </summary>
[Trait("Category", "Slow")]
public sealed class PostgresLedgerStoreThroughputTests(ITestOutputHelper output)
{
    private const int Callers = 200;
    private const int AccountsPerCaller = 50;
    private const int EntriesPerAccount = 10;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AppendAsync_10000AccountsFrom200Callers_CommitsEveryRowInBatches(bool durable)
    {
        using var temp = new TempFolder();
        var options = ManagedPostgresOptions.Persistent(temp.Sub("pg"));
        await using var pg = await ManagedPostgres.StartAsync(durable ? options : options with { Settings = ManagedPostgresOptions.FastUnsafeSettings });
        await using var dataSource = NpgsqlDataSource.Create(pg.ConnectionString);
        await LedgerSchema.ApplyAsync(dataSource);
        await using var store = new PostgresLedgerStore(dataSource);
        var run = Guid.NewGuid().ToString("N")[..8];

        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Callers).Select(caller => Task.Run(async () =>
        {
            var balances = new long[AccountsPerCaller];
            for (var sequence = 1; sequence <= EntriesPerAccount; sequence++)
            {
                for (var i = 0; i < AccountsPerCaller; i++)
                {
                    await store.AppendAsync(Charges($"tp-{run}-{caller}-{i}", sequence, balances[i], -sequence));
                    balances[i] -= sequence;
                }
            }
        })));
        clock.Stop();

        const int rows = Callers * AccountsPerCaller * EntriesPerAccount;
        var stats = store.Statistics;
        output.WriteLine(
            $"{(durable ? "durable (fsync on)" : "fsync off")}: {rows:N0} rows in {clock.Elapsed.TotalSeconds:0.00} s = {rows / clock.Elapsed.TotalSeconds:N0} rows/s, " +
            $"{stats.Transactions:N0} transactions ({(double)rows / stats.Transactions:0.0} rows each)");
        Assert.Equal((long)rows, stats.Entries);
        Assert.InRange(stats.Transactions, 1, rows / 2);
        await using var count = dataSource.CreateCommand("select count(*) from ledger");
        Assert.Equal((long)rows, await count.ExecuteScalarAsync());
        Assert.Equal(-55, LedgerReplay.Balance(await store.ReadAsync($"tp-{run}-17-3", 0, 100)));
    }
}
