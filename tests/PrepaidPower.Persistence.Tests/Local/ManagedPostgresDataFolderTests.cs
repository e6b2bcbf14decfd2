using System.Diagnostics;
using PrepaidPower.Persistence.Local;

namespace PrepaidPower.Persistence.Tests.Local;

/// <summary>Reuse of an existing data folder: restarts, leftovers of killed runs, folders that are someone else's.</summary>
[Trait("Category", "Integration")]
public sealed class ManagedPostgresDataFolderTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task StartAsync_ExistingDataFolder_ReusesItAndKeepsRows()
    {
        using var temp = new TempFolder();
        var options = ManagedPostgresOptions.Persistent(temp.Sub("pg"));
        int firstPid;
        var firstLog = new ListLogger();
        await using (var first = await ManagedPostgres.StartAsync(options, firstLog))
        {
            if (Environment.IsPrivilegedProcess)
            {
                // CreateTempSubdirectory made it 0700, so the server user could not reach the folder without this.
                Assert.Contains($"Added search permission for others (o+x) to {temp.Path} so that the OS user postgres can reach the data folder", firstLog.Lines);
            }

            firstPid = first.PostmasterProcessId;
            Assert.Equal("on", await Sql.ScalarAsync(first.ConnectionString, "show fsync"));
            await Sql.ExecuteAsync(first.ConnectionString, "create table t(v int); insert into t values (1), (2), (3)");
        }

        Assert.True(File.Exists(Path.Combine(temp.Sub("pg"), "PG_VERSION")));
        var log = new ListLogger();
        await using var second = await ManagedPostgres.StartAsync(options, log);

        Assert.NotEqual(firstPid, second.PostmasterProcessId);
        Assert.Equal(6L, await Sql.ScalarAsync(second.ConnectionString, "select sum(v) from t"));
        Assert.Contains(log.Lines, l => l.StartsWith("Reusing the PostgreSQL data folder", StringComparison.Ordinal));
        Assert.DoesNotContain(log.Lines, l => l.StartsWith("Initialising", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartAsync_ServerWasKilled_RemovesStalePidFileAndKeepsRows()
    {
        using var temp = new TempFolder();
        var options = ManagedPostgresOptions.Persistent(temp.Sub("pg"));
        var first = await ManagedPostgres.StartAsync(options);
        await Sql.ExecuteAsync(first.ConnectionString, "create table t(v int); insert into t values (7)");
        using (var postmaster = Process.GetProcessById(first.PostmasterProcessId))
        {
            postmaster.Kill(); // SIGKILL: no shutdown, postmaster.pid stays behind
        }

        await Wait.UntilAsync(() => Wait.ProcessGone(first.PostmasterProcessId), Deadline, "the killed postmaster is gone");
        Assert.True(File.Exists(Path.Combine(temp.Sub("pg"), "postmaster.pid")));

        var log = new ListLogger();
        await using var second = await ManagedPostgres.StartAsync(options, log);
        await first.StopAsync(); // must not touch the new server on the same folder

        Assert.Equal(7, await Sql.ScalarAsync(second.ConnectionString, "select v from t"));
        Assert.Contains(log.Lines, l => l.StartsWith("Removed a stale", StringComparison.Ordinal) && l.Contains($"PID {first.PostmasterProcessId}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartAsync_PidFileNamesUnrelatedLiveProcess_RemovesItAndStarts()
    {
        using var temp = new TempFolder();
        var options = ManagedPostgresOptions.Persistent(temp.Sub("pg"));
        await (await ManagedPostgres.StartAsync(options)).StopAsync();
        using var sleeper = Process.Start("sleep", "600");
        try
        {
            // What a killed run leaves when its PID has since been reused: PostgreSQL alone refuses to start on this.
            await File.WriteAllTextAsync(Path.Combine(temp.Sub("pg"), "postmaster.pid"), $"{sleeper.Id}\n{temp.Sub("pg")}\n1700000000\n5432\n\n127.0.0.1\n  5432001         0\nready   \n");

            var log = new ListLogger();
            await using var pg = await ManagedPostgres.StartAsync(options, log);

            Assert.Equal(1, await Sql.ScalarAsync(pg.ConnectionString, "select 1"));
            Assert.Contains(log.Lines, l => l.StartsWith("Removed a stale", StringComparison.Ordinal) && l.Contains($"PID {sleeper.Id}", StringComparison.Ordinal));
        }
        finally
        {
            sleeper.Kill();
        }
    }

    [Fact]
    public async Task StartAsync_FolderServedForLiveOwner_FailsNamingTheServer()
    {
        using var temp = new TempFolder();
        var options = ManagedPostgresOptions.Persistent(temp.Sub("pg"));
        await using var first = await ManagedPostgres.StartAsync(options);

        var ex = await Assert.ThrowsAsync<ManagedPostgresException>(() => ManagedPostgres.StartAsync(options));

        Assert.Contains($"A PostgreSQL server (PID {first.PostmasterProcessId}) is already running on the data folder {temp.Sub("pg")}", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"started by process {Environment.ProcessId}", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, await Sql.ScalarAsync(first.ConnectionString, "select 1")); // the first one is untouched
    }

    [Fact]
    public async Task StartAsync_FolderServedForDeadOwner_StopsThatServerAndTakesOver()
    {
        using var temp = new TempFolder();
        var options = ManagedPostgresOptions.Persistent(temp.Sub("pg"));
        var first = await ManagedPostgres.StartAsync(options);
        await Sql.ExecuteAsync(first.ConnectionString, "create table t(v int); insert into t values (42)");
        int deadPid;
        using (var gone = Process.Start("true"))
        {
            await gone.WaitForExitAsync();
            deadPid = gone.Id;
        }

        // As if the process that started the server had been killed and its watchdog had not acted yet.
        await File.WriteAllTextAsync(Path.Combine(temp.Sub("pg"), "prepaidpower-managed.owner"), deadPid.ToString(System.Globalization.CultureInfo.InvariantCulture));

        await using var second = await ManagedPostgres.StartAsync(options);
        await Wait.UntilAsync(() => Wait.ProcessGone(first.PostmasterProcessId), Deadline, "the orphaned server is gone");
        await first.DisposeAsync(); // must leave the new server alone

        Assert.NotEqual(first.PostmasterProcessId, second.PostmasterProcessId);
        Assert.Equal(42, await Sql.ScalarAsync(second.ConnectionString, "select v from t"));
    }

    [Fact]
    public async Task StartAsync_NonEmptyFolderWithoutCluster_RefusesToTouchIt()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.Sub("pg"));
        await File.WriteAllTextAsync(Path.Combine(temp.Sub("pg"), "notes.txt"), "mine");

        var ex = await Assert.ThrowsAsync<ManagedPostgresException>(() => ManagedPostgres.StartAsync(ManagedPostgresOptions.Persistent(temp.Sub("pg"))));

        Assert.StartsWith($"The data folder {temp.Sub("pg")} is not empty but holds no PostgreSQL cluster", ex.Message, StringComparison.Ordinal);
        Assert.Equal("mine", await File.ReadAllTextAsync(Path.Combine(temp.Sub("pg"), "notes.txt")));
    }
}
