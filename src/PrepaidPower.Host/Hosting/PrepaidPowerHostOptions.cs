namespace PrepaidPower.Host.Hosting;

/// <summary>
/// How one host process runs: storage, its place in the cluster and its ports. The Cli builds it from
/// <c>prepaidpower run</c>'s flags; tests build it directly. <see cref="Validate"/> runs before anything starts.
/// </summary>
/// <remarks>
/// Ports: a null port means the default for <see cref="Instance"/> (HTTP 5080, silo 11111, gateway 30000, each plus
/// <c>Instance − 1</c>), so a second process started with <c>--instance 2</c> collides with none of the first one's
/// ports; 0 means any free port (tests).
/// </remarks>
public sealed record PrepaidPowerHostOptions
{
    /// <summary>Default HTTP port of instance 1 (API, OpenAPI document and dashboard).</summary>
    public const int DefaultHttpPort = 5080;

    /// <summary>Default silo-to-silo port of instance 1 (Orleans' own default).</summary>
    public const int DefaultSiloPort = 11111;

    /// <summary>Default client gateway port of instance 1 (Orleans' own default).</summary>
    public const int DefaultGatewayPort = 30000;

    /// <summary>Highest instance number: ports stay distinct and below the next default's range.</summary>
    public const int MaxInstance = 99;

    /// <summary>The folder, under <see cref="WorkingDirectory"/>, that holds the managed database and the dev API key.</summary>
    public const string StateFolderName = ".prepaidpower";

    /// <summary>Storage mode; default <see cref="StorageMode.ManagedPostgres"/>.</summary>
    public StorageMode Storage { get; init; } = StorageMode.ManagedPostgres;

    /// <summary>Npgsql connection string; required for <see cref="StorageMode.ExternalPostgres"/>, not allowed otherwise.</summary>
    public string? PostgresConnectionString { get; init; }

    /// <summary>Where <c>.prepaidpower/</c> lives (managed database, dev API key) and where <c>appsettings.json</c> may add settings. Default: the current directory.</summary>
    public string WorkingDirectory { get; init; } = Environment.CurrentDirectory;

    /// <summary>1 … 99: which process of this machine's cluster this is; shifts the default ports. Default 1.</summary>
    public int Instance { get; init; } = 1;

    /// <summary>HTTP port on <see cref="HttpAddress"/>; null = 5080 + Instance − 1; 0 = any free port.</summary>
    public int? HttpPort { get; init; }

    /// <summary>Orleans silo-to-silo port on loopback; null = 11111 + Instance − 1; 0 = any free port.</summary>
    public int? SiloPort { get; init; }

    /// <summary>Orleans client gateway port on loopback; null = 30000 + Instance − 1; 0 = any free port.</summary>
    public int? GatewayPort { get; init; }

    /// <summary>The address Kestrel listens on. Default 127.0.0.1: the API is local unless you say otherwise.</summary>
    public string HttpAddress { get; init; } = "127.0.0.1";

    /// <summary>Orleans cluster id (the membership rows' DeploymentId): processes with the same id form one cluster. Default <c>prepaidpower-local</c>.</summary>
    public string ClusterId { get; init; } = "prepaidpower-local";

    /// <summary>Orleans service id, the key of stored grain state and reminders: keep it stable across deployments. Default <c>prepaidpower</c>.</summary>
    public string ServiceId { get; init; } = "prepaidpower";

    /// <summary>Upload the sample tariffs (<c>samples/tariffs</c>) when they are not in the catalogue yet. Default true.</summary>
    public bool SeedSamples { get; init; } = true;

    /// <summary>
    /// Meters of the live simulated city started with instance 1 (0 = none; point real concentrators at the API
    /// instead). The city needs the sample tariffs (<see cref="SeedSamples"/>). Default 0; <c>prepaidpower run</c> asks for 2,000.
    /// </summary>
    public int CityMeters { get; init; }

    /// <summary>Concentrators of the simulated city (alternating gateway and table layouts), at least one per 200 meters. Default 4.</summary>
    public int CityConcentrators { get; init; } = 4;

    /// <summary>
    /// Simulated seconds per real second in the city. With a city, the grains' domain clock runs at this speed too,
    /// so tariff bands, protected windows and grace periods follow the city's time. Default 60.
    /// </summary>
    public double CitySpeed { get; init; } = 60;

    /// <summary>Real time between two polls of a city concentrator. Default 10 s (10 simulated minutes at 60×).</summary>
    public TimeSpan CityPollPeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The <c>samples</c> folder; null = look beside the binaries, then up from the working directory.</summary>
    public string? SamplesDirectory { get; init; }

    /// <summary>
    /// Extra configuration applied last, as flat keys (<c>PrepaidPower:ApiKeys:ops:Key</c>); for tests and embedding.
    /// Default none.
    /// </summary>
    public IReadOnlyDictionary<string, string?> Configuration { get; init; } = new Dictionary<string, string?>();

    /// <summary>The state folder: <c>&lt;WorkingDirectory&gt;/.prepaidpower</c>.</summary>
    public string StateDirectory => Path.Combine(Path.GetFullPath(WorkingDirectory), StateFolderName);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad option and what would be accepted.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Storage))
        {
            throw new ArgumentException($"Storage mode {(int)Storage} is unknown; use ManagedPostgres, ExternalPostgres or InMemory.", nameof(Storage));
        }

        if (Storage == StorageMode.ExternalPostgres && string.IsNullOrWhiteSpace(PostgresConnectionString))
        {
            throw new ArgumentException("--postgres needs a connection string, e.g. \"Host=127.0.0.1;Port=5432;Database=prepaidpower;Username=prepaidpower;Password=…\".", nameof(PostgresConnectionString));
        }

        if (Storage != StorageMode.ExternalPostgres && PostgresConnectionString is not null)
        {
            throw new ArgumentException($"A PostgreSQL connection string was given but the storage mode is {Storage}; give either --postgres or --in-memory, not both.", nameof(PostgresConnectionString));
        }

        if (string.IsNullOrWhiteSpace(WorkingDirectory))
        {
            throw new ArgumentException("The working directory is empty; give a folder (the default is the current directory).", nameof(WorkingDirectory));
        }

        if (Instance is < 1 or > MaxInstance)
        {
            throw new ArgumentException($"--instance {Instance} is out of range; use 1 to {MaxInstance}.", nameof(Instance));
        }

        CheckPort(HttpPort, "--http-port", nameof(HttpPort));
        CheckPort(SiloPort, "--silo-port", nameof(SiloPort));
        CheckPort(GatewayPort, "--gateway-port", nameof(GatewayPort));
        if (!System.Net.IPAddress.TryParse(HttpAddress, out _))
        {
            throw new ArgumentException($"HTTP address '{HttpAddress}' is not an IP address; use 127.0.0.1 (local only) or 0.0.0.0 (every interface).", nameof(HttpAddress));
        }

        CheckName(ClusterId, "--cluster-id", nameof(ClusterId));
        CheckName(ServiceId, "--service-id", nameof(ServiceId));
        if (CityMeters is < 0 or > 100_000)
        {
            throw new ArgumentException($"--city-meters {CityMeters} is out of range; use 0 (no city) to 100,000 (larger cities belong to the load harness).", nameof(CityMeters));
        }

        if (CityMeters > 0)
        {
            if (CityConcentrators < 1 || CityConcentrators > CityMeters || CityConcentrators > 64)
            {
                throw new ArgumentException($"--city-concentrators {CityConcentrators} is out of range; use 1 to 64, and no more than the meters.", nameof(CityConcentrators));
            }

            if (CitySpeed is < 1 or > 3600 || double.IsNaN(CitySpeed))
            {
                throw new ArgumentException($"--speed {CitySpeed} is out of range; use 1 (real time) to 3600 (an hour a second).", nameof(CitySpeed));
            }

            if (CityPollPeriod < TimeSpan.FromSeconds(1))
            {
                throw new ArgumentException("The city's poll period must be at least 1 second.", nameof(CityPollPeriod));
            }

            if (!SeedSamples)
            {
                throw new ArgumentException("The simulated city uses the sample Shanghai tariff; drop --no-samples, or add --no-city.", nameof(SeedSamples));
            }
        }
    }

    private static void CheckPort(int? port, string flag, string name)
    {
        if (port is { } p && p != 0 && p is < 1024 or > 65535)
        {
            throw new ArgumentException($"{flag} {p} is out of range; use 1024–65535, or 0 for any free port.", name);
        }
    }

    private static void CheckName(string value, string flag, string name)
    {
        // Both end up in varchar(150) key columns of the Orleans tables.
        if (string.IsNullOrWhiteSpace(value) || value.Length > 100 || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new ArgumentException($"{flag} '{value}' is not usable; use 1–100 ASCII letters, digits, '-', '_' or '.'.", name);
        }
    }
}
