using PrepaidPower.Tests.Shared.Notifications;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using PrepaidPower.Notifications.Channels;
using PrepaidPower.Notifications.Outbox;
using PrepaidPower.Notifications.Templates;
using PrepaidPower.Notifications.Tests.Support;
using PrepaidPower.Tests.Shared;

namespace PrepaidPower.Notifications.Tests.Outbox;

[Trait("Category", "Integration")]
[Collection(PostgresCollection.Name)]
public sealed class PostgresNotificationOutboxTests(PostgresFixture postgres) : IAsyncLifetime
{
    private const string Secret = "outbox-webhook-secret-0123456789";
    private static readonly HashSet<ChannelKind> SmsAndPush = [ChannelKind.Sms, ChannelKind.Push];

    private readonly FakeTimeProvider _time = new(Samples.Noon);
    private readonly HttpClient _http = new();
    private string _connectionString = "";
    private NpgsqlDataSource _dataSource = null!;
    private PostgresNotificationOutbox _outbox = null!;
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _connectionString = await postgres.CreateDatabaseAsync();
        _dataSource = NpgsqlDataSource.Create(_connectionString);
        _outbox = new PostgresNotificationOutbox(_dataSource, new NotificationComposer(TemplateCatalog.Default, SmsAndPush), _time);
        await _outbox.EnsureSchemaAsync();
        _receiver = await WebhookReceiver.StartAsync(Secret);
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _dataSource.DisposeAsync();
        _http.Dispose();
    }

    [Fact]
    public async Task EnsureSchemaAsync_RunAgainConcurrently_Succeeds()
    {
        await Task.WhenAll(_outbox.EnsureSchemaAsync(), _outbox.EnsureSchemaAsync(), _outbox.EnsureSchemaAsync());

        Assert.Equal(0, (await _outbox.CountByStatusAsync())[OutboxStatus.Pending]);
    }

    [Fact]
    public async Task EnqueueAsync_SameKeyTwice_OneRowPerChannelAndOneDeliveryEach()
    {
        var request = Samples.Request("LOW_CREDIT_1", "zh", new Recipient("+8613800138000", PushToken: "push-token-1"), "ACC-1001:LOW_CREDIT_1:7");

        Assert.Equal(2, await _outbox.EnqueueAsync([request]));
        Assert.Equal(0, await _outbox.EnqueueAsync([request, request]));
        Assert.Equal(2, await Dispatcher().DrainOnceAsync());

        var rows = await _outbox.FindAsync("ACC-1001:LOW_CREDIT_1:7");
        Assert.Equal([ChannelKind.Sms, ChannelKind.Push], rows.Select(r => r.Channel));
        Assert.All(rows, r =>
        {
            Assert.Equal(OutboxStatus.Delivered, r.Status);
            Assert.Equal(1, r.Attempts);
            Assert.Equal(Samples.Noon, r.DeliveredAt);
            Assert.Null(r.LastError);
        });
        Assert.Equal("【PrepaidPower】您的电费余额为 12.50 元，已低于提醒金额，请及时充值。", rows[0].Notification.Body);
        Assert.Equal(2, _receiver.Requests.Count);
        Assert.Equal(["ACC-1001:LOW_CREDIT_1:7:push", "ACC-1001:LOW_CREDIT_1:7:sms"], _receiver.Accepted.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(0, await Dispatcher().DrainOnceAsync());
    }

    [Fact]
    public async Task EnqueueAsync_OneRequestLacksData_StoresNothing()
    {
        var data = Samples.EnglishData();
        data.Remove("kw");
        var good = Samples.Request("LOW_CREDIT_1");
        var bad = Samples.Request("LIMIT_STEP_APPLIED", data: data);

        await Assert.ThrowsAsync<TemplateException>(() => _outbox.EnqueueAsync([good, bad]));

        Assert.All((await _outbox.CountByStatusAsync()).Values, count => Assert.Equal(0, count));
    }

    [Fact]
    public async Task DrainOnceAsync_ServerErrorsThenOk_RetriesOnBackoffScheduleThenDelivers()
    {
        _receiver.Answer(500, 500);
        await _outbox.EnqueueAsync([Samples.Request(key: "K:retry")]);
        var dispatcher = Dispatcher(retryInitial: TimeSpan.FromSeconds(10));

        Assert.Equal(1, await dispatcher.DrainOnceAsync());
        var row = Assert.Single(await _outbox.FindAsync("K:retry"));
        Assert.Equal(OutboxStatus.Pending, row.Status);
        Assert.Equal(1, row.Attempts);
        Assert.Equal(Samples.Noon.AddSeconds(5), row.NextAttemptAt);
        Assert.StartsWith("HTTP 500 ", row.LastError, StringComparison.Ordinal);

        _time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.Equal(0, await dispatcher.DrainOnceAsync());
        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(1, await dispatcher.DrainOnceAsync());
        Assert.Equal(Samples.Noon.AddSeconds(5 + 10), Assert.Single(await _outbox.FindAsync("K:retry")).NextAttemptAt);

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(1, await dispatcher.DrainOnceAsync());
        row = Assert.Single(await _outbox.FindAsync("K:retry"));
        Assert.Equal(OutboxStatus.Delivered, row.Status);
        Assert.Equal(3, row.Attempts);
        Assert.Equal([500, 500, 200], _receiver.Requests.Select(r => r.Status));
        Assert.Single(_receiver.Accepted);
    }

    [Fact]
    public async Task DrainOnceAsync_AlwaysFailing_DeadAfterMaxAttempts()
    {
        _receiver.Answer(503, 503, 503, 503);
        await _outbox.EnqueueAsync([Samples.Request(key: "K:dead")]);
        var dispatcher = Dispatcher(maxAttempts: 3);

        for (var round = 0; round < 4; round++)
        {
            await dispatcher.DrainOnceAsync();
            _time.Advance(TimeSpan.FromHours(1));
        }

        var row = Assert.Single(await _outbox.FindAsync("K:dead"));
        Assert.Equal(OutboxStatus.Dead, row.Status);
        Assert.Equal(3, row.Attempts);
        Assert.StartsWith("HTTP 503 ", row.LastError, StringComparison.Ordinal);
        Assert.EndsWith("(attempt 3 of 3)", row.LastError, StringComparison.Ordinal);
        Assert.Equal(3, _receiver.Requests.Count);
        Assert.Empty(_receiver.Accepted);
    }

    [Fact]
    public async Task DrainOnceAsync_BadRequest_DeadAtOnce()
    {
        _receiver.Answer(400);
        await _outbox.EnqueueAsync([Samples.Request(key: "K:400")]);

        await Dispatcher().DrainOnceAsync();

        var row = Assert.Single(await _outbox.FindAsync("K:400"));
        Assert.Equal(OutboxStatus.Dead, row.Status);
        Assert.Equal(1, row.Attempts);
        Assert.EndsWith("unknown phone number", row.LastError, StringComparison.Ordinal);
        Assert.Single(_receiver.Requests);
    }

    [Fact]
    public async Task DrainOnceAsync_DispatcherKilledMidSend_NextDispatcherDeliversAfterLease()
    {
        await _outbox.EnqueueAsync([Samples.Request(key: "K:crash")]);
        var hanging = new HangingChannel();
        using var kill = new CancellationTokenSource();
        var first = Dispatcher(channel: hanging).DrainOnceAsync(kill.Token);
        await hanging.Entered.Task.WaitAsync(TimeSpan.FromSeconds(15));
        kill.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        var claimed = Assert.Single(await _outbox.FindAsync("K:crash"));
        Assert.Equal(OutboxStatus.Sending, claimed.Status);
        Assert.Equal(Samples.Noon.AddMinutes(1), claimed.NextAttemptAt);

        var second = Dispatcher();
        Assert.Equal(0, await second.DrainOnceAsync());
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await second.DrainOnceAsync());

        var row = Assert.Single(await _outbox.FindAsync("K:crash"));
        Assert.Equal(OutboxStatus.Delivered, row.Status);
        Assert.Equal(2, row.Attempts);
        Assert.Equal("K:crash:sms", Assert.Single(_receiver.Accepted).Key);
    }

    [Fact]
    public async Task MarkFailedAsync_ExpiredClaim_DoesNotOverwriteTheNewerOutcome()
    {
        await _outbox.EnqueueAsync([Samples.Request(key: "K:stale")]);
        var stale = Assert.Single(await _outbox.ClaimAsync(10, TimeSpan.FromSeconds(30)));
        _time.Advance(TimeSpan.FromSeconds(30));
        var fresh = Assert.Single(await _outbox.ClaimAsync(10, TimeSpan.FromSeconds(30)));

        Assert.Equal(2, fresh.Attempt);
        Assert.True(await _outbox.MarkDeliveredAsync(fresh));
        Assert.False(await _outbox.MarkFailedAsync(stale, "late failure", _time.GetUtcNow()));
        Assert.False(await _outbox.MarkDeliveredAsync(stale));

        var row = Assert.Single(await _outbox.FindAsync("K:stale"));
        Assert.Equal(OutboxStatus.Delivered, row.Status);
        Assert.Null(row.LastError);
    }

    [Fact]
    public async Task DrainOnceAsync_ClaimersDiedEveryTime_DeadWithoutSendingAgain()
    {
        await _outbox.EnqueueAsync([Samples.Request(key: "K:poison")]);
        for (var crash = 0; crash < 2; crash++)
        {
            Assert.Single(await _outbox.ClaimAsync(10, TimeSpan.FromMinutes(1)));
            _time.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal(1, await Dispatcher(maxAttempts: 2).DrainOnceAsync());

        var row = Assert.Single(await _outbox.FindAsync("K:poison"));
        Assert.Equal(OutboxStatus.Dead, row.Status);
        Assert.Equal("Claimed 2 times without finishing; giving up.", row.LastError);
        Assert.Empty(_receiver.Requests);
    }

    [Fact]
    public async Task DrainOnceAsync_TwoDispatchersAtOnce_EachRowSentOnce()
    {
        var requests = Enumerable.Range(1, 30).Select(i => Samples.Request(key: $"K:many:{i}")).ToList();
        Assert.Equal(30, await _outbox.EnqueueAsync(requests));
        var a = Dispatcher(batchSize: 4);
        var b = Dispatcher(batchSize: 4);

        async Task<int> DrainAll(NotificationDispatcher d)
        {
            var total = 0;
            for (int n; (n = await d.DrainOnceAsync()) > 0;)
            {
                total += n;
            }

            return total;
        }

        var counts = await Task.WhenAll(Task.Run(() => DrainAll(a)), Task.Run(() => DrainAll(b)));

        Assert.Equal(30, counts.Sum());
        Assert.Equal(30, _receiver.Requests.Count);
        Assert.Equal(30, _receiver.Accepted.Count);
        Assert.Equal(30, (await _outbox.CountByStatusAsync())[OutboxStatus.Delivered]);
    }

    [Fact]
    public async Task AddPrepaidPowerNotifications_FromConfiguration_HostedDispatcherDeliversEnqueuedRequests()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Notifications:Sms:Url"] = _receiver.Url.ToString(),
            ["Notifications:Sms:Secret"] = Secret,
            ["Notifications:Sms:InitialDelay"] = "00:00:00.005",
            ["Notifications:Sms:MaxDelay"] = "00:00:00.050",
            ["Notifications:LogChannel"] = "false",
            ["Notifications:Outbox:ConnectionString"] = _connectionString,
            ["Notifications:Outbox:PollInterval"] = "00:00:00.020",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddPrepaidPowerNotifications(configuration.GetSection(NotificationOptions.SectionName));
        await using var provider = services.BuildServiceProvider();

        Assert.Equal([ChannelKind.Sms], provider.GetRequiredService<NotificationChannelSet>().Channels.Select(c => c.Kind));
        var hosted = provider.GetServices<IHostedService>().ToList();
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        _receiver.Answer(500);
        var added = await provider.GetRequiredService<INotificationOutbox>().EnqueueAsync(
            [Samples.Request("TOP_UP_RECEIVED", "zh", new Recipient("+8613800138000", "not-configured@example.cn"), "K:hosted")]);
        await Eventually.TrueAsync(() => _receiver.Accepted.ContainsKey("K:hosted:sms"), "the hosted dispatcher delivers the SMS");

        foreach (var service in hosted)
        {
            await service.StopAsync(CancellationToken.None);
        }

        Assert.Equal(1, added);
        Assert.Equal([500, 200], _receiver.Requests.Select(r => r.Status));
        Assert.Contains("您已成功充值 100.00 元，当前余额 12.50 元。", _receiver.Requests[^1].BodyText, StringComparison.Ordinal);
    }

    private NotificationDispatcher Dispatcher(int maxAttempts = 5, TimeSpan? retryInitial = null, int batchSize = 50, INotificationChannel? channel = null)
    {
        var sms = channel ?? new WebhookChannel(
            ChannelKind.Sms,
            _http,
            // One HTTP attempt per send, so that every retry in these tests is the outbox's.
            new WebhookChannelOptions { Url = _receiver.Url, Secret = Secret, MaxAttempts = 1 },
            TimeProvider.System,
            new TestLogger<WebhookChannel>());
        var push = new WebhookChannel(
            ChannelKind.Push,
            _http,
            new WebhookChannelOptions { Url = _receiver.Url, Secret = Secret, MaxAttempts = 1 },
            TimeProvider.System,
            new TestLogger<WebhookChannel>());
        var options = new OutboxOptions
        {
            ConnectionString = _connectionString,
            BatchSize = batchSize,
            MaxParallelism = 2,
            Lease = TimeSpan.FromMinutes(1),
            MaxAttempts = maxAttempts,
            RetryInitialDelay = retryInitial ?? TimeSpan.FromSeconds(10),
            RetryMaxDelay = TimeSpan.FromMinutes(10),
        };
        return new NotificationDispatcher(_outbox, [sms, push], options, _time, new TestLogger<NotificationDispatcher>(), random: () => 0.0);
    }

    /// <summary>A channel that never answers, standing in for a process that dies mid-send.</summary>
    private sealed class HangingChannel : INotificationChannel
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ChannelKind Kind => ChannelKind.Sms;

        public async Task<DeliveryResult> SendAsync(OutgoingNotification notification, CancellationToken cancellationToken)
        {
            Entered.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return DeliveryResult.Delivered;
        }
    }
}
