using System.Data;
using Npgsql;
using PrepaidPower.Persistence.Schema;
using PrepaidPower.Tests.Shared;

namespace PrepaidPower.Persistence.Tests.Orleans;

/// <summary>
/// Runs the membership query texts the way the provider does (named parameters, DateTime as DbType.DateTime in
/// UTC) on a session whose time zone is not UTC, to pin the version (ETag) rules and the clean-up of dead silos.
/// </summary>
[Trait("Category", "Integration")]
[Collection(PostgresCollection.Name)]
public sealed class MembershipQueryTests(PostgresFixture postgres)
{
    private static readonly DateTime Start = new(2026, 3, 1, 8, 0, 0, 123, DateTimeKind.Utc);

    [Fact]
    public async Task MembershipWrites_StaleVersion_ChangeNothing_AndDeadSiloIsCleanedUp()
    {
        var db = await postgres.CreateDatabaseAsync();
        await SchemaMigrator.ApplyAsync(db);
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(db) { Timezone = "Asia/Shanghai" }.ConnectionString);
        await connection.OpenAsync();

        Assert.Equal(1, await RunAsync(connection, "InsertMembershipVersionKey", ("DeploymentId", "c1")));
        Assert.Equal(0, await RunAsync(connection, "InsertMembershipVersionKey", ("DeploymentId", "c1")));

        (string, object?)[] Silo(int version) =>
        [
            ("DeploymentId", "c1"), ("Address", "127.0.0.1"), ("Port", 11111), ("Generation", 7), ("SiloName", "s1"),
            ("HostName", "h1"), ("Status", 1), ("ProxyPort", 30000), ("StartTime", Start), ("IAmAliveTime", Start), ("Version", version),
        ];
        Assert.Equal(1, await RunAsync(connection, "InsertMembershipKey", Silo(0)));
        Assert.Equal(0, await RunAsync(connection, "InsertMembershipKey", Silo(0)));  // stale version
        Assert.Equal(0, await RunAsync(connection, "InsertMembershipKey", Silo(1)));  // row exists: version stays 1
        Assert.Equal(1, await ScalarAsync(connection, "select version from orleans_membership_version"));

        (string, object?)[] Update(int version, int status) =>
        [
            ("DeploymentId", "c1"), ("Address", "127.0.0.1"), ("Port", 11111), ("Generation", 7), ("Status", status),
            ("SuspectTimes", null), ("IAmAliveTime", Start.AddSeconds(5)), ("Version", version),
        ];
        Assert.Equal(0, await RunAsync(connection, "UpdateMembershipKey", Update(0, 6)));
        Assert.Equal(1, await RunAsync(connection, "UpdateMembershipKey", Update(1, 6)));
        Assert.Equal(2, await ScalarAsync(connection, "select version from orleans_membership_version"));
        Assert.Equal(Start.AddSeconds(5), await ScalarAsync(connection, "select i_am_alive_time from orleans_membership"));

        // Captured values that no longer match (a later heartbeat) keep the row; the exact ones remove it.
        (string, object?)[] Defunct(DateTime alive) =>
        [
            ("DeploymentId", "c1"), ("Address", "127.0.0.1"), ("Port", 11111), ("Generation", 7), ("SuspectTimes", null),
            ("StartTime", Start), ("IAmAliveTime", alive),
        ];
        await RunAsync(connection, "CleanupDefunctSiloEntryKey", Defunct(Start));
        Assert.Equal(1L, await ScalarAsync(connection, "select count(*) from orleans_membership"));
        await RunAsync(connection, "CleanupDefunctSiloEntryKey", Defunct(Start.AddSeconds(5)));
        Assert.Equal(0L, await ScalarAsync(connection, "select count(*) from orleans_membership"));
    }

    private static async Task<object?> RunAsync(NpgsqlConnection connection, string key, params (string Name, object? Value)[] parameters)
    {
        var text = (string)(await ScalarAsync(connection, $"select QueryText from OrleansQuery where QueryKey = '{key}'"))!;
        await using var command = new NpgsqlCommand(text, connection);
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            parameter.DbType = value switch
            {
                DateTime => DbType.DateTime,
                int => DbType.Int32,
                _ => DbType.String,
            };
            command.Parameters.Add(parameter);
        }

        var result = await command.ExecuteScalarAsync();
        return result is long l ? (int)l : result;
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
