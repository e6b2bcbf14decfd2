using Npgsql;
using PrepaidPower.Tests.Shared;

namespace PrepaidPower.Persistence.Tests.Local;

[Trait("Category", "Integration")]
[Collection(PostgresCollection.Name)]
public sealed class PostgresFixtureTests(PostgresFixture postgres)
{
    [Fact]
    public async Task CreateDatabaseAsync_TwoDatabases_DoNotShareTables()
    {
        var a = await postgres.CreateDatabaseAsync();
        var b = await postgres.CreateDatabaseAsync();

        await Sql.ExecuteAsync(a, "create table only_in_a(v int)");

        Assert.NotEqual(new NpgsqlConnectionStringBuilder(a).Database, new NpgsqlConnectionStringBuilder(b).Database);
        Assert.Equal(1L, await Sql.ScalarAsync(a, "select count(*) from pg_tables where tablename = 'only_in_a'"));
        Assert.Equal(0L, await Sql.ScalarAsync(b, "select count(*) from pg_tables where tablename = 'only_in_a'"));
    }

    [Fact]
    public async Task CreateDatabaseAsync_ExistingName_StartsItEmpty()
    {
        var first = await postgres.CreateDatabaseAsync("fixture_reuse");
        await Sql.ExecuteAsync(first, "create table leftover(v int)");

        var second = await postgres.CreateDatabaseAsync("fixture_reuse");

        Assert.Equal("fixture_reuse", new NpgsqlConnectionStringBuilder(second).Database);
        Assert.Equal(0L, await Sql.ScalarAsync(second, "select count(*) from pg_tables where tablename = 'leftover'"));
    }

    [Fact]
    public async Task CreateDatabaseAsync_BadName_IsRejected()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => postgres.CreateDatabaseAsync("Bad-Name"));

        Assert.Equal("name", ex.ParamName);
    }

    [Fact]
    public async Task ConnectionString_SharedServer_AnswersQueries()
    {
        Assert.Equal(1, await Sql.ScalarAsync(postgres.ConnectionString, "select 1"));
        if (postgres.Server is not null)
        {
            Assert.Equal("off", await Sql.ScalarAsync(postgres.ConnectionString, "show fsync"));
        }
    }
}
