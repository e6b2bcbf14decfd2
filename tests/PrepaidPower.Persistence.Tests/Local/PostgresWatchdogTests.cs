using System.Diagnostics;
using System.Net.Sockets;
using Npgsql;
using PrepaidPower.Persistence.Local;

namespace PrepaidPower.Persistence.Tests.Local;

[Trait("Category", "Integration")]
public sealed class PostgresWatchdogTests
{
    [Fact]
    public async Task Attach_WatchedProcessKilled_StopsServerAndDeletesFolder()
    {
        await using var pg = await ManagedPostgres.StartAsync(ManagedPostgresOptions.Throwaway());
        using var watched = Process.Start("sleep", "600");
        using var leftovers = new TempFolder();
        await File.WriteAllTextAsync(leftovers.Sub("file"), "x");
        using var watchdog = PostgresWatchdog.Attach(watched.Id, pg.PostmasterProcessId, leftovers.Path);
        Assert.Equal(1, await Sql.ScalarAsync(pg.ConnectionString, "select 1")); // not stopped while the process lives
        Assert.True(File.Exists(leftovers.Sub("file")));

        watched.Kill(); // SIGKILL: the watched process runs no handler of its own

        await Wait.UntilAsync(() => Wait.ProcessGone(pg.PostmasterProcessId), TimeSpan.FromSeconds(30), "the watchdog stopped the server");
        await Wait.UntilAsync(() => !Directory.Exists(leftovers.Path), TimeSpan.FromSeconds(30), "the watchdog deleted the folder");
        await Wait.UntilAsync(() => Wait.ProcessGone(watchdog.ProcessId), TimeSpan.FromSeconds(30), "the watchdog exited");
        NpgsqlConnection.ClearAllPools();
        var ex = await Assert.ThrowsAsync<NpgsqlException>(() => Sql.ScalarAsync(pg.ConnectionString, "select 1"));
        Assert.Equal(SocketError.ConnectionRefused, Assert.IsType<SocketException>(ex.InnerException).SocketErrorCode);
    }

    [Fact]
    public async Task Attach_ServerStoppedFirst_WatchdogExitsOnItsOwn()
    {
        var pg = await ManagedPostgres.StartAsync(ManagedPostgresOptions.Throwaway());
        using var watched = Process.Start("sleep", "600");
        try
        {
            using var kept = new TempFolder();
            using var watchdog = PostgresWatchdog.Attach(watched.Id, pg.PostmasterProcessId, kept.Path);

            await pg.StopAsync();

            await Wait.UntilAsync(() => Wait.ProcessGone(watchdog.ProcessId), TimeSpan.FromSeconds(30), "the watchdog of a stopped server exited");
            Assert.False(watched.HasExited);
            Assert.True(Directory.Exists(kept.Path)); // only a dead owner's folder is the watchdog's to delete
        }
        finally
        {
            watched.Kill();
        }
    }

    [Fact]
    public void Attach_RelativeFolderToDelete_IsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => PostgresWatchdog.Attach(Environment.ProcessId, Environment.ProcessId, "data"));

        Assert.Equal("deleteAfterStop", ex.ParamName);
    }
}
