// Brings a PostgreSQL database up to the schema in deploy/postgres: each numbered file applied once, in order.
using Microsoft.Extensions.Logging;
using Npgsql;

namespace PrepaidPower.Persistence.Schema;

/// <summary>What one <see cref="SchemaMigrator"/> run did.</summary>
/// <param name="Applied">Files applied by this run, in order.</param>
/// <param name="AlreadyApplied">Files the database already had (checksums verified).</param>
/// <param name="UnknownVersions">Versions recorded in the database that this build does not ship (a newer build migrated it).</param>
public sealed record SchemaMigrationResult(
    IReadOnlyList<string> Applied,
    IReadOnlyList<string> AlreadyApplied,
    IReadOnlyList<int> UnknownVersions);

/// <summary>
/// Applies the numbered schema files (<see cref="SchemaScripts.Embedded"/>) to a database idempotently: every
/// file runs at most once, in ascending version order, each in its own transaction together with its row in
/// <c>schema_migrations(version, name, checksum, applied_at)</c>. A PostgreSQL advisory lock serialises
/// migrators, so several silos starting at once apply each file exactly once. A file that was applied and has
/// since changed is an error naming the file: applied files are never edited, a change is a new file.
/// </summary>
public static partial class SchemaMigrator
{
    /// <summary>Key of the session-level advisory lock held while migrating ("PPSCHEMA" in ASCII).</summary>
    public const long AdvisoryLockKey = 0x5050_5343_4845_4D41;

    /// <summary>Oldest server major version the schema uses features of (UNIQUE NULLS NOT DISTINCT).</summary>
    public const int MinimumServerVersion = 15;

    /// <summary>Applies the embedded schema files to the database named by <paramref name="connectionString"/>.</summary>
    /// <exception cref="SchemaMigrationException">An applied file changed, a file failed, or the server is too old.</exception>
    public static Task<SchemaMigrationResult> ApplyAsync(string connectionString, ILogger? logger = null, CancellationToken cancellationToken = default) =>
        ApplyAsync(connectionString, SchemaScripts.Embedded(), logger, cancellationToken);

    /// <summary>Applies <paramref name="scripts"/> (e.g. a subset, in tests) the same way.</summary>
    public static async Task<SchemaMigrationResult> ApplyAsync(
        string connectionString,
        IEnumerable<SchemaScript> scripts,
        ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentNullException.ThrowIfNull(scripts);
        var ordered = SchemaScripts.Ordered(scripts);

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        if (connection.PostgreSqlVersion.Major < MinimumServerVersion)
        {
            throw new SchemaMigrationException(
                $"PostgreSQL {connection.PostgreSqlVersion} at {connection.Host}:{connection.Port} is too old: the schema needs version {MinimumServerVersion} or later.");
        }

        await ExecuteAsync(connection, null, "select pg_advisory_lock(@key)", cancellationToken, ("key", AdvisoryLockKey));
        try
        {
            return await ApplyLockedAsync(connection, ordered, logger, cancellationToken);
        }
        finally
        {
            if (connection.State == System.Data.ConnectionState.Open)
            {
                // Not cancellable: the lock must go even when the caller gave up.
                await ExecuteAsync(connection, null, "select pg_advisory_unlock(@key)", CancellationToken.None, ("key", AdvisoryLockKey));
            }
        }
    }

    private static async Task<SchemaMigrationResult> ApplyLockedAsync(
        NpgsqlConnection connection,
        IReadOnlyList<SchemaScript> scripts,
        ILogger? logger,
        CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, null, """
            create table if not exists schema_migrations
            (
                version    int         not null primary key,
                name       text        not null,
                checksum   text        not null,
                applied_at timestamptz not null default now()
            )
            """, cancellationToken);

        var recorded = await ReadRecordedAsync(connection, cancellationToken);

        // Check every applied file before applying anything, so a changed file stops the run with nothing new half-done.
        var pending = new List<SchemaScript>();
        var alreadyApplied = new List<string>();
        foreach (var script in scripts)
        {
            if (!recorded.TryGetValue(script.Version, out var row))
            {
                pending.Add(script);
                continue;
            }

            if (!string.Equals(row.Checksum, script.Checksum, StringComparison.Ordinal))
            {
                throw new SchemaMigrationException(
                    $"Schema file '{script.Name}' (version {script.Version:D4}) has changed since it was applied to this database as '{row.Name}' at {row.AppliedAt:u} " +
                    $"(checksum {row.Checksum} then, {script.Checksum} now). Applied files must never be edited: restore the file and put the change in a new file with the next free number.");
            }

            alreadyApplied.Add(script.Name);
        }

        var known = scripts.Select(s => s.Version).ToHashSet();
        var unknown = recorded.Keys.Where(v => !known.Contains(v)).Order().ToList();
        if (unknown.Count > 0 && logger is not null)
        {
            LogUnknownVersions(logger, string.Join(", ", unknown.Select(v => v.ToString("D4", System.Globalization.CultureInfo.InvariantCulture))));
        }

        var applied = new List<string>();
        foreach (var script in pending)
        {
            await ApplyOneAsync(connection, script, cancellationToken);
            applied.Add(script.Name);
            if (logger is not null)
            {
                LogApplied(logger, script.Name, script.Version);
            }
        }

        if (logger is not null)
        {
            LogUpToDate(logger, applied.Count, alreadyApplied.Count);
        }

        return new SchemaMigrationResult(applied, alreadyApplied, unknown);
    }

    private static async Task ApplyOneAsync(NpgsqlConnection connection, SchemaScript script, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            // A schema change may legitimately run for minutes on a big table: no command timeout, only cancellation.
            await using (var command = new NpgsqlCommand(script.Sql, connection, transaction) { CommandTimeout = 0 })
            {
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            await ExecuteAsync(
                connection,
                transaction,
                "insert into schema_migrations (version, name, checksum) values (@version, @name, @checksum)",
                cancellationToken,
                ("version", script.Version),
                ("name", script.Name),
                ("checksum", script.Checksum));
            await transaction.CommitAsync(cancellationToken);
        }
        catch (PostgresException e)
        {
            throw new SchemaMigrationException(
                $"Schema file '{script.Name}' (version {script.Version:D4}) failed and was rolled back, nothing of it is applied: {e.SqlState} {e.MessageText}" +
                (e.Position > 0 ? $" (at character {e.Position})" : string.Empty) + ". Fix the file and start again.",
                e);
        }
    }

    private static async Task<Dictionary<int, (string Name, string Checksum, DateTimeOffset AppliedAt)>> ReadRecordedAsync(
        NpgsqlConnection connection,
        CancellationToken cancellationToken)
    {
        var recorded = new Dictionary<int, (string, string, DateTimeOffset)>();
        await using var command = new NpgsqlCommand("select version, name, checksum, applied_at from schema_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            recorded[reader.GetInt32(0)] = (reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3));
        }

        return recorded;
    }

    private static async Task ExecuteAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction? transaction,
        string sql,
        CancellationToken cancellationToken,
        params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied schema file {Name} (version {Version}).")]
    private static partial void LogApplied(ILogger logger, string name, int version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Database schema is up to date: {Applied} file(s) applied now, {Already} already applied.")]
    private static partial void LogUpToDate(ILogger logger, int applied, int already);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database has schema versions this build does not know ({Versions}); a newer build has migrated it. Carrying on.")]
    private static partial void LogUnknownVersions(ILogger logger, string versions);
}
