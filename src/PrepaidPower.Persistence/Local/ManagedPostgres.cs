using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace PrepaidPower.Persistence.Local;

/// <summary>
/// A private PostgreSQL server on 127.0.0.1, run from the machine's own server binaries in a data folder of ours:
/// <c>initdb</c> when the folder is new (reused as it is otherwise), <c>pg_ctl start</c> on a free port, wait until
/// it accepts connections, create the database, and stop it on dispose, at process exit, and — through a
/// <see cref="PostgresWatchdog"/> — when this process is killed outright.
/// </summary>
/// <remarks>
/// Security: the server listens on 127.0.0.1 only and opens no Unix socket; the superuser <c>postgres</c> has a
/// random 128-bit password (SCRAM), kept in <c>prepaidpower-managed.password</c> inside the data folder (mode 0600),
/// so other local users cannot log in even though the port is reachable from the whole machine. When this process
/// is root the server runs as the OS user <c>postgres</c> (PostgreSQL refuses root), which then owns the data folder.
/// The server log is <c>log/server.log</c> inside the data folder.
/// </remarks>
public sealed partial class ManagedPostgres : IAsyncDisposable
{
    /// <summary>The superuser the helper creates and connects as.</summary>
    public const string SuperUser = "postgres";

    private const string PasswordFileName = "prepaidpower-managed.password";
    private const string OwnerFileName = "prepaidpower-managed.owner";
    private const string PidFileName = "postmaster.pid";
    private const int PortAttempts = 5;
    private const long LogRotateBytes = 10 * 1024 * 1024;
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    private readonly ServerUser _user;
    private readonly ILogger _logger;
    private readonly string? _deleteOnStop;
    private readonly string _password;
    private readonly EventHandler _onProcessExit;
    private PostgresWatchdog? _watchdog;
    private int _stopped;

    private ManagedPostgres(
        PostgresBinaries binaries,
        ServerUser user,
        ILogger logger,
        string dataDirectory,
        string? deleteOnStop,
        string password,
        string database,
        int port,
        int postmasterProcessId)
    {
        Binaries = binaries;
        _user = user;
        _logger = logger;
        DataDirectory = dataDirectory;
        _deleteOnStop = deleteOnStop;
        _password = password;
        Database = database;
        Port = port;
        PostmasterProcessId = postmasterProcessId;
        ConnectionString = ConnectionStringFor(database);
        _onProcessExit = (_, _) => StopAtExit();
    }

    /// <summary>Npgsql connection string for <see cref="Database"/> as the superuser, on 127.0.0.1.</summary>
    public string ConnectionString { get; }

    /// <summary>The database created at start.</summary>
    public string Database { get; }

    /// <summary>The TCP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The absolute data folder.</summary>
    public string DataDirectory { get; }

    /// <summary>The server's own log (appended across runs; rotated once past 10 MB).</summary>
    public string LogFile => ServerLogPath(DataDirectory);

    /// <summary>The postmaster's process id.</summary>
    public int PostmasterProcessId { get; }

    /// <summary>The binaries this instance runs.</summary>
    public PostgresBinaries Binaries { get; }

    /// <summary>The watchdog that stops the server if this process dies without stopping it.</summary>
    internal PostgresWatchdog? Watchdog => _watchdog;

    /// <summary>Whether <see cref="StopAsync"/> has run.</summary>
    public bool IsStopped => Volatile.Read(ref _stopped) != 0;

    /// <summary>Initialises the data folder if needed, starts the server and creates the database.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="PostgresNotFoundException">No server binaries on this machine.</exception>
    /// <exception cref="ManagedPostgresException">Set-up or start failed; the message carries the server's last log lines.</exception>
    public static Task<ManagedPostgres> StartAsync(ManagedPostgresOptions options, ILogger? logger = null, CancellationToken cancellationToken = default) =>
        StartAsync(options, logger, PickFreeLoopbackPort, cancellationToken);

    /// <summary>Npgsql connection string for another database on this server, as the superuser.</summary>
    public string ConnectionStringFor(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = IPAddress.Loopback.ToString(),
        Port = Port,
        Database = database,
        Username = SuperUser,
        Password = _password,
    }.ConnectionString;

    /// <summary>Stops the server (<c>pg_ctl stop -m fast</c>: sessions are ended, nothing committed is lost), then deletes the data if ephemeral. Idempotent.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit -= _onProcessExit;
        ClearPools();
        // Stop only our own server: if it is gone already (killed, or stopped by the watchdog) a later one may run
        // on this folder now, and that one is not ours to stop.
        if (ReadPostmasterPid(DataDirectory) == PostmasterProcessId && IsAlive(PostmasterProcessId))
        {
            var result = await RunPgCtlAsync(Binaries, _user, ["stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", Seconds(StopTimeout)], StopTimeout + TimeSpan.FromSeconds(10), CancellationToken.None);
            if (result.ExitCode != 0 && IsAlive(PostmasterProcessId))
            {
                _watchdog?.Dispose();
                throw new ManagedPostgresException($"Could not stop PostgreSQL (PID {PostmasterProcessId}, data {DataDirectory}): {result.Output.Trim()}");
            }

            TryDelete(Path.Combine(DataDirectory, OwnerFileName));
        }

        _watchdog?.Dispose();
        Log.Stopped(_logger, Port, DataDirectory);
        if (_deleteOnStop is not null)
        {
            Directory.Delete(_deleteOnStop, recursive: true);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private void StopAtExit()
    {
        try
        {
            StopAsync().GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is ManagedPostgresException or IOException or UnauthorizedAccessException)
        {
            // The process is ending and nobody is left to tell; the watchdog still stops the server once we are gone.
            Log.StopAtExitFailed(_logger, ex);
        }
    }

    internal static async Task<ManagedPostgres> StartAsync(
        ManagedPostgresOptions options,
        ILogger? logger,
        Func<int> pickPort,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The managed PostgreSQL instance needs Linux (initdb, pg_ctl, setpriv, /proc); on Windows pass --postgres \"<connection string>\".");
        }

        options.Validate();
        logger ??= NullLogger.Instance;
        var binaries = await PostgresBinaries.LocateAsync(options.BinDirectory, cancellationToken);
        var user = ServerUser.Detect();

        string dataDirectory;
        string? deleteOnStop;
        var createdRoot = false;
        if (options.DataDirectory is null)
        {
            var root = Directory.CreateTempSubdirectory("prepaidpower-pg-").FullName;
            // Created 0700 for us; the server user needs to pass through to its data folder, nothing more.
            File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            dataDirectory = Path.Combine(root, "data");
            deleteOnStop = root;
            createdRoot = true;
        }
        else
        {
            dataDirectory = Path.GetFullPath(options.DataDirectory);
            deleteOnStop = options.Ephemeral ? dataDirectory : null;
        }

        var initializedHere = false;
        try
        {
            string password;
            (password, initializedHere) = await PrepareDataDirectoryAsync(binaries, user, dataDirectory, options.Ephemeral, logger, cancellationToken);
            await ResolveExistingServerAsync(binaries, user, dataDirectory, logger, cancellationToken);
            var port = await StartServerAsync(binaries, user, options, dataDirectory, pickPort, logger, cancellationToken);
            var postmasterPid = ReadPostmasterPid(dataDirectory)
                ?? throw new ManagedPostgresException($"PostgreSQL started but left no readable {PidFileName} in {dataDirectory}.");

            var instance = new ManagedPostgres(binaries, user, logger, dataDirectory, deleteOnStop, password, options.Database, port, postmasterPid);
            try
            {
                await File.WriteAllTextAsync(Path.Combine(dataDirectory, OwnerFileName), Environment.ProcessId.ToString(CultureInfo.InvariantCulture), cancellationToken);
                instance._watchdog = PostgresWatchdog.Attach(Environment.ProcessId, postmasterPid, deleteOnStop);
                AppDomain.CurrentDomain.ProcessExit += instance._onProcessExit;
                await instance.WaitUntilAcceptingAsync(options.StartTimeout, cancellationToken);
                await instance.CreateDatabaseIfMissingAsync(cancellationToken);
            }
            catch
            {
                await instance.StopAsync();
                throw;
            }

            Log.Started(logger, port, dataDirectory, postmasterPid, binaries.MajorVersion);
            return instance;
        }
        catch when (createdRoot || initializedHere)
        {
            // Leave nothing half-made behind: a folder we created in this call goes again (a reused one stays).
            TryDeleteDirectory(createdRoot ? deleteOnStop! : dataDirectory);
            throw;
        }
    }

    /// <summary>Makes sure the data folder holds a cluster of the right version, running initdb if it is new; returns the superuser password.</summary>
    [UnsupportedOSPlatform("windows")]
    private static async Task<(string Password, bool Initialized)> PrepareDataDirectoryAsync(
        PostgresBinaries binaries, ServerUser user, string dataDirectory, bool ephemeral, ILogger logger, CancellationToken cancellationToken)
    {
        var parent = Path.GetDirectoryName(dataDirectory)
            ?? throw new ManagedPostgresException($"The data folder cannot be the file-system root ({dataDirectory}); give a sub-folder.");
        Directory.CreateDirectory(parent);
        await EnsureTraversableAsync(user, parent, logger, cancellationToken);

        var passwordFile = Path.Combine(dataDirectory, PasswordFileName);
        var versionFile = Path.Combine(dataDirectory, "PG_VERSION");
        if (File.Exists(versionFile))
        {
            var folderVersion = (await File.ReadAllTextAsync(versionFile, cancellationToken)).Trim();
            if (folderVersion != binaries.MajorVersion.ToString(CultureInfo.InvariantCulture))
            {
                throw new ManagedPostgresException(
                    $"The data folder {dataDirectory} was made by PostgreSQL {folderVersion}, but the binaries in {binaries.BinDirectory} are version {binaries.MajorVersion}. " +
                    $"Point BinDirectory (or {PostgresBinaries.BinDirectoryEnvironmentVariable}) at PostgreSQL {folderVersion}'s bin folder, upgrade the folder with pg_upgrade, or use a new folder.");
            }

            if (!File.Exists(passwordFile))
            {
                throw new ManagedPostgresException(
                    $"The data folder {dataDirectory} holds a PostgreSQL cluster, but not the helper's {PasswordFileName}, so the superuser password is unknown. " +
                    "Use a folder made by this helper, delete this one to start afresh (its data is lost), or run that server yourself and pass --postgres \"<connection string>\".");
            }

            Log.Reusing(logger, dataDirectory);
            return ((await File.ReadAllTextAsync(passwordFile, cancellationToken)).Trim(), false);
        }

        if (Directory.Exists(dataDirectory) && Directory.EnumerateFileSystemEntries(dataDirectory).Any())
        {
            throw new ManagedPostgresException(
                $"The data folder {dataDirectory} is not empty but holds no PostgreSQL cluster (no PG_VERSION). Give an empty or missing folder, or one made by this helper.");
        }

        Directory.CreateDirectory(dataDirectory);
        File.SetUnixFileMode(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await user.ChownAsync(dataDirectory, cancellationToken);

        var password = RandomNumberGenerator.GetHexString(32, lowercase: true);
        // initdb reads the password from a file the server user can read; it lives only for the initdb run.
        var scratch = Directory.CreateTempSubdirectory("prepaidpower-initdb-").FullName;
        try
        {
            var pwfile = Path.Combine(scratch, "pw");
            await File.WriteAllTextAsync(pwfile, password + "\n", cancellationToken);
            await user.ChownAsync(scratch, cancellationToken);
            Log.Initializing(logger, dataDirectory, binaries.MajorVersion);
            // --no-locale: C collation, the same sort order on every machine. An ephemeral folder skips the final
            // fsync of initdb: its data dies with it, and the sync is most of initdb's time on a slow disk.
            string[] arguments = ["-D", dataDirectory, "-U", SuperUser, $"--pwfile={pwfile}", "--auth=scram-sha-256", "--encoding=UTF8", "--no-locale", "--no-instructions"];
            var result = await CommandRunner.RunAsync(
                binaries.InitDb,
                ephemeral ? [.. arguments, "--no-sync"] : arguments,
                user,
                TimeSpan.FromMinutes(5),
                cancellationToken);
            result.ThrowIfFailed($"initialise the PostgreSQL data folder {dataDirectory}");
        }
        finally
        {
            TryDeleteDirectory(scratch);
        }

        // Root-owned when we are root: only we need it, the server never reads it.
        await File.WriteAllTextAsync(passwordFile, password, cancellationToken);
        File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return (password, true);
    }

    /// <summary>
    /// When we switch to the server user, it must be able to walk down to the data folder. A folder made by mktemp
    /// or a home like /root is 0700; we add only search permission for others (o+x: enter, not list) where missing.
    /// </summary>
    [UnsupportedOSPlatform("windows")]
    private static async Task EnsureTraversableAsync(ServerUser user, string directory, ILogger logger, CancellationToken cancellationToken)
    {
        if (user.SwitchTo is null || await user.CanTraverseAsync(directory, cancellationToken))
        {
            return;
        }

        for (var dir = new DirectoryInfo(directory); dir is not null; dir = dir.Parent)
        {
            var mode = File.GetUnixFileMode(dir.FullName);
            if (!mode.HasFlag(UnixFileMode.OtherExecute))
            {
                File.SetUnixFileMode(dir.FullName, mode | UnixFileMode.OtherExecute);
                Log.MadeTraversable(logger, dir.FullName, user.SwitchTo);
            }
        }

        if (!await user.CanTraverseAsync(directory, cancellationToken))
        {
            throw new ManagedPostgresException(
                $"The OS user '{user.SwitchTo}' cannot reach {directory}, even after adding search permission (o+x) to its parent folders. " +
                "Choose a data folder elsewhere (e.g. under /var/tmp), or run as a non-root user.");
        }
    }

    /// <summary>
    /// Handles a <c>postmaster.pid</c> left in the folder. If no server of this folder runs under that PID (a killed
    /// run's leftover, the PID maybe reused by an unrelated process), the file is removed — PostgreSQL alone would
    /// refuse to start when the PID belongs to anyone alive. If the server does run: when the process that started
    /// it through this helper is gone, we stop it and go on; otherwise we refuse, naming who has it.
    /// </summary>
    private static async Task ResolveExistingServerAsync(
        PostgresBinaries binaries, ServerUser user, string dataDirectory, ILogger logger, CancellationToken cancellationToken)
    {
        var pidFile = Path.Combine(dataDirectory, PidFileName);
        if (!File.Exists(pidFile))
        {
            return;
        }

        var pid = ReadPostmasterPid(dataDirectory);
        if (pid is null || !IsPostmasterOf(pid.Value, pidFile))
        {
            Log.RemovedStalePidFile(logger, pidFile, pid ?? 0);
            File.Delete(pidFile);
            // Backends of a killed postmaster notice its death and exit within moments; until they do, they hold
            // its shared memory and a new server would refuse to start ("pre-existing shared memory block").
            await WaitForLeftoverServerProcessesAsync(dataDirectory, cancellationToken);
            return;
        }

        var ownerFile = Path.Combine(dataDirectory, OwnerFileName);
        int? owner = File.Exists(ownerFile) && int.TryParse((await File.ReadAllTextAsync(ownerFile, cancellationToken)).Trim(), CultureInfo.InvariantCulture, out var o) ? o : null;
        if (owner is null || IsAlive(owner.Value))
        {
            var who = owner is null ? "started outside this helper" : $"started by process {owner} (still running)";
            throw new ManagedPostgresException(
                $"A PostgreSQL server (PID {pid}) is already running on the data folder {dataDirectory}, {who}. " +
                $"Stop it first (`pg_ctl stop -D {dataDirectory}`), use another data folder, or connect to it with --postgres \"<connection string>\".");
        }

        Log.StoppingOrphan(logger, pid.Value, owner.Value, dataDirectory);
        var stop = await RunPgCtlAsync(binaries, user, ["stop", "-D", dataDirectory, "-m", "fast", "-w", "-t", Seconds(StopTimeout)], StopTimeout + TimeSpan.FromSeconds(10), cancellationToken);
        stop.ThrowIfFailed($"stop the orphaned PostgreSQL server (PID {pid}) on {dataDirectory}");
    }

    private static async Task WaitForLeftoverServerProcessesAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (ProcessesWorkingIn(dataDirectory).Any() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        }
    }

    /// <summary>Live processes whose working directory is <paramref name="directory"/>: a server's postmaster and backends all run inside its data folder.</summary>
    private static IEnumerable<int> ProcessesWorkingIn(string directory)
    {
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            string? cwd;
            try
            {
                cwd = new FileInfo(Path.Combine(entry, "cwd")).LinkTarget;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            if (cwd == directory && !IsZombie(pid))
            {
                yield return pid;
            }
        }
    }

    /// <summary>Runs <c>pg_ctl start</c>, on a new free port if the picked one was taken meanwhile; returns the port.</summary>
    private static async Task<int> StartServerAsync(
        PostgresBinaries binaries, ServerUser user, ManagedPostgresOptions options, string dataDirectory, Func<int> pickPort, ILogger logger, CancellationToken cancellationToken)
    {
        var logFile = ServerLogPath(dataDirectory);
        var logDirectory = Path.GetDirectoryName(logFile)!;
        if (!Directory.Exists(logDirectory))
        {
            Directory.CreateDirectory(logDirectory);
            await user.ChownAsync(logDirectory, cancellationToken);
        }
        else if (File.Exists(logFile) && new FileInfo(logFile).Length > LogRotateBytes)
        {
            File.Move(logFile, logFile + ".1", overwrite: true);
        }

        for (var attempt = 1; ; attempt++)
        {
            var port = options.Port != 0 ? options.Port : pickPort();
            var logStart = File.Exists(logFile) ? new FileInfo(logFile).Length : 0;
            var result = await RunPgCtlAsync(
                binaries,
                user,
                ["start", "-w", "-t", Seconds(options.StartTimeout), "-D", dataDirectory, "-l", logFile, "-o", ServerArguments(port, options.Settings)],
                options.StartTimeout + TimeSpan.FromSeconds(10),
                cancellationToken);
            if (result.ExitCode == 0)
            {
                return port;
            }

            var tail = ReadLogTail(logFile, logStart, 20);
            if (File.Exists(Path.Combine(dataDirectory, PidFileName)))
            {
                // pg_ctl gave up waiting but the server may still come up: leave nothing running.
                await RunPgCtlAsync(binaries, user, ["stop", "-D", dataDirectory, "-m", "immediate", "-w"], StopTimeout, CancellationToken.None);
            }

            var portTaken = tail.Contains("Address already in use", StringComparison.Ordinal);
            if (portTaken && options.Port == 0 && attempt < PortAttempts)
            {
                Log.PortTaken(logger, port, attempt);
                continue;
            }

            throw new ManagedPostgresException(
                $"PostgreSQL did not start on 127.0.0.1:{port} with data folder {dataDirectory}" +
                (portTaken ? (options.Port == 0 ? $" (every one of {PortAttempts} free ports was taken before the server could bind it)" : " (the port is in use; pick another or use 0)") : string.Empty) +
                $". pg_ctl said: {result.Output.Trim()}{Environment.NewLine}Last lines of the server log {logFile}:{Environment.NewLine}{tail}");
        }
    }

    private async Task WaitUntilAcceptingAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        // pg_ctl -w already waited for "ready" in postmaster.pid; a real login proves the port, the password and
        // the authentication set-up too.
        var builder = new NpgsqlConnectionStringBuilder(ConnectionStringFor("postgres")) { Pooling = false, Timeout = 5 };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(builder.ConnectionString);
                await connection.OpenAsync(cancellationToken);
                await using var command = new NpgsqlCommand("select 1", connection);
                await command.ExecuteScalarAsync(cancellationToken);
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
            }
            catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
            {
                throw new ManagedPostgresException(
                    $"PostgreSQL on 127.0.0.1:{Port} did not accept a login within {timeout.TotalSeconds:0} s: {ex.Message}{Environment.NewLine}Last lines of the server log {LogFile}:{Environment.NewLine}{ReadLogTail(LogFile, 0, 20)}",
                    ex);
            }
        }
    }

    private async Task CreateDatabaseIfMissingAsync(CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionStringFor("postgres")) { Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("select 1 from pg_database where datname = $1", connection);
        exists.Parameters.Add(new NpgsqlParameter { Value = Database });
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            // The name is validated as a plain lower-case identifier, so quoting it is exact.
            await using var create = new NpgsqlCommand($"create database \"{Database}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private void ClearPools()
    {
        // Pooled connections to a stopped server are dead; dropping them lets a restarted server's users start clean.
        using var connection = new NpgsqlConnection(ConnectionString);
        NpgsqlConnection.ClearPool(connection);
    }

    private static Task<CommandResult> RunPgCtlAsync(PostgresBinaries binaries, ServerUser user, IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken) =>
        CommandRunner.RunAsync(binaries.PgCtl, arguments, user, timeout, cancellationToken);

    /// <summary>The postgres command line that pg_ctl hands to /bin/sh, so every value is shell-quoted.</summary>
    internal static string ServerArguments(int port, IReadOnlyDictionary<string, string> settings)
    {
        var parts = new List<string>
        {
            "-p", port.ToString(CultureInfo.InvariantCulture),
            "-c", ShellQuote("listen_addresses=127.0.0.1"),
            "-c", ShellQuote("unix_socket_directories="),
        };
        foreach (var (name, value) in settings.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            parts.Add("-c");
            parts.Add(ShellQuote($"{name}={value}"));
        }

        return string.Join(' ', parts);
    }

    private static string ShellQuote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string Seconds(TimeSpan span) => ((int)Math.Ceiling(span.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    private static string ServerLogPath(string dataDirectory) => Path.Combine(dataDirectory, "log", "server.log");

    internal static int? ReadPostmasterPid(string dataDirectory)
    {
        try
        {
            var first = File.ReadLines(Path.Combine(dataDirectory, PidFileName)).FirstOrDefault();
            return int.TryParse(first, CultureInfo.InvariantCulture, out var pid) && pid > 0 ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether <paramref name="pid"/> is the postmaster of the folder holding <paramref name="pidFile"/>: the postmaster
    /// runs inside its data folder, so its working directory holds this very file. Comparing contents (not paths)
    /// survives symlinks in the path.
    /// </summary>
    private static bool IsPostmasterOf(int pid, string pidFile)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cwd/{PidFileName}") == File.ReadAllText(pidFile);
        }
        catch (UnauthorizedAccessException)
        {
            // Another user's process: we cannot look inside, so be safe and call it a server if it is named like one.
            return File.Exists($"/proc/{pid}/comm") && File.ReadAllText($"/proc/{pid}/comm").Trim() is "postgres" or "postmaster";
        }
        catch (IOException)
        {
            return false;
        }
    }

    internal static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid}") && !IsZombie(pid);

    private static bool IsZombie(int pid)
    {
        try
        {
            // /proc/PID/stat: "PID (comm) S ..." — the state letter follows the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var end = stat.LastIndexOf(')');
            return end > 0 && end + 2 < stat.Length && stat[end + 2] == 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    internal static string ReadLogTail(string logFile, long from, int lines)
    {
        try
        {
            using var stream = new FileStream(logFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            stream.Seek(Math.Min(from, stream.Length), SeekOrigin.Begin);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return all.Length == 0 ? "(empty)" : string.Join(Environment.NewLine, all.TakeLast(lines));
        }
        catch (IOException ex)
        {
            return $"(could not read it: {ex.Message})";
        }
    }

    private static int PickFreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException)
        {
            // Best effort: a leftover owner file only matters if its PID is alive, and it is checked against the server.
        }
    }

    private static void TryDeleteDirectory(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort clean-up after a failure that is being reported already.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "PostgreSQL {MajorVersion} started on 127.0.0.1:{Port} (PID {Pid}), data in {DataDirectory}")]
        public static partial void Started(ILogger logger, int port, string dataDirectory, int pid, int majorVersion);

        [LoggerMessage(2, LogLevel.Information, "PostgreSQL on port {Port} stopped (data in {DataDirectory})")]
        public static partial void Stopped(ILogger logger, int port, string dataDirectory);

        [LoggerMessage(3, LogLevel.Information, "Reusing the PostgreSQL data folder {DataDirectory}")]
        public static partial void Reusing(ILogger logger, string dataDirectory);

        [LoggerMessage(4, LogLevel.Information, "Initialising a PostgreSQL {MajorVersion} data folder in {DataDirectory}")]
        public static partial void Initializing(ILogger logger, string dataDirectory, int majorVersion);

        [LoggerMessage(5, LogLevel.Warning, "Added search permission for others (o+x) to {Directory} so that the OS user {User} can reach the data folder")]
        public static partial void MadeTraversable(ILogger logger, string directory, string user);

        [LoggerMessage(6, LogLevel.Warning, "Removed a stale {PidFile} (PID {Pid} is not a server of this folder; a previous run was probably killed)")]
        public static partial void RemovedStalePidFile(ILogger logger, string pidFile, int pid);

        [LoggerMessage(7, LogLevel.Warning, "Stopping PostgreSQL (PID {Pid}) on {DataDirectory}: the process {Owner} that started it is gone")]
        public static partial void StoppingOrphan(ILogger logger, int pid, int owner, string dataDirectory);

        [LoggerMessage(8, LogLevel.Warning, "Port {Port} was taken before PostgreSQL could bind it (attempt {Attempt}); trying another")]
        public static partial void PortTaken(ILogger logger, int port, int attempt);

        [LoggerMessage(9, LogLevel.Error, "Could not stop PostgreSQL at process exit")]
        public static partial void StopAtExitFailed(ILogger logger, Exception exception);
    }
}
