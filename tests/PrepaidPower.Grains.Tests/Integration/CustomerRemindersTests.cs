using PrepaidPower.Tests.Shared.Notifications;
using System.Text.Json;
using Orleans.TestingHost;
using PrepaidPower.Contracts;
using PrepaidPower.Contracts.Accounts;
using PrepaidPower.Contracts.Meters;
using PrepaidPower.Tests.Shared;
using static PrepaidPower.Grains.Tests.Integration.PgCluster;

namespace PrepaidPower.Grains.Tests.Integration;

/// <summary>
/// Reminders to customers end to end: account grain → account event stream → notifier grain → PostgreSQL outbox →
/// dispatcher (in the silos) → a real Kestrel SMS gateway on loopback (HMAC checked) and a real SMTP server.
/// </summary>
[Trait("Category", "Integration")]
[Collection(PostgresCollection.Name)]
public sealed class CustomerRemindersTests(PostgresFixture postgres) : IAsyncLifetime
{
    private const string Secret = "integration-test-secret-0123456789";
    private WebhookReceiver _sms = null!;
    private LocalSmtpServer _smtp = null!;

    public async Task InitializeAsync()
    {
        _sms = await WebhookReceiver.StartAsync(Secret);
        _smtp = await LocalSmtpServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _sms.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    [Fact]
    public async Task BalanceBelowAlarm_ChineseCustomer_GetsOneSmsAndOneEmailInChineseEvenWhenTheEventIsRedelivered()
    {
        var db = await postgres.CreateDatabaseAsync();
        TestCluster? cluster = null;
        try
        {
            cluster = await StartAsync(db, 2, "remind-" + Guid.NewGuid().ToString("N")[..8], settings: new Dictionary<string, string>
            {
                ["Notifications:Sms:Url"] = _sms.Url.ToString(),
                ["Notifications:Sms:Secret"] = Secret,
                ["Notifications:Sms:InitialDelay"] = "00:00:00.100",
                ["Notifications:Smtp:Host"] = "127.0.0.1",
                ["Notifications:Smtp:Port"] = _smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Notifications:Smtp:Security"] = "None",
                ["Notifications:Smtp:From"] = "notices@power.example.cn",
                ["Notifications:Smtp:MessageIdDomain"] = "power.example.cn",
            });
            var client = cluster.Client;
            var id = Guid.NewGuid().ToString("N")[..10];
            var (accountId, meterId) = ("n-acc-" + id, "n-met-" + id);
            var account = client.GetGrain<IAccountGrain>(accountId);
            var meter = client.GetGrain<IMeterGrain>(meterId);
            await account.OpenAsync(OpenRequest(new ContactDetails { Phone = "+8613800138000", Email = "kehu@example.cn", Language = "zh-CN" }));
            await meter.RegisterAsync(MeterRequest());
            await meter.AttachAsync(new AttachMeterRequest { AccountId = accountId, OperatorId = "op-it" });
            await account.TopUpAsync(TopUp("n-pay-" + id, 25_00, DateTimeOffset.UtcNow));
            var t0 = DateTimeOffset.UtcNow.AddHours(-2);
            await meter.ReportReadingAsync(Reading(t0, 7_000_000));

            // 20 kWh at 0.307–0.617 元/kWh takes 25.00 below the first alarm level (20.00) but not below the second (5.00).
            var billed = await meter.ReportReadingAsync(Reading(t0.AddHours(1), 7_020_000));
            Assert.Equal(20_000, billed.BilledWh);
            var low = Assert.Single(await account.GetRecentEventsAsync(32), e => e.Code == "LOW_CREDIT_1");
            var key = $"{accountId}:LOW_CREDIT_1:{low.EventNumber}";
            var balance = low.Balance!.Value.Amount;

            await UntilAsync(() => Task.FromResult(_sms.Accepted.ContainsKey(key + ":sms") && _smtp.Messages.Count >= 1), "the SMS and the e-mail arrive", TimeSpan.FromSeconds(30));

            var sms = Assert.Single(_sms.Requests, r => r.IdempotencyKey == key + ":sms");
            Assert.True(sms.SignatureValid);
            using (var body = JsonDocument.Parse(sms.Body))
            {
                var json = body.RootElement;
                Assert.Equal("sms", json.GetProperty("channel").GetString());
                Assert.Equal("+8613800138000", json.GetProperty("to").GetString());
                Assert.Equal("zh", json.GetProperty("language").GetString());
                Assert.Equal(key, json.GetProperty("dedupKey").GetString());
                Assert.Equal($"【PrepaidPower】您的电费余额为 {balance} 元，已低于提醒金额，请及时充值。", json.GetProperty("text").GetString());
            }
            // The raw body carries the Chinese text unescaped (UTF-8), as the gateway contract says.
            Assert.Contains("您的电费余额为", sms.BodyText, StringComparison.Ordinal);
            var (mail, envelopeTo) = Assert.Single(_smtp.Messages);
            Assert.Equal(["kehu@example.cn"], envelopeTo);
            Assert.Equal("电费余额不足提醒", mail.Subject);
            Assert.Contains($"您的电费账户 {accountId} 余额为 {balance} 元，已低于第一提醒金额。", mail.TextBody, StringComparison.Ordinal);
            Assert.Equal(key + ":email", mail.Headers["X-PrepaidPower-Delivery-Id"]);

            // The stream delivers at least once: the same event again, then a real later event to know it was consumed.
            var stream = client.GetStreamProvider(AccountEventStream.ProviderName)
                .GetStream<AccountEvent>(StreamId.Create(AccountEventStream.Namespace, accountId));
            await stream.OnNextAsync(low);
            var now = await account.GetBalanceAsync();
            await account.AdjustAsync(new PaymentRequest
            {
                Id = "n-adj-" + id,
                Amount = new MoneyAmount(-(now.Balance.Minor - 3_00), "CNY"),
                Channel = "correction",
                Reason = "test: down to 3.00",
                OperatorId = "op-it",
            });
            var second = Assert.Single(await account.GetRecentEventsAsync(32), e => e.Code == "LOW_CREDIT_2");
            var secondKey = $"{accountId}:LOW_CREDIT_2:{second.EventNumber}";
            await UntilAsync(() => Task.FromResult(_sms.Accepted.ContainsKey(secondKey + ":sms")), "the second reminder's SMS arrives", TimeSpan.FromSeconds(30));
            await UntilAsync(async () => await ScalarAsync(db, "select count(*) from notification_outbox where status <> 'delivered'") == 0, "the outbox is drained", TimeSpan.FromSeconds(30));

            Assert.Single(_sms.Requests, r => r.IdempotencyKey == key + ":sms");
            Assert.Single(_smtp.Messages, m => m.Message.Headers["X-PrepaidPower-Delivery-Id"] == key + ":email");
            Assert.Equal(3, await ScalarAsync(db, "select count(*) from notification_outbox where dedup_key = @k", ("k", key)));
            Assert.Equal(
                ["email", "log", "sms"],
                (await OutboxChannelsAsync(db, key)).Order(StringComparer.Ordinal).ToArray());
            Assert.Contains(_sms.Requests, r => r.IdempotencyKey == secondKey + ":sms" && r.BodyText.Contains("3.00 元", StringComparison.Ordinal));
        }
        finally
        {
            await StopAsync(cluster);
        }
    }

    private static async Task<List<string>> OutboxChannelsAsync(string db, string key)
    {
        await using var connection = new Npgsql.NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("select channel from notification_outbox where dedup_key = @k and status = 'delivered'", connection);
        command.Parameters.AddWithValue("k", key);
        var channels = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            channels.Add(reader.GetString(0));
        }
        return channels;
    }
}
