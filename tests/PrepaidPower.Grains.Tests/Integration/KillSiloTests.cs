using System.Collections.Concurrent;
using Orleans.TestingHost;
using PrepaidPower.Contracts.Accounts;
using PrepaidPower.Contracts.Meters;
using PrepaidPower.Domain.Ledger;
using PrepaidPower.Tests.Shared;
using static PrepaidPower.Grains.Tests.Integration.PgCluster;

namespace PrepaidPower.Grains.Tests.Integration;

/// <summary>
/// Reliability test T2 (docs/testing: kill-silo-mid-load) on the real PostgreSQL: top-ups and readings flow from many
/// callers into a three-silo cluster, one silo is killed in the middle, callers retry what failed (the same payment id and
/// body; the same reading), and afterwards the database is the judge.
/// </summary>
[Trait("Category", "Integration")]
[Collection(PostgresCollection.Name)]
public sealed class KillSiloTests(PostgresFixture postgres, Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Accounts = 200;
    private const int Workers = 20;
    private const int OperationsPerWorker = 120;
    private const long StartWh = 7_000_000;
    private const long InitialTopUpMinor = 500_00;

    [Fact]
    public async Task KillSilo_WhileTopUpsAndReadingsFlow_EveryBalanceEqualsItsLedgerAndNothingIsLostOrDoubled()
    {
        var db = await postgres.CreateDatabaseAsync();
        TestCluster? cluster = null;
        try
        {
            cluster = await StartAsync(db, 3, "kill-" + Guid.NewGuid().ToString("N")[..8]);
            var client = cluster.Client;
            var accounts = Enumerable.Range(0, Accounts).Select(i => $"k-acc-{i:D3}").ToArray();
            var meters = Enumerable.Range(0, Accounts).Select(i => $"k-met-{i:D3}").ToArray();
            var acknowledged = new ConcurrentDictionary<string, (string Account, long Minor)>(StringComparer.Ordinal);
            // Ground truth per meter: the register of the last reading the cluster acknowledged.
            var delivered = new long[Accounts];

            await Parallel.ForAsync(0, Accounts, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
            {
                await OpenWithMeterAsync(client, accounts[i], meters[i], StartWh);
                delivered[i] = StartWh;
                var id = $"k-pay-init-{i}";
                var request = TopUp(id, InitialTopUpMinor, DateTimeOffset.UtcNow);
                await RetryAsync(() => client.GetGrain<IAccountGrain>(accounts[i]).TopUpAsync(request), id);
                acknowledged[id] = (accounts[i], InitialTopUpMinor);
            });

            var done = 0;
            var killAt = Workers * OperationsPerWorker / 3;
            var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var victim = cluster.Silos[1];
            var doneAtKill = -1;
            var killer = Task.Run(async () =>
            {
                await UntilAsync(() => Task.FromResult(Volatile.Read(ref done) >= killAt), "a third of the operations are done", TimeSpan.FromSeconds(120));
                await cluster.KillSiloAsync(victim);
                doneAtKill = Volatile.Read(ref done);
                killed.SetResult();
            });
            var failures = 0;

            // Each worker owns the meters i ≡ w (mod Workers), so a meter's readings are in order; top-ups go anywhere.
            await Task.WhenAll(Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
            {
                var random = new Random(w);
                for (var n = 0; n < OperationsPerWorker; n++)
                {
                    if (random.Next(10) < 4)
                    {
                        var i = random.Next(Accounts);
                        var id = $"k-pay-{w}-{n}";
                        var minor = 1 + random.Next(20_000);
                        var request = TopUp(id, minor, DateTimeOffset.UtcNow);
                        var account = client.GetGrain<IAccountGrain>(accounts[i]);
                        await RetryAsync(async () =>
                        {
                            try
                            {
                                return await account.TopUpAsync(request);
                            }
                            catch (Exception e) when (IsTransient(e))
                            {
                                Interlocked.Increment(ref failures);
                                throw;
                            }
                        }, id);
                        acknowledged[id] = (accounts[i], minor);
                    }
                    else
                    {
                        var i = w + (Workers * random.Next(Accounts / Workers));
                        var next = delivered[i] + 10 + random.Next(1_500);
                        var reading = Reading(DateTimeOffset.UtcNow, next);
                        var meter = client.GetGrain<IMeterGrain>(meters[i]);
                        var result = await RetryAsync(async () =>
                        {
                            try
                            {
                                return await meter.ReportReadingAsync(reading);
                            }
                            catch (Exception e) when (IsTransient(e))
                            {
                                Interlocked.Increment(ref failures);
                                throw;
                            }
                        }, $"reading {next} of {meters[i]}");
                        Assert.True(result.Outcome is "Accepted" or "Duplicate", $"{meters[i]} reading {next}: {result.Outcome} {result.HoldReason} {result.Flags}");
                        delivered[i] = next;
                    }
                    Interlocked.Increment(ref done);
                }
            })));
            await killer;
            Assert.True(killed.Task.IsCompleted);
            output.WriteLine($"killed {victim.SiloAddress} after {doneAtKill} of {Workers * OperationsPerWorker} operations; {failures} calls failed and were retried; {acknowledged.Count} top-ups acknowledged");
            // The kill happened mid-flow and was felt: calls failed and were retried.
            Assert.InRange(doneAtKill, killAt, (Workers * OperationsPerWorker) - 1);
            Assert.True(failures > 0, "no call failed: the kill did not hit the traffic");
            Assert.Equal(2, cluster.GetActiveSilos().Count());

            // The judge: the ledger table read in one snapshot.
            var ledgers = await AllLedgerRowsAsync(db);
            Assert.Equal(Accounts, ledgers.Count);
            for (var i = 0; i < Accounts; i++)
            {
                var rows = ledgers[accounts[i]];
                var balance = await RetryAsync(() => client.GetGrain<IAccountGrain>(accounts[i]).GetBalanceAsync(), "balance of " + accounts[i]);
                Assert.Equal(Enumerable.Range(1, rows.Count).Select(s => (long)s), rows.Select(r => r.Sequence));
                Assert.Equal(LedgerReplay.Balance(rows), balance.Balance.Minor);
                Assert.Equal(rows[^1].Sequence, balance.LastLedgerSequence);
                var billed = rows.Where(r => r.Kind == LedgerEntryKind.Usage).Sum(r => r.RegisterToWh!.Value - r.RegisterFromWh!.Value);
                Assert.Equal(delivered[i] - StartWh, billed);
                Assert.Equal(delivered[i] - StartWh, balance.BilledEnergyWh);
                Assert.Equal(delivered[i], LedgerReplay.BilledUpTo(rows).GetValueOrDefault(meters[i], StartWh));
            }

            var external = ledgers.Values.SelectMany(r => r).Where(r => r.ExternalId is not null).ToList();
            Assert.Equal(acknowledged.Count, external.Count);
            foreach (var row in external)
            {
                Assert.True(acknowledged.TryGetValue(row.ExternalId!, out var ack), $"{row.ExternalId} is in the ledger but was never acknowledged");
                Assert.Equal((ack.Account, ack.Minor), (row.AccountId, row.AmountMinor));
            }
            Assert.Equal(acknowledged.Count, external.Select(r => r.ExternalId).Distinct().Count());
        }
        finally
        {
            await StopAsync(cluster);
        }
    }
}
