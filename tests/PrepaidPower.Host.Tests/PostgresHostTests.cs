using System.Net;
using PrepaidPower.Host.Hosting;
using PrepaidPower.Tests.Shared;

namespace PrepaidPower.Host.Tests;

/// <summary>The host on the real PostgreSQL (ADO.NET clustering, storage, reminders, the ledger): data survives a restart.</summary>
[Collection(PostgresCollection.Name)]
[Trait("Category", "Integration")]
public sealed class PostgresHostTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Host_RestartedOnTheSameDatabase_KeepsBalanceAndLedger()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        var workingDirectory = Directory.CreateTempSubdirectory("pp-host-pg-").FullName;
        try
        {
            Scenario.Summary summary;
            string balanceBefore;
            await using (var first = await StartAsync(connectionString, workingDirectory))
            {
                using var operatorClient = Client(first, InMemoryHostFixture.OperatorKey);
                using var cashier = Client(first, InMemoryHostFixture.CashierKey);
                summary = await Scenario.RunAsync(operatorClient, cashier);
                balanceBefore = (await (await operatorClient.GetAsync($"/accounts/{summary.AccountId}/balance")).JsonAsync(HttpStatusCode.OK)).GetRawText();
                Assert.Equal(StorageMode.ExternalPostgres, first.Storage);
            }

            await using var second = await StartAsync(connectionString, workingDirectory);
            using var client = Client(second, InMemoryHostFixture.ViewerKey);
            var balanceAfter = await (await client.GetAsync($"/accounts/{summary.AccountId}/balance")).JsonAsync(HttpStatusCode.OK);
            var ledgerAfter = await (await client.GetAsync($"/accounts/{summary.AccountId}/ledger?limit=100")).JsonAsync(HttpStatusCode.OK);
            var meterAfter = await (await client.GetAsync($"/meters/{summary.MeterId}")).JsonAsync(HttpStatusCode.OK);

            Assert.Equal(balanceBefore, balanceAfter.GetRawText());
            Assert.Equal(
                string.Join("\n", summary.Ledger.Select(e => e.GetRawText())),
                string.Join("\n", ledgerAfter.GetProperty("entries").EnumerateArray().Select(e => e.GetRawText())));
            Assert.Equal(summary.AccountId, meterAfter.GetProperty("accountId").GetString());
            Assert.Empty(second.SeededTariffs);
        }
        finally
        {
            Directory.Delete(workingDirectory, recursive: true);
        }
    }

    private static Task<PrepaidPowerRunningHost> StartAsync(string connectionString, string workingDirectory) =>
        PrepaidPowerHost.StartAsync(new PrepaidPowerHostOptions
        {
            Storage = StorageMode.ExternalPostgres,
            PostgresConnectionString = connectionString,
            WorkingDirectory = workingDirectory,
            HttpPort = 0,
            SiloPort = 0,
            GatewayPort = 0,
            ClusterId = "host-pg-tests",
            Configuration = InMemoryHostFixture.KeyConfiguration(),
        });

    private static HttpClient Client(PrepaidPowerRunningHost host, string key)
    {
        var client = new HttpClient { BaseAddress = host.BaseAddress };
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }
}
