using System.Text.RegularExpressions;

namespace PrepaidPower.Persistence.Local;

/// <summary>
/// How to run a managed local PostgreSQL instance. Use <see cref="Persistent"/> for the main job (data kept across
/// runs) or <see cref="Throwaway"/> for tests (data deleted on dispose, durability traded for speed).
/// <see cref="Validate"/> runs at start; every property can also be set directly.
/// </summary>
public sealed partial record ManagedPostgresOptions
{
    /// <summary>The database created by default.</summary>
    public const string DefaultDatabase = "prepaidpower";

    /// <summary>
    /// Room for every connection pool of a silo: the Orleans ADO.NET providers (clustering, each grain storage,
    /// reminders), the ledger writer and the notification outbox each keep their own pool, and several silos may share
    /// one managed server; PostgreSQL's default of 100 runs out ("53300: too many clients").
    /// </summary>
    public static IReadOnlyDictionary<string, string> CapacitySettings { get; } = new Dictionary<string, string>
    {
        ["max_connections"] = "500",
    };

    /// <summary>The settings a throwaway instance adds: no waiting for disks, since its data dies with it anyway.</summary>
    public static IReadOnlyDictionary<string, string> FastUnsafeSettings { get; } = new Dictionary<string, string>
    {
        ["fsync"] = "off",
        ["synchronous_commit"] = "off",
        ["full_page_writes"] = "off",
        ["max_connections"] = "500",
    };

    // The helper owns these: it must know where the server listens, and it never opens a Unix socket (whose path
    // would be limited to 107 bytes and land in a folder shared with other instances).
    private static readonly HashSet<string> ReservedSettings = new(StringComparer.OrdinalIgnoreCase)
    {
        "port", "listen_addresses", "unix_socket_directories", "data_directory", "hba_file", "ident_file", "config_file",
    };

    /// <summary>
    /// The data folder (PostgreSQL's <c>PGDATA</c>), relative paths against the current directory. Reused when it
    /// already holds a cluster (<c>PG_VERSION</c>), created and <c>initdb</c>-ed when missing or empty. May be null only
    /// when <see cref="Ephemeral"/>: then a fresh folder under the system temp folder is used.
    /// </summary>
    public string? DataDirectory { get; init; }

    /// <summary>TCP port on 127.0.0.1, 1024–65535; 0 (default) picks a free port at each start and retries if it is taken meanwhile.</summary>
    public int Port { get; init; }

    /// <summary>The database to create when missing (lower-case letters, digits, underscores; 1–63 characters). Default <c>prepaidpower</c>.</summary>
    public string Database { get; init; } = DefaultDatabase;

    /// <summary>The folder holding <c>initdb</c> and <c>pg_ctl</c>; null (default) means look for it (see <see cref="PostgresBinaries.LocateAsync"/>).</summary>
    public string? BinDirectory { get; init; }

    /// <summary>How long to wait for the server to accept connections, 1 s to 10 min. Default 60 s (a first initdb on a slow CI disk takes a while).</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Delete the data folder when the instance is disposed. Default false.</summary>
    public bool Ephemeral { get; init; }

    /// <summary>Extra server settings passed as <c>-c name=value</c> at each start. Default none (PostgreSQL's defaults).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>A data folder kept across runs, with PostgreSQL's default (durable) settings and room for 500 connections.</summary>
    public static ManagedPostgresOptions Persistent(string dataDirectory, string database = DefaultDatabase) =>
        new() { DataDirectory = dataDirectory, Database = database, Settings = CapacitySettings };

    /// <summary>A fresh instance in a temp folder that is deleted on dispose, with fsync and friends off for speed.</summary>
    public static ManagedPostgresOptions Throwaway(string database = DefaultDatabase) =>
        new() { Ephemeral = true, Database = database, Settings = FastUnsafeSettings };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad option and what would be accepted.</summary>
    public void Validate()
    {
        if (DataDirectory is null && !Ephemeral)
        {
            throw new ArgumentException(
                "DataDirectory is required for a persistent instance (Ephemeral = false); give a folder such as .prepaidpower/postgres, or set Ephemeral = true for a throwaway instance in a temp folder.",
                nameof(DataDirectory));
        }

        if (DataDirectory is not null && (DataDirectory.Trim().Length == 0 || DataDirectory.Contains('\0', StringComparison.Ordinal)))
        {
            throw new ArgumentException($"DataDirectory '{DataDirectory}' is not a usable path; give a folder such as .prepaidpower/postgres.", nameof(DataDirectory));
        }

        if (Port != 0 && Port is < 1024 or > 65535)
        {
            throw new ArgumentException($"Port {Port} is out of range; use 0 to pick a free port, or 1024–65535.", nameof(Port));
        }

        if (Database is null || !IdentifierPattern().IsMatch(Database))
        {
            throw new ArgumentException(
                $"Database '{Database}' is not a plain PostgreSQL name; use 1–63 lower-case letters, digits and underscores, starting with a letter or underscore (e.g. prepaidpower).",
                nameof(Database));
        }

        if (StartTimeout < TimeSpan.FromSeconds(1) || StartTimeout > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException($"StartTimeout {StartTimeout} is out of range; use 1 second to 10 minutes.", nameof(StartTimeout));
        }

        foreach (var (name, value) in Settings ?? throw new ArgumentException("Settings must not be null; use an empty dictionary.", nameof(Settings)))
        {
            if (!SettingNamePattern().IsMatch(name ?? string.Empty))
            {
                throw new ArgumentException($"Setting name '{name}' is not a PostgreSQL parameter name (lower-case letters, digits, '_' and '.').", nameof(Settings));
            }

            if (ReservedSettings.Contains(name!))
            {
                throw new ArgumentException($"Setting '{name}' is managed by the helper; use the Port option, or leave it out.", nameof(Settings));
            }

            if (value is null || value.IndexOfAny(['\0', '\n', '\r']) >= 0)
            {
                throw new ArgumentException($"Setting '{name}' has a null or multi-line value; give a single-line value.", nameof(Settings));
            }
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex IdentifierPattern();

    [GeneratedRegex("^[a-z_][a-z0-9_.]{0,62}$")]
    private static partial Regex SettingNamePattern();
}
