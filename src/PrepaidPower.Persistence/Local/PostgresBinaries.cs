using System.Globalization;
using System.Text.RegularExpressions;

namespace PrepaidPower.Persistence.Local;

/// <summary>
/// The folder holding one PostgreSQL server installation's <c>initdb</c>, <c>pg_ctl</c> and <c>postgres</c>, and its
/// major version (e.g. 15).
/// </summary>
public sealed partial record PostgresBinaries
{
    /// <summary>The environment variable that names the bin folder when no option does.</summary>
    public const string BinDirectoryEnvironmentVariable = "PREPAIDPOWER_PG_BIN";

    /// <summary>How to get out of "not found"; every not-found message ends with it.</summary>
    public const string InstallHint =
        "Install the server with `apt-get install -y postgresql` (Debian/Ubuntu), " +
        $"or set {BinDirectoryEnvironmentVariable} to the folder holding initdb and pg_ctl, " +
        "or use an existing server with --postgres \"<connection string>\".";

    private static readonly string[] RequiredTools = ["initdb", "pg_ctl", "postgres"];

    private PostgresBinaries(string binDirectory, int majorVersion)
    {
        BinDirectory = binDirectory;
        MajorVersion = majorVersion;
    }

    /// <summary>The absolute bin folder.</summary>
    public string BinDirectory { get; }

    /// <summary>The server's major version, as written in a data folder's <c>PG_VERSION</c> file.</summary>
    public int MajorVersion { get; }

    public string InitDb => Path.Combine(BinDirectory, "initdb");

    public string PgCtl => Path.Combine(BinDirectory, "pg_ctl");

    public string Postgres => Path.Combine(BinDirectory, "postgres");

    /// <summary>
    /// Finds the server binaries, first match wins: <paramref name="explicitBinDirectory"/>, then
    /// <c>PREPAIDPOWER_PG_BIN</c>, then <c>pg_config --bindir</c> (when that folder has the server tools: on Debian
    /// pg_config may come from the client-only libpq-dev), then the highest <c>/usr/lib/postgresql/N/bin</c>.
    /// An explicit folder or the environment variable is never second-guessed: if it lacks the tools, that is the
    /// error, rather than silently running some other version.
    /// </summary>
    /// <exception cref="PostgresNotFoundException">No usable installation was found.</exception>
    public static async Task<PostgresBinaries> LocateAsync(string? explicitBinDirectory = null, CancellationToken cancellationToken = default)
    {
        if (!string.IsNullOrWhiteSpace(explicitBinDirectory))
        {
            return await FromDirectoryAsync(explicitBinDirectory, "the BinDirectory option", cancellationToken);
        }

        var fromEnvironment = Environment.GetEnvironmentVariable(BinDirectoryEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return await FromDirectoryAsync(fromEnvironment, $"the {BinDirectoryEnvironmentVariable} environment variable", cancellationToken);
        }

        var looked = new List<string>();
        var pgConfig = await CommandRunner.RunAsync("pg_config", ["--bindir"], null, TimeSpan.FromSeconds(10), cancellationToken);
        if (pgConfig.ExitCode == 0)
        {
            var binDir = pgConfig.Output.Trim();
            if (MissingTools(binDir).Count == 0)
            {
                return await FromDirectoryAsync(binDir, "pg_config --bindir", cancellationToken);
            }

            looked.Add($"{binDir} (from pg_config --bindir; no server tools there)");
        }
        else
        {
            looked.Add("pg_config (not on PATH)");
        }

        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(dir => (Dir: Path.Combine(dir, "bin"), Version: int.TryParse(Path.GetFileName(dir), CultureInfo.InvariantCulture, out var v) ? v : -1))
                .Where(c => c.Version > 0 && MissingTools(c.Dir).Count == 0)
                .OrderByDescending(c => c.Version)
                .ToList()
            : [];
        if (candidates.Count > 0)
        {
            return await FromDirectoryAsync(candidates[0].Dir, "/usr/lib/postgresql", cancellationToken);
        }

        looked.Add("/usr/lib/postgresql/*/bin (none with initdb, pg_ctl and postgres)");
        throw new PostgresNotFoundException(
            $"PostgreSQL server binaries not found. Looked in: {string.Join("; ", looked)}. {InstallHint}");
    }

    private static async Task<PostgresBinaries> FromDirectoryAsync(string directory, string source, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(directory);
        var missing = MissingTools(full);
        if (missing.Count > 0)
        {
            throw new PostgresNotFoundException(
                $"PostgreSQL server binaries not found: {full} (from {source}) has no {string.Join(", ", missing)}. {InstallHint}");
        }

        var version = await CommandRunner.RunAsync(Path.Combine(full, "postgres"), ["--version"], null, TimeSpan.FromSeconds(10), cancellationToken);
        var match = VersionPattern().Match(version.Output);
        if (version.ExitCode != 0 || !match.Success)
        {
            throw new PostgresNotFoundException(
                $"{Path.Combine(full, "postgres")} (from {source}) did not report its version: `{version.Output.Trim()}`. {InstallHint}");
        }

        return new PostgresBinaries(full, int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    private static List<string> MissingTools(string directory) =>
        RequiredTools.Where(tool => !File.Exists(Path.Combine(directory, tool))).ToList();

    // "postgres (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)"; development builds say "17devel".
    [GeneratedRegex(@"\(PostgreSQL\)\s+(\d+)")]
    private static partial Regex VersionPattern();
}
