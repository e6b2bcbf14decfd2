using System.Net;
using System.Net.Sockets;
using Npgsql;
using PrepaidPower.Persistence.Local;

namespace PrepaidPower.Persistence.Tests.Local;

[Trait("Category", "Integration")]
public sealed class ManagedPostgresTests
{
    [Fact]
    public async Task StartAsync_Throwaway_AcceptsQueriesOnLoopbackWithItsSettings()
    {
        var options = ManagedPostgresOptions.Throwaway() with
        {
            Settings = new Dictionary<string, string>(ManagedPostgresOptions.FastUnsafeSettings) { ["cluster_name"] = "pp test's \"quotes\"" },
        };
        await using var pg = await ManagedPostgres.StartAsync(options);

        Assert.Equal(1, await Sql.ScalarAsync(pg.ConnectionString, "select 1"));
        Assert.Equal("prepaidpower", await Sql.ScalarAsync(pg.ConnectionString, "select current_database()"));
        Assert.Equal("127.0.0.1", await Sql.ScalarAsync(pg.ConnectionString, "show listen_addresses"));
        Assert.Equal(string.Empty, await Sql.ScalarAsync(pg.ConnectionString, "show unix_socket_directories"));
        Assert.Equal("off", await Sql.ScalarAsync(pg.ConnectionString, "show fsync"));
        Assert.Equal("pp test's \"quotes\"", await Sql.ScalarAsync(pg.ConnectionString, "show cluster_name"));
        Assert.Equal(pg.Port, (int)(await Sql.ScalarAsync(pg.ConnectionString, "select inet_server_port()"))!);
        var builder = new NpgsqlConnectionStringBuilder(pg.ConnectionString);
        Assert.Equal(("127.0.0.1", pg.Port, "prepaidpower", "postgres"), (builder.Host, builder.Port, builder.Database, builder.Username));
        Assert.Equal(32, builder.Password!.Length);
    }

    [Fact]
    public async Task StartAsync_WrongPassword_IsRejected()
    {
        await using var pg = await ManagedPostgres.StartAsync(ManagedPostgresOptions.Throwaway());
        var wrong = new NpgsqlConnectionStringBuilder(pg.ConnectionString) { Password = "not-the-password", Pooling = false };

        var ex = await Assert.ThrowsAsync<PostgresException>(() => Sql.ScalarAsync(wrong.ConnectionString, "select 1"));

        Assert.Equal(PostgresErrorCodes.InvalidPassword, ex.SqlState);
    }

    [Fact]
    public async Task StopAsync_RunningThrowaway_RefusesConnectionsEndsWatchdogAndDeletesFolder()
    {
        var pg = await ManagedPostgres.StartAsync(ManagedPostgresOptions.Throwaway());
        Assert.Equal(1, await Sql.ScalarAsync(pg.ConnectionString, "select 1"));
        var watchdog = pg.Watchdog!;
        var watchdogCommand = await File.ReadAllTextAsync($"/proc/{watchdog.ProcessId}/cmdline");
        Assert.Contains($"while kill -0 {Environment.ProcessId} && kill -0 {pg.PostmasterProcessId}; do", watchdogCommand, StringComparison.Ordinal);
        Assert.Contains($"rm -rf -- '{Path.GetDirectoryName(pg.DataDirectory)}'", watchdogCommand, StringComparison.Ordinal);

        await pg.StopAsync();

        var ex = await Assert.ThrowsAsync<NpgsqlException>(() => Sql.ScalarAsync(pg.ConnectionString, "select 1"));
        Assert.Equal(SocketError.ConnectionRefused, Assert.IsType<SocketException>(ex.InnerException).SocketErrorCode);
        Assert.True(Wait.ProcessGone(pg.PostmasterProcessId));
        await Wait.UntilAsync(() => Wait.ProcessGone(watchdog.ProcessId), TimeSpan.FromSeconds(30), "the watchdog is ended");
        Assert.False(Directory.Exists(Path.GetDirectoryName(pg.DataDirectory)));
        await pg.StopAsync(); // idempotent
    }

    [Fact]
    public async Task StartAsync_TwoInstances_RunSideBySideWithSeparateData()
    {
        await using var a = await ManagedPostgres.StartAsync(ManagedPostgresOptions.Throwaway());
        await using var b = await ManagedPostgres.StartAsync(ManagedPostgresOptions.Throwaway());

        await Sql.ExecuteAsync(a.ConnectionString, "create table only_in_a(v int)");

        Assert.NotEqual(a.Port, b.Port);
        Assert.NotEqual(a.DataDirectory, b.DataDirectory);
        Assert.Equal(1L, await Sql.ScalarAsync(a.ConnectionString, "select count(*) from pg_tables where tablename = 'only_in_a'"));
        Assert.Equal(0L, await Sql.ScalarAsync(b.ConnectionString, "select count(*) from pg_tables where tablename = 'only_in_a'"));
    }

    [Fact]
    public async Task StartAsync_PickedPortTakenMeanwhile_RetriesOnAnotherPort()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var taken = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var picks = 0;
        var log = new ListLogger();

        await using var pg = await ManagedPostgres.StartAsync(
            ManagedPostgresOptions.Throwaway(),
            log,
            () => ++picks == 1 ? taken : FreePort(),
            CancellationToken.None);

        Assert.Equal(2, picks);
        Assert.NotEqual(taken, pg.Port);
        Assert.Equal(1, await Sql.ScalarAsync(pg.ConnectionString, "select 1"));
        Assert.Contains(log.Lines, l => l == $"Port {taken} was taken before PostgreSQL could bind it (attempt 1); trying another");
    }

    [Fact]
    public async Task StartAsync_ExplicitPortInUse_FailsWithServerLogLines()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var taken = ((IPEndPoint)squatter.LocalEndpoint).Port;

        var ex = await Assert.ThrowsAsync<ManagedPostgresException>(
            () => ManagedPostgres.StartAsync(ManagedPostgresOptions.Throwaway() with { Port = taken }));

        Assert.StartsWith($"PostgreSQL did not start on 127.0.0.1:{taken} with data folder ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("(the port is in use; pick another or use 0)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Last lines of the server log", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Address already in use", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_BinDirectoryWithoutServer_ThrowsWithInstallHint()
    {
        using var empty = new TempFolder();

        var ex = await Assert.ThrowsAsync<PostgresNotFoundException>(
            () => ManagedPostgres.StartAsync(ManagedPostgresOptions.Throwaway() with { BinDirectory = empty.Path }));

        Assert.Equal(
            $"PostgreSQL server binaries not found: {empty.Path} (from the BinDirectory option) has no initdb, pg_ctl, postgres. " +
            "Install the server with `apt-get install -y postgresql` (Debian/Ubuntu), or set PREPAIDPOWER_PG_BIN to the folder holding initdb and pg_ctl, " +
            "or use an existing server with --postgres \"<connection string>\".",
            ex.Message);
    }

    [Fact]
    public void ServerArguments_SettingWithQuote_IsShellQuoted()
    {
        var arguments = ManagedPostgres.ServerArguments(5433, new Dictionary<string, string> { ["work_mem"] = "64MB", ["cluster_name"] = "it's" });

        Assert.Equal(
            "-p 5433 -c 'listen_addresses=127.0.0.1' -c 'unix_socket_directories=' -c 'cluster_name=it'\\''s' -c 'work_mem=64MB'",
            arguments);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
