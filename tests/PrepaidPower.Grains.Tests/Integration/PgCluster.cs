// A real Orleans test cluster of the PrepaidPower grains on the real PostgreSQL: ADO.NET clustering, storage and
// reminders, the PostgreSQL ledger store (one group-commit writer per silo) and the PostgreSQL notification outbox.
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Configuration;
using Orleans.TestingHost;
using PrepaidPower.Contracts;
using PrepaidPower.Contracts.Accounts;
using PrepaidPower.Contracts.Meters;
using PrepaidPower.Contracts.Tariffs;
using PrepaidPower.Domain.Ledger;
using PrepaidPower.Notifications;
using PrepaidPower.Persistence.Ledger;
using PrepaidPower.Persistence.Orleans;

namespace PrepaidPower.Grains.Tests.Integration;

internal static class PgCluster
{
    public const string Tariff = "shanghai-residential-tou";
    private const string ConnectionKey = "PrepaidPower:TestPostgres";
    private const string SnapshotKey = "PrepaidPower:TestSnapshotEvery";
    private static readonly string LedgerKey = "ledger";

    /// <summary>
    /// Starts <paramref name="silos"/> silos on <paramref name="db"/> (real membership, no test membership; liveness tuned
    /// so that a killed silo is declared dead in seconds) and uploads the Shanghai tariff. <paramref name="settings"/>
    /// are extra configuration keys (e.g. <c>Notifications:Sms:Url</c>).
    /// </summary>
    public static async Task<TestCluster> StartAsync(
        string db, short silos, string clusterId, int snapshotEvery = 4, IReadOnlyDictionary<string, string>? settings = null)
    {
        var builder = new TestClusterBuilder(silos);
        builder.Options.UseTestClusterMembership = false;
        builder.Options.ServiceId = "prepaidpower-it";
        builder.Options.ClusterId = clusterId;
        // Caps per pool: two or three silos, their ledger stores and outboxes share one test server (max_connections 100).
        builder.Properties[ConnectionKey] = WithPoolSize(db, 25);
        builder.Properties[SnapshotKey] = snapshotEvery.ToString(CultureInfo.InvariantCulture);
        builder.Properties["Notifications:Outbox:ConnectionString"] = WithPoolSize(db, 4);
        builder.Properties["Notifications:Outbox:EnsureSchema"] = "false";
        builder.Properties["Notifications:Outbox:PollInterval"] = "00:00:00.100";
        builder.Properties["Notifications:Outbox:RetryInitialDelay"] = "00:00:00.500";
        builder.Properties["Notifications:LogChannel"] = "true";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.Properties[key] = value;
        }
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        var json = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "tariffs", Tariff + ".json"));
        await RetryAsync(async () =>
        {
            var tariff = cluster.Client.GetGrain<ITariffGrain>(Tariff);
            try
            {
                await tariff.CreateAsync(json, "op-test");
            }
            catch (Contracts.Errors.ConflictException)
            {
                // Uploaded by an earlier cluster on the same database.
            }
        }, "the tariff upload");
        return cluster;
    }

    public static async Task StopAsync(TestCluster? cluster)
    {
        if (cluster is not null)
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
        // The ADO.NET providers' pools are process-wide and keep idle connections for minutes; the next class's cluster
        // (another database on the same server) needs those connection slots.
        NpgsqlConnection.ClearAllPools();
    }

    private static string WithPoolSize(string db, int max) => new NpgsqlConnectionStringBuilder(db) { MaxPoolSize = max }.ConnectionString;

    /// <summary>Calls <paramref name="call"/> until it succeeds; only cluster-transport failures are retried.</summary>
    public static async Task<T> RetryAsync<T>(Func<Task<T>> call, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(90));
        var delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (IsTransient(e) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(delay);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 1_000));
            }
        }
    }

    public static Task RetryAsync(Func<Task> call, string what, TimeSpan? within = null) =>
        RetryAsync(async () => { await call(); return true; }, what, within);

    /// <summary>
    /// A failure whose outcome is unknown or that a retry can get past: the silo died or was unreachable, the call timed
    /// out, or the grain's write failed so it deactivated (a stale writer after a failover). Never a business rejection.
    /// </summary>
    public static bool IsTransient(Exception e) => e is TimeoutException or SiloUnavailableException or OrleansMessageRejectionException
        or OrleansException or Orleans.Runtime.Messaging.ConnectionFailedException or LedgerSequenceConflictException or Orleans.Storage.InconsistentStateException
        or NpgsqlException or OperationCanceledException or ObjectDisposedException
        || (e is AggregateException a && a.InnerExceptions.All(IsTransient))
        || (e is InvalidOperationException && e.InnerException is not null && IsTransient(e.InnerException));

    /// <summary>Polls until <paramref name="condition"/> holds; fails naming <paramref name="what"/> after the deadline.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? within = null)
    {
        var timeout = within ?? TimeSpan.FromSeconds(60);
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out after {timeout.TotalSeconds:0} s waiting until {what}.");
            await Task.Delay(50);
        }
    }

    /// <summary>An account's ledger rows straight from the table (not through the ledger store), in sequence order.</summary>
    public static async Task<IReadOnlyList<LedgerEntry>> LedgerRowsAsync(string db, string accountId)
    {
        var all = await AllLedgerRowsAsync(db, accountId);
        return all.TryGetValue(accountId, out var rows) ? rows : [];
    }

    /// <summary>Every account's ledger rows (or one account's), read in one snapshot, grouped by account in sequence order.</summary>
    public static async Task<IReadOnlyDictionary<string, List<LedgerEntry>>> AllLedgerRowsAsync(string db, string? accountId = null)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select account_id, seq, kind, amount_minor, currency, balance_after_minor, occurred_at, external_id, request_hash, meter_id, register_from_wh, register_to_wh " +
            "from ledger where @a::text is null or account_id = @a order by account_id, seq", connection);
        command.Parameters.AddWithValue("a", (object?)accountId ?? DBNull.Value);
        var result = new Dictionary<string, List<LedgerEntry>>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var entry = new LedgerEntry(
                reader.GetString(0), reader.GetInt64(1), (LedgerEntryKind)reader.GetInt16(2), reader.GetInt64(3), reader.GetString(4).Trim(),
                reader.GetInt64(5), reader.GetFieldValue<DateTimeOffset>(6),
                ExternalId: reader.IsDBNull(7) ? null : reader.GetString(7),
                RequestHash: reader.IsDBNull(8) ? null : reader.GetString(8),
                MeterId: reader.IsDBNull(9) ? null : reader.GetString(9),
                RegisterFromWh: reader.IsDBNull(10) ? null : reader.GetInt64(10),
                RegisterToWh: reader.IsDBNull(11) ? null : reader.GetInt64(11));
            if (!result.TryGetValue(entry.AccountId, out var list))
            {
                result[entry.AccountId] = list = [];
            }
            list.Add(entry);
        }
        return result;
    }

    public static async Task<long> ScalarAsync(string db, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    public static OpenAccountRequest OpenRequest(ContactDetails? contact = null, CreditPolicySpec? policy = null) => new()
    {
        Currency = "CNY",
        TariffId = Tariff,
        TimeZone = "Asia/Shanghai",
        HouseholdSize = 3,
        CreditPolicy = policy,
        Contact = contact,
        OperatorId = "op-it",
    };

    public static RegisterMeterRequest MeterRequest() => new()
    {
        Model = "Acrel DTSD1352",
        MaxPowerKilowatts = 50m,
        ConcentratorAddress = "127.0.0.1:502/7",
        OperatorId = "op-it",
    };

    public static PaymentRequest TopUp(string id, long minor, DateTimeOffset receivedAt) => new()
    {
        Id = id,
        Amount = new MoneyAmount(minor, "CNY"),
        Channel = "wechat",
        ReceivedAt = receivedAt,
    };

    public static ReadingReport Reading(DateTimeOffset at, long totalWh) => new() { MeterTime = at, ReceivedAt = at, TotalWh = totalWh };

    /// <summary>Opens an account with a meter attached and read once at <paramref name="startWh"/> (billing starts there).</summary>
    public static async Task OpenWithMeterAsync(IClusterClient client, string accountId, string meterId, long startWh, ContactDetails? contact = null, CreditPolicySpec? policy = null)
    {
        await RetryAsync(() => client.GetGrain<IAccountGrain>(accountId).OpenAsync(OpenRequest(contact, policy)), "open " + accountId);
        var meter = client.GetGrain<IMeterGrain>(meterId);
        await RetryAsync(() => meter.RegisterAsync(MeterRequest()), "register " + meterId);
        await RetryAsync(() => meter.AttachAsync(new AttachMeterRequest { AccountId = accountId, OperatorId = "op-it" }), "attach " + meterId);
        var at = DateTimeOffset.UtcNow;
        await RetryAsync(() => meter.ReportReadingAsync(Reading(at, startWh)), "first reading of " + meterId);
    }

    public sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var config = siloBuilder.Configuration;
            var db = config[ConnectionKey]!;
            var snapshotEvery = int.Parse(config[SnapshotKey]!, CultureInfo.InvariantCulture);
            siloBuilder
                .UsePrepaidPowerPostgres(db)
                .AddMemoryGrainStorage("PubSubStore")
                .AddMemoryStreams(AccountEventStream.ProviderName)
                .AddPrepaidPowerGrains(o =>
                {
                    o.SnapshotEveryEntries = snapshotEvery;
                    // Killed silos write nothing on the way out; stopping ones neither, so every reactivation replays a tail.
                    o.SnapshotOnDeactivate = false;
                });
            siloBuilder.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
                o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(2);
            });
            siloBuilder.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10));

            // One ledger store per silo: its single writer group-commits the appends of every grain in this silo.
            siloBuilder.Services.AddKeyedSingleton(LedgerKey, (_, _) => NpgsqlDataSource.Create(WithPoolSize(db, 10)));
            siloBuilder.Services.AddSingleton(sp => new PostgresLedgerStore(
                sp.GetRequiredKeyedService<NpgsqlDataSource>(LedgerKey),
                new PostgresLedgerStoreOptions(),
                sp.GetRequiredService<ILogger<PostgresLedgerStore>>()));
            siloBuilder.Services.AddSingleton<ILedgerStore>(sp => sp.GetRequiredService<PostgresLedgerStore>());
            siloBuilder.Services.AddPrepaidPowerNotifications(config.GetSection(NotificationOptions.SectionName));
        }
    }

    public sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder)
        {
            clientBuilder
                .UsePrepaidPowerPostgresClustering(configuration[ConnectionKey]!)
                .AddMemoryStreams(AccountEventStream.ProviderName);
            clientBuilder.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10));
            clientBuilder.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(1));
        }
    }
}
