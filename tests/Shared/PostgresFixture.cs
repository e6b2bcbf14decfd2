// One throwaway PostgreSQL server per test run, shared by every test class in the "postgres" collection; each
// class asks for its own fresh database so that no two classes see each other's data.
using System.Text.RegularExpressions;
using Npgsql;
using PrepaidPower.Persistence.Local;

namespace PrepaidPower.Tests.Shared;

/// <summary>Put <c>[Collection(PostgresCollection.Name)]</c> on a test class and take a <see cref="PostgresFixture"/> in its constructor.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}

/// <summary>
/// Starts one throwaway <see cref="ManagedPostgres"/> (fsync off, data deleted at the end) for the test run, or uses
/// the server named by <c>PREPAIDPOWER_TEST_POSTGRES</c> (a connection string with the right to create databases)
/// when that is set.
/// </summary>
public sealed partial class PostgresFixture : IAsyncLifetime
{
    /// <summary>Set to a connection string to run the tests against an existing server instead.</summary>
    public const string ExistingServerVariable = "PREPAIDPOWER_TEST_POSTGRES";

    private string? _connectionString;
    private int _databases;

    /// <summary>The started server, or null when the tests use an existing one.</summary>
    public ManagedPostgres? Server { get; private set; }

    /// <summary>A connection string to the run's shared database; prefer <see cref="CreateDatabaseAsync"/> for data.</summary>
    public string ConnectionString => _connectionString ?? throw new InvalidOperationException("The PostgreSQL fixture is not initialised yet.");

    public async Task InitializeAsync()
    {
        var existing = Environment.GetEnvironmentVariable(ExistingServerVariable);
        if (!string.IsNullOrWhiteSpace(existing))
        {
            _connectionString = existing;
            return;
        }

        Server = await ManagedPostgres.StartAsync(ManagedPostgresOptions.Throwaway("tests"));
        _connectionString = Server.ConnectionString;
    }

    /// <summary>
    /// Creates an empty database — dropping any earlier one of that name — and returns a connection string to it.
    /// Without a name, a unique one is made up (<c>t1_…</c>).
    /// </summary>
    public async Task<string> CreateDatabaseAsync(string? name = null)
    {
        name ??= $"t{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}";
        if (!DatabaseName().IsMatch(name))
        {
            throw new ArgumentException($"Database name '{name}' must be 1–63 lower-case letters, digits and underscores, starting with a letter or underscore.", nameof(name));
        }

        var result = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
        // Idle pooled connections to an earlier database of this name would be dead after the drop below.
        await using (var pooled = new NpgsqlConnection(result))
        {
            NpgsqlConnection.ClearPool(pooled);
        }

        var admin = new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false };
        await using (var connection = new NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync();
            // The name is checked above, so quoting it is exact; FORCE ends sessions a previous test left open.
            await using var drop = new NpgsqlCommand($"drop database if exists \"{name}\" with (force)", connection);
            await drop.ExecuteNonQueryAsync();
            await using var create = new NpgsqlCommand($"create database \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        return result;
    }

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex DatabaseName();
}
