using Npgsql;
using PrepaidPower.Persistence.Schema;
using PrepaidPower.Tests.Shared;

namespace PrepaidPower.Persistence.Tests.Schema;

[Trait("Category", "Integration")]
[Collection(PostgresCollection.Name)]
public sealed class SchemaMigratorTests(PostgresFixture postgres)
{
    private static readonly IReadOnlyList<SchemaScript> Embedded = SchemaScripts.Embedded();

    [Fact]
    public async Task ApplyAsync_EmptyDatabase_AppliesEveryFileInOrderAndRecordsIt()
    {
        var db = await postgres.CreateDatabaseAsync();

        var result = await SchemaMigrator.ApplyAsync(db);

        Assert.Equal(Embedded.Select(s => s.Name), result.Applied);
        Assert.Empty(result.AlreadyApplied);
        var rows = await ReadMigrationsAsync(db);
        Assert.Equal(Embedded.Select(s => (s.Version, s.Name, s.Checksum)), rows.Select(r => (r.Version, r.Name, r.Checksum)));
        foreach (var table in new[] { "orleansquery", "orleans_membership_version", "orleans_membership", "orleans_storage", "orleans_reminders", "grain_state" })
        {
            Assert.Equal(1L, await ScalarAsync(db, $"select count(*) from pg_tables where schemaname = 'public' and tablename = '{table}'"));
        }
    }

    [Fact]
    public async Task ApplyAsync_SecondRun_ChangesNothing()
    {
        var db = await postgres.CreateDatabaseAsync();
        await SchemaMigrator.ApplyAsync(db);
        var before = await ReadMigrationsAsync(db);

        var again = await SchemaMigrator.ApplyAsync(db);

        Assert.Empty(again.Applied);
        Assert.Equal(Embedded.Select(s => s.Name), again.AlreadyApplied);
        Assert.Equal(before, await ReadMigrationsAsync(db));
    }

    [Fact]
    public async Task ApplyAsync_FourMigratorsAtOnce_ApplyEachFileExactlyOnce()
    {
        var db = await postgres.CreateDatabaseAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => SchemaMigrator.ApplyAsync(db))));

        // Whoever got the lock first applied everything; the others found it done.
        Assert.Equal(Embedded.Select(s => s.Name).Order(), results.SelectMany(r => r.Applied).Order());
        Assert.Equal(3, results.Count(r => r.Applied.Count == 0));
        Assert.Equal(Embedded.Count, (await ReadMigrationsAsync(db)).Count);
    }

    [Fact]
    public async Task ApplyAsync_Upgrade_AppliesOnlyTheNewFiles()
    {
        var db = await postgres.CreateDatabaseAsync();
        await SchemaMigrator.ApplyAsync(db, Embedded.Take(2));
        var old = await ReadMigrationsAsync(db);

        var upgrade = await SchemaMigrator.ApplyAsync(db);

        Assert.Equal(Embedded.Skip(2).Select(s => s.Name), upgrade.Applied);
        Assert.Equal(Embedded.Take(2).Select(s => s.Name), upgrade.AlreadyApplied);
        var now = await ReadMigrationsAsync(db);
        Assert.Equal(old, now.Take(2));
        Assert.Equal(Embedded.Count, now.Count);
    }

    [Fact]
    public async Task ApplyAsync_AppliedFileChanged_IsRejectedNamingTheFileAndAppliesNothingNew()
    {
        var db = await postgres.CreateDatabaseAsync();
        await SchemaMigrator.ApplyAsync(db, [SchemaScript.Create("0001-first.sql", "create table first_table(v int);")]);

        var ex = await Assert.ThrowsAsync<SchemaMigrationException>(() => SchemaMigrator.ApplyAsync(db,
        [
            SchemaScript.Create("0001-first.sql", "create table first_table(v bigint);"),
            SchemaScript.Create("0002-second.sql", "create table second_table(v int);"),
        ]));

        Assert.Contains("'0001-first.sql'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("has changed since it was applied", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await ScalarAsync(db, "select count(*) from pg_tables where tablename = 'second_table'"));
        Assert.Equal([1], (await ReadMigrationsAsync(db)).Select(r => r.Version));
    }

    [Fact]
    public async Task ApplyAsync_FailingFile_RollsItBackAndStopsThere()
    {
        var db = await postgres.CreateDatabaseAsync();

        var ex = await Assert.ThrowsAsync<SchemaMigrationException>(() => SchemaMigrator.ApplyAsync(db,
        [
            SchemaScript.Create("0001-good.sql", "create table good_table(v int);"),
            SchemaScript.Create("0002-bad.sql", "create table half_table(v int);\ninsert into no_such_table values (1);"),
            SchemaScript.Create("0003-later.sql", "create table later_table(v int);"),
        ]));

        Assert.Contains("'0002-bad.sql'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("42P01", ex.Message, StringComparison.Ordinal);
        Assert.Equal([1], (await ReadMigrationsAsync(db)).Select(r => r.Version));
        Assert.Equal(0L, await ScalarAsync(db, "select count(*) from pg_tables where tablename in ('half_table', 'later_table')"));
        // The lock was released: a fixed file goes through.
        var fixedRun = await SchemaMigrator.ApplyAsync(db,
        [
            SchemaScript.Create("0001-good.sql", "create table good_table(v int);"),
            SchemaScript.Create("0002-bad.sql", "create table half_table(v int);"),
        ]);
        Assert.Equal(["0002-bad.sql"], fixedRun.Applied);
    }

    [Fact]
    public async Task ApplyAsync_DatabaseFromANewerBuild_ReportsUnknownVersionsAndCarriesOn()
    {
        var db = await postgres.CreateDatabaseAsync();
        await SchemaMigrator.ApplyAsync(db, [.. Embedded, SchemaScript.Create("9000-future.sql", "create table future_table(v int);")]);

        var result = await SchemaMigrator.ApplyAsync(db);

        Assert.Empty(result.Applied);
        Assert.Equal([9000], result.UnknownVersions);
    }

    private static async Task<List<(int Version, string Name, string Checksum, DateTime AppliedAt)>> ReadMigrationsAsync(string db)
    {
        var rows = new List<(int, string, string, DateTime)>();
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select version, name, checksum, applied_at from schema_migrations order by version", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.GetDateTime(3)));
        }

        return rows;
    }

    private static async Task<object?> ScalarAsync(string db, string sql)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
