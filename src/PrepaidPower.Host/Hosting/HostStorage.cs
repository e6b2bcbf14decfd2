// Brings up the storage a host runs on before the silo is built: the managed PostgreSQL, an external one, or memory.
using Npgsql;
using PrepaidPower.Persistence.Local;

namespace PrepaidPower.Host.Hosting;

/// <summary>
/// The storage of one host, ready to use: a PostgreSQL connection string (managed or external) or nothing (memory).
/// Owns the managed server when this process started it, and stops it on dispose.
/// </summary>
internal sealed class HostStorage : IAsyncDisposable
{
    /// <summary>The file, in the state folder, through which instance 1 tells instances 2, 3 … where its managed server is.</summary>
    public const string ConnectionFileName = "postgres.connection";

    private readonly ManagedPostgres? _managed;
    private readonly string? _connectionFile;

    private HostStorage(StorageMode mode, string? connectionString, ManagedPostgres? managed, string? connectionFile, string description)
    {
        Mode = mode;
        ConnectionString = connectionString;
        _managed = managed;
        _connectionFile = connectionFile;
        Description = description;
    }

    public StorageMode Mode { get; }

    /// <summary>Npgsql connection string, or null in memory mode.</summary>
    public string? ConnectionString { get; }

    /// <summary>One line for people: where the data is.</summary>
    public string Description { get; }

    public static async Task<HostStorage> PrepareAsync(PrepaidPowerHostOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        switch (options.Storage)
        {
            case StorageMode.InMemory:
                return new HostStorage(StorageMode.InMemory, null, null, null, "IN MEMORY: nothing is saved, everything is lost at exit");

            case StorageMode.ExternalPostgres:
                var external = new NpgsqlConnectionStringBuilder(options.PostgresConnectionString);
                return new HostStorage(StorageMode.ExternalPostgres, external.ConnectionString, null, null, $"PostgreSQL {external.Host}:{external.Port}/{external.Database}");
        }

        var stateDirectory = options.StateDirectory;
        var connectionFile = Path.Combine(stateDirectory, ConnectionFileName);
        if (options.Instance > 1)
        {
            return await JoinInstanceOneAsync(connectionFile, stateDirectory, cancellationToken);
        }

        Directory.CreateDirectory(stateDirectory);
        var dataDirectory = Path.Combine(stateDirectory, "postgres");
        var managed = await ManagedPostgres.StartAsync(ManagedPostgresOptions.Persistent(dataDirectory), logger, cancellationToken);
        try
        {
            await File.WriteAllTextAsync(connectionFile, managed.ConnectionString, cancellationToken);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(connectionFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
        catch
        {
            await managed.StopAsync();
            throw;
        }

        return new HostStorage(StorageMode.ManagedPostgres, managed.ConnectionString, managed, connectionFile, $"managed PostgreSQL 127.0.0.1:{managed.Port}, data in {managed.DataDirectory}");
    }

    private static async Task<HostStorage> JoinInstanceOneAsync(string connectionFile, string stateDirectory, CancellationToken cancellationToken)
    {
        if (!File.Exists(connectionFile))
        {
            throw new InvalidOperationException(
                $"Instance 2 and up join the managed PostgreSQL that instance 1 runs, but {connectionFile} does not exist. " +
                "Start `prepaidpower run` (instance 1) in this folder first, or give --postgres \"<connection string>\".");
        }

        var connectionString = (await File.ReadAllTextAsync(connectionFile, cancellationToken)).Trim();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            try
            {
                await connection.OpenAsync(cancellationToken);
            }
            catch (NpgsqlException e)
            {
                throw new InvalidOperationException(
                    $"The managed PostgreSQL named in {connectionFile} does not answer ({e.Message}). Is instance 1 still running in {Path.GetDirectoryName(stateDirectory)}?", e);
            }
        }

        var parsed = new NpgsqlConnectionStringBuilder(connectionString);
        return new HostStorage(StorageMode.ManagedPostgres, connectionString, null, null, $"managed PostgreSQL 127.0.0.1:{parsed.Port} of instance 1");
    }

    public async ValueTask DisposeAsync()
    {
        if (_managed is null)
        {
            return;
        }

        if (_connectionFile is not null)
        {
            File.Delete(_connectionFile);
        }

        await _managed.StopAsync();
    }
}
