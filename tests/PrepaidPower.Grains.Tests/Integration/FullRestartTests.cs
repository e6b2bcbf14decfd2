using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Serialization;
using Orleans.TestingHost;
using PrepaidPower.Contracts;
using PrepaidPower.Contracts.Accounts;
using PrepaidPower.Contracts.Meters;
using PrepaidPower.Domain.Ledger;
using PrepaidPower.Grains.Accounts;
using PrepaidPower.Tests.Shared;
using static PrepaidPower.Grains.Tests.Integration.PgCluster;

namespace PrepaidPower.Grains.Tests.Integration;

/// <summary>
/// Reliability test T17 (model-replay checker): the ledger in PostgreSQL, replayed through the pure domain model
/// (<see cref="LedgerReplay"/>), equals the balance every account reports after the whole cluster was stopped and a new
/// one started on the same database — state rebuilt from the Orleans storage snapshot plus the ledger tail.
/// </summary>
[Trait("Category", "Integration")]
[Collection(PostgresCollection.Name)]
public sealed class FullRestartTests(PostgresFixture postgres)
{
    private const int Accounts = 40;
    private const long StartWh = 7_000_000;

    [Fact]
    public async Task LedgerReplay_AfterFullClusterRestart_EqualsEveryPersistedBalance()
    {
        var db = await postgres.CreateDatabaseAsync();
        TestCluster? cluster = null;
        var expectedEnergy = new Dictionary<string, long>(StringComparer.Ordinal);
        try
        {
            // Snapshots every 5 entries and none on deactivation: most snapshots lag the ledger when the cluster stops.
            cluster = await StartAsync(db, 2, "restart-a", snapshotEvery: 5);
            var client = cluster.Client;
            await Parallel.ForAsync(0, Accounts, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            {
                var (accountId, meterId) = ($"r-acc-{i:D2}", $"r-met-{i:D2}");
                await OpenWithMeterAsync(client, accountId, meterId, StartWh);
                var account = client.GetGrain<IAccountGrain>(accountId);
                var meter = client.GetGrain<IMeterGrain>(meterId);
                var random = new Random(i);
                var register = StartWh;
                for (var n = 0; n < 12; n++)
                {
                    switch (random.Next(6))
                    {
                        case 0 or 1:
                            await account.TopUpAsync(TopUp($"r-pay-{i}-{n}", 1 + random.Next(30_000), DateTimeOffset.UtcNow));
                            break;
                        case 2:
                            await account.AdjustAsync(new PaymentRequest
                            {
                                Id = $"r-adj-{i}-{n}",
                                Amount = new MoneyAmount(random.Next(-500, 500) is var a && a != 0 ? a : 1, "CNY"),
                                Channel = "correction",
                                Reason = "meter misread correction",
                                OperatorId = "op-it",
                            });
                            break;
                        default:
                            register += 10 + random.Next(2_000);
                            await meter.ReportReadingAsync(Reading(DateTimeOffset.UtcNow, register));
                            break;
                    }
                }
                lock (expectedEnergy)
                {
                    expectedEnergy[accountId] = register - StartWh;
                }
            });
            await StopAsync(cluster);
            cluster = null;

            var ledgers = await AllLedgerRowsAsync(db);
            var snapshots = await SnapshotSequencesAsync(db);
            Assert.Equal(Accounts, ledgers.Count);
            Assert.Contains(ledgers, l => snapshots[l.Key] < l.Value[^1].Sequence);

            cluster = await StartAsync(db, 2, "restart-b", snapshotEvery: 5);
            foreach (var (accountId, rows) in ledgers)
            {
                var balance = await cluster.Client.GetGrain<IAccountGrain>(accountId).GetBalanceAsync();
                Assert.Equal(LedgerReplay.Balance(rows), balance.Balance.Minor);
                Assert.Equal(rows[^1].Sequence, balance.LastLedgerSequence);
                Assert.Equal(expectedEnergy[accountId], balance.BilledEnergyWh);
                Assert.Equal(expectedEnergy[accountId], rows.Where(r => r.Kind == LedgerEntryKind.Usage).Sum(r => r.RegisterToWh!.Value - r.RegisterFromWh!.Value));
            }
            // Nothing was written by the restart itself beyond catching up: the ledger is unchanged.
            Assert.Equal(ledgers.Values.Sum(l => l.Count), (await AllLedgerRowsAsync(db)).Values.Sum(l => l.Count));
        }
        finally
        {
            await StopAsync(cluster);
        }

        // The account snapshots as stored: Orleans' binary format, decoded with the same serializer the silos use.
        async Task<Dictionary<string, long>> SnapshotSequencesAsync(string connectionString)
        {
            using var provider = new ServiceCollection().AddSerializer(s => s.AddAssembly(typeof(AccountState).Assembly)).BuildServiceProvider();
            var serializer = provider.GetRequiredService<Serializer>();
            var result = new Dictionary<string, long>(StringComparer.Ordinal);
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("select grain_key, payload from grain_state where grain_key like 'r-acc-%' and payload is not null", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                result[reader.GetString(0)] = serializer.Deserialize<AccountState>(reader.GetFieldValue<byte[]>(1))!.LastSequence;
            }
            return result;
        }
    }
}
