using System.Diagnostics;
using Npgsql;
using PrepaidPower.Domain.Ledger;
using PrepaidPower.Persistence.Ledger;
using PrepaidPower.Tests.Shared;
using static PrepaidPower.Persistence.Tests.Ledger.LedgerTestData;

namespace PrepaidPower.Persistence.Tests.Ledger;

/// <summary>The ledger contract on PostgreSQL, plus what only the database and the group-commit writer do.</summary>
[Trait("Category", "Integration")]
[Collection(PostgresCollection.Name)]
public sealed class PostgresLedgerStoreTests(PostgresFixture postgres) : LedgerStoreContractTests
{
    private NpgsqlDataSource? _dataSource;

    private NpgsqlDataSource DataSource => _dataSource ?? throw new InvalidOperationException("Not initialised.");

    protected override long PropertyIterations => 25;

    protected override async Task<ILedgerStore> CreateStoreAsync()
    {
        _dataSource = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync());
        await LedgerSchema.ApplyAsync(_dataSource);
        return new PostgresLedgerStore(_dataSource);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }
    }

    [Fact]
    public async Task Schema_AppliedAgain_KeepsTheLedger()
    {
        var a = NewAccount();
        await Store.AppendAsync(Charges(a, 1, 0, -5));

        await LedgerSchema.ApplyAsync(DataSource);

        Assert.Single(await Store.ReadAsync(a, 0, 10));
        Assert.Contains("CREATE TABLE IF NOT EXISTS ledger", LedgerSchema.Script, StringComparison.Ordinal);
        var onDisk = Path.Combine(RepositoryRoot(), "deploy", "postgres", LedgerSchema.ScriptName);
        Assert.Equal(await File.ReadAllTextAsync(onDisk), LedgerSchema.Script);
    }

    [Theory]
    [InlineData("update ledger set amount_minor = 0", "UPDATE")]
    [InlineData("delete from ledger", "DELETE")]
    [InlineData("truncate ledger", "TRUNCATE")]
    public async Task Database_ChangingHistory_IsRejected(string sql, string operation)
    {
        var a = NewAccount();
        await Store.AppendAsync(Charges(a, 1, 0, -5, -6));

        var ex = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(sql));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, ex.SqlState);
        Assert.Contains($"append-only: {operation}", ex.MessageText, StringComparison.Ordinal);
        Assert.Equal(Charges(a, 1, 0, -5, -6), await Store.ReadAsync(a, 0, 10));
    }

    [Theory]
    [InlineData("insert into ledger(account_id, seq, kind, amount_minor, currency, balance_after_minor, occurred_at) values ('x', 2, 4, -1, 'CNY', -1, now())", "ledger_gap_free")]
    [InlineData("insert into ledger(account_id, seq, kind, amount_minor, currency, balance_after_minor, occurred_at) values ('x', 0, 4, -1, 'CNY', -1, now())", "ledger_seq_positive")]
    [InlineData("insert into ledger(account_id, seq, kind, amount_minor, currency, balance_after_minor, occurred_at) values ('x', 1, 4, -1, 'cny', -1, now())", "ledger_currency_format")]
    [InlineData("insert into ledger(account_id, seq, kind, amount_minor, currency, balance_after_minor, occurred_at, external_id) values ('x', 1, 1, 1, 'CNY', 1, now(), 'p')", "ledger_external_complete")]
    public async Task Database_RowBreakingARule_IsRejected(string sql, string constraint)
    {
        var ex = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(sql));

        Assert.Equal(PostgresErrorCodes.CheckViolation, ex.SqlState);
        Assert.Equal(constraint, ex.ConstraintName);
        Assert.Empty(await Store.ReadAsync("x", 0, 10));
    }

    [Fact]
    public async Task AppendAsync_200ConcurrentCallers_CommitInFewerTransactionsThanCallers()
    {
        await using var store = new PostgresLedgerStore(DataSource, new PostgresLedgerStoreOptions { MaxDelay = TimeSpan.FromMilliseconds(20) });
        var accounts = Enumerable.Range(0, 200).Select(_ => NewAccount()).ToArray();

        await Task.WhenAll(accounts.Select(a => Task.Run(() => store.AppendAsync(Charges(a, 1, 0, -3, -4)))));

        var stats = store.Statistics;
        Assert.Equal((200L, 400L, 0L, 0L), (stats.Appends, stats.Entries, stats.Rejected, stats.Faulted));
        Assert.InRange(stats.Transactions, 1, 199);
        foreach (var a in accounts)
        {
            Assert.Equal(-7, LedgerReplay.Balance(await store.ReadAsync(a, 0, 10)));
        }
    }

    [Fact]
    public async Task AppendAsync_FourWritersWithSmallBatches_CommitEveryAppendOnce()
    {
        // Batches of at most 5 entries (appends of 2) force writers to carry an append into their next batch while
        // three other writers take from the same queue: every append must still be committed, and only once.
        await using var store = new PostgresLedgerStore(DataSource, new PostgresLedgerStoreOptions { MaxBatchEntries = 5, MaxDelay = TimeSpan.FromMilliseconds(5), Writers = 4 });
        var accounts = Enumerable.Range(0, 300).Select(_ => NewAccount()).ToArray();

        await Task.WhenAll(accounts.Select(a => Task.Run(async () =>
        {
            await store.AppendAsync(Charges(a, 1, 0, -3, -4));
            await store.AppendAsync(Charges(a, 3, -7, -5));
        })));

        var stats = store.Statistics;
        Assert.Equal((600L, 900L, 0L, 0L), (stats.Appends, stats.Entries, stats.Rejected, stats.Faulted));
        foreach (var a in accounts)
        {
            var rows = await store.ReadAsync(a, 0, 10);
            Assert.Equal([1L, 2L, 3L], rows.Select(r => r.Sequence));
            Assert.Equal(-12, LedgerReplay.Balance(rows));
        }
    }

    [Fact]
    public async Task AppendAsync_StaleCallerInABatch_OthersCommitInThatSameTransaction()
    {
        var stale = NewAccount();
        await Store.AppendAsync(Charges(stale, 1, 0, -1));
        var accounts = Enumerable.Range(0, 20).Select(_ => NewAccount()).ToArray();
        // The batch closes when all 41 entries are waiting (or after a second, which would still be one batch).
        await using var store = new PostgresLedgerStore(DataSource, new PostgresLedgerStoreOptions { MaxBatchEntries = 41, MaxDelay = TimeSpan.FromSeconds(1), Writers = 1 });

        var good = accounts.Select(a => store.AppendAsync(Charges(a, 1, 0, -2, -3))).ToArray();
        var bad = store.AppendAsync(Charges(stale, 1, 0, -9));
        await Task.WhenAll(good.Append(bad)).ContinueWith(_ => { }, TaskScheduler.Default);

        Assert.All(good, t => Assert.True(t.IsCompletedSuccessfully, t.Exception?.ToString()));
        var conflict = Assert.IsType<LedgerSequenceConflictException>(bad.Exception?.InnerException);
        Assert.Equal((stale, 1L, (long?)2L), (conflict.AccountId, conflict.Sequence, conflict.ExpectedSequence));
        Assert.Equal(new LedgerWriterStatistics(Transactions: 1, Appends: 20, Entries: 40, Rejected: 1, Faulted: 0), store.Statistics);
        Assert.Equal(-1, Assert.Single(await store.ReadAsync(stale, 0, 10)).AmountMinor);
    }

    [Fact]
    public async Task AppendAsync_AnotherWriterCommitsDuringTheBatch_OnlyItsCallerFails()
    {
        var (contested, free) = (NewAccount(), NewAccount());
        await using var store = new PostgresLedgerStore(DataSource, new PostgresLedgerStoreOptions { MaxBatchEntries = 2, MaxDelay = TimeSpan.FromSeconds(1), Writers = 1 });
        // Another silo's transaction holds sequence 1 of the contested account, not committed yet.
        await using var other = await DataSource.OpenConnectionAsync();
        await using var transaction = await other.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand($"insert into ledger(account_id, seq, kind, amount_minor, currency, balance_after_minor, occurred_at) values ('{contested}', 1, 4, -1, 'CNY', -1, now())", other, transaction))
        {
            await insert.ExecuteNonQueryAsync();
        }

        var loser = store.AppendAsync(Charges(contested, 1, 0, -5));
        var bystander = store.AppendAsync(Charges(free, 1, 0, -6));
        await WaitUntilAsync(async () => await CountAsync("select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'") > 0, "the writer's COPY waits for the other transaction");
        await transaction.CommitAsync();

        var conflict = await Assert.ThrowsAsync<LedgerSequenceConflictException>(() => loser);
        await bystander;
        Assert.Equal((contested, 1L, (long?)2L), (conflict.AccountId, conflict.Sequence, conflict.ExpectedSequence));
        Assert.Equal(-6, Assert.Single(await store.ReadAsync(free, 0, 10)).AmountMinor);
        Assert.Equal(-1, Assert.Single(await store.ReadAsync(contested, 0, 10)).AmountMinor);
        Assert.Equal((1L, 1L), (store.Statistics.Appends, store.Statistics.Rejected));
    }

    [Fact]
    public async Task AppendAsync_QueueFull_WaitsForRoom()
    {
        var blocked = NewAccount();
        await using var store = new PostgresLedgerStore(DataSource, new PostgresLedgerStoreOptions { QueueCapacity = 1, MaxDelay = TimeSpan.Zero });
        // Hold the writer: its first batch waits on a row lock of another transaction.
        await using var other = await DataSource.OpenConnectionAsync();
        await using var transaction = await other.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand($"insert into ledger(account_id, seq, kind, amount_minor, currency, balance_after_minor, occurred_at) values ('{blocked}', 1, 4, -1, 'CNY', -1, now())", other, transaction))
        {
            await insert.ExecuteNonQueryAsync();
        }

        var first = store.AppendAsync(Charges(blocked, 1, 0, -5));
        await WaitUntilAsync(async () => await CountAsync("select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'") > 0, "the writer is held");
        var (a, b) = (NewAccount(), NewAccount());
        var queued = store.AppendAsync(Charges(a, 1, 0, -1));
        var waiting = store.AppendAsync(Charges(b, 1, 0, -1));

        Assert.Equal(1, store.QueuedAppends);
        Assert.False(waiting.IsCompleted);
        await transaction.RollbackAsync();
        await Task.WhenAll(first, queued, waiting);
        Assert.Equal(0, store.QueuedAppends);
        Assert.Equal(3L, store.Statistics.Appends);
    }

    [Fact]
    public async Task DisposeAsync_WithAppendsWaiting_WritesThemAndRefusesNewOnes()
    {
        var store = new PostgresLedgerStore(DataSource, new PostgresLedgerStoreOptions { MaxDelay = TimeSpan.FromSeconds(1) });
        var accounts = Enumerable.Range(0, 10).Select(_ => NewAccount()).ToArray();
        var appends = accounts.Select(a => store.AppendAsync(Charges(a, 1, 0, -1))).ToArray();

        await store.DisposeAsync();

        // The writer has committed them all; each caller's own continuation may still be on its way.
        await Task.WhenAll(appends);
        foreach (var a in accounts)
        {
            Assert.Single(await Store.ReadAsync(a, 0, 10));
        }

        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.AppendAsync(Charges(NewAccount(), 1, 0, -1)));
        await store.DisposeAsync(); // idempotent
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task Read_ManyAccountsAtOnce_EachGetsItsOwnTailFromItsSequenceUpToItsMax()
    {
        // A cold-starting silo reads thousands of tails at once; they share queries, but each must get only its own.
        var accounts = Enumerable.Range(0, 600).Select(_ => NewAccount("tail")).ToArray();
        await Task.WhenAll(accounts.Select((a, i) => Store.AppendAsync(Charges(a, 1, 0, Enumerable.Range(1, 1 + (i % 7)).Select(k => (long)-k).ToArray()))));

        var tails = await Task.WhenAll(accounts.Select((a, i) => Store.ReadAsync(a, i % 3, 1 + (i % 4))));

        for (var i = 0; i < accounts.Length; i++)
        {
            var written = 1 + (i % 7);
            var expected = Enumerable.Range(1 + (i % 3), Math.Max(0, Math.Min(1 + (i % 4), written - (i % 3)))).Select(q => (long)q).ToArray();
            Assert.Equal(expected, tails[i].Select(e => e.Sequence).ToArray());
            Assert.All(tails[i], e => Assert.Equal(accounts[i], e.AccountId));
            Assert.All(tails[i], e => Assert.Equal(-e.Sequence, e.AmountMinor));
        }
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"Timed out waiting until {what}.");
            await Task.Delay(20);
        }
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "PrepaidPower.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException($"No PrepaidPower.sln above {AppContext.BaseDirectory}.");
    }
}
