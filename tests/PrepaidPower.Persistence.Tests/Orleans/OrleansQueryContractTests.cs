using System.Reflection;
using Npgsql;
using PrepaidPower.Persistence.Schema;
using PrepaidPower.Tests.Shared;

namespace PrepaidPower.Persistence.Tests.Orleans;

/// <summary>
/// Every query key the Orleans 10 ADO.NET providers require is in our OrleansQuery table. Clustering and reminders
/// check their keys through the non-public properties of their DbStoredQueries class, so the required sets are
/// read from the provider assemblies themselves: an Orleans upgrade that adds a key fails here, not at start-up.
/// </summary>
[Trait("Category", "Integration")]
[Collection(PostgresCollection.Name)]
public sealed class OrleansQueryContractTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly HashSet<string> _keys = [];

    public async Task InitializeAsync()
    {
        var db = await postgres.CreateDatabaseAsync();
        await SchemaMigrator.ApplyAsync(db);
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        // The providers' own start-up query, verbatim.
        await using var command = new NpgsqlCommand("SELECT QueryKey, QueryText FROM OrleansQuery", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            Assert.False(string.IsNullOrWhiteSpace(reader.GetString(reader.GetOrdinal("QueryText"))));
            _keys.Add(reader.GetString(reader.GetOrdinal("QueryKey")));
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public void Clustering_EveryRequiredKey_IsPresent()
    {
        var required = RequiredKeys(Assembly.Load("Orleans.Clustering.AdoNet"), "Orleans.Clustering.AdoNet.Storage.DbStoredQueries");

        Assert.Equal(
            ["CleanupDefunctSiloEntriesKey", "DeleteMembershipTableEntriesKey", "GatewaysQueryKey", "InsertMembershipKey", "InsertMembershipVersionKey",
             "MembershipReadAllKey", "MembershipReadRowKey", "UpdateIAmAlivetimeKey", "UpdateMembershipKey"],
            required);
        Assert.Empty(required.Except(_keys));
        Assert.Contains("CleanupDefunctSiloEntryKey", _keys);
    }

    [Fact]
    public void Reminders_EveryRequiredKey_IsPresent()
    {
        var required = RequiredKeys(Assembly.Load("Orleans.Reminders.AdoNet"), "Orleans.Reminders.AdoNet.Storage.DbStoredQueries");

        Assert.Equal(
            ["DeleteReminderRowKey", "DeleteReminderRowsKey", "ReadRangeRows1Key", "ReadRangeRows2Key", "ReadReminderRowKey", "ReadReminderRowsKey", "UpsertReminderRowKey"],
            required);
        Assert.Empty(required.Except(_keys));
    }

    [Fact]
    public void Persistence_EveryKeyItLoads_IsPresent()
    {
        // AdoNetGrainStorage loads exactly these four by name (DeleteStorageKey only needed with DeleteStateOnClear).
        Assert.Empty(new[] { "WriteToStorageKey", "ReadFromStorageKey", "ClearStorageKey", "DeleteStorageKey" }.Except(_keys));
    }

    private static List<string> RequiredKeys(Assembly provider, string typeName)
    {
        var type = provider.GetType(typeName, throwOnError: true)!;
        return [.. type.GetProperties(BindingFlags.Instance | BindingFlags.NonPublic).Select(p => p.Name).Order(StringComparer.Ordinal)];
    }
}
