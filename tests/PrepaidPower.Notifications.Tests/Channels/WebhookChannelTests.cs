using PrepaidPower.Tests.Shared.Notifications;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using PrepaidPower.Notifications.Channels;
using PrepaidPower.Notifications.Tests.Support;

namespace PrepaidPower.Notifications.Tests.Channels;

[Trait("Category", "Integration")]
public sealed class WebhookChannelTests : IAsyncLifetime
{
    private const string Secret = "webhook-secret-for-tests-0123456789";
    private static readonly OutgoingNotification Sms = new(
        "ACC-1001:LOW_CREDIT_1:42", ChannelKind.Sms, "+8613800138000", "",
        "【PrepaidPower】您的电费余额为 12.50 元，已低于提醒金额，请及时充值。", "ACC-1001", "LOW_CREDIT_1", "zh",
        new DateTimeOffset(2026, 3, 2, 4, 0, 0, TimeSpan.Zero));

    private readonly HttpClient _http = new();
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync(Secret);

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task SendAsync_ReceiverAccepts_PostsSignedJsonOnce()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 4, 0, 5, TimeSpan.Zero));
        var channel = Channel(ChannelKind.Sms, time: time);

        var result = await channel.SendAsync(Sms, CancellationToken.None);

        Assert.Equal(DeliveryResult.Delivered, result);
        var request = Assert.Single(_receiver.Requests);
        Assert.True(request.SignatureValid);
        Assert.Equal("ACC-1001:LOW_CREDIT_1:42:sms", request.IdempotencyKey);
        Assert.Equal("1772424005", request.Timestamp);
        // Chinese travels as UTF-8, not \uXXXX escapes, so gateways that log or forward the raw body stay readable.
        Assert.Contains("您的电费余额为 12.50 元", request.BodyText, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(request.Body);
        var root = json.RootElement;
        Assert.Equal(
            ["id", "dedupKey", "channel", "to", "text", "accountId", "event", "language", "occurredAt"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("ACC-1001:LOW_CREDIT_1:42:sms", root.GetProperty("id").GetString());
        Assert.Equal("ACC-1001:LOW_CREDIT_1:42", root.GetProperty("dedupKey").GetString());
        Assert.Equal("sms", root.GetProperty("channel").GetString());
        Assert.Equal("+8613800138000", root.GetProperty("to").GetString());
        Assert.Equal(Sms.Body, root.GetProperty("text").GetString());
        Assert.Equal("LOW_CREDIT_1", root.GetProperty("event").GetString());
        Assert.Equal("2026-03-02T04:00:00+00:00", root.GetProperty("occurredAt").GetString());
    }

    [Fact]
    public async Task SendAsync_Push_SendsTitleAndBody()
    {
        var push = Sms with { Channel = ChannelKind.Push, To = "push-token-1", Title = "余额不足", Body = "当前余额 12.50 元，请及时充值。" };

        var result = await Channel(ChannelKind.Push).SendAsync(push, CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        using var json = JsonDocument.Parse(Assert.Single(_receiver.Requests).Body);
        Assert.Equal("push", json.RootElement.GetProperty("channel").GetString());
        Assert.Equal("余额不足", json.RootElement.GetProperty("title").GetString());
        Assert.Equal("当前余额 12.50 元，请及时充值。", json.RootElement.GetProperty("body").GetString());
        Assert.False(json.RootElement.TryGetProperty("text", out _));
    }

    [Fact]
    public async Task SendAsync_ThreeServerErrorsThenOk_RetriesAndIsAcceptedOnce()
    {
        _receiver.Answer(500, 503, 500);

        var result = await Channel(ChannelKind.Sms, maxAttempts: 5).SendAsync(Sms, CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        Assert.Equal([500, 503, 500, 200], _receiver.Requests.Select(r => r.Status));
        Assert.All(_receiver.Requests, r => Assert.True(r.SignatureValid));
        Assert.Single(_receiver.Requests.Select(r => r.IdempotencyKey).Distinct());
        Assert.Single(_receiver.Requests.Select(r => r.BodyText).Distinct());
        Assert.Equal(1, Assert.Single(_receiver.Accepted).Value);
    }

    [Fact]
    public async Task SendAsync_SentAgainAfterSuccess_ReceiverDeduplicatesByIdempotencyKey()
    {
        var channel = Channel(ChannelKind.Sms);

        await channel.SendAsync(Sms, CancellationToken.None);
        await channel.SendAsync(Sms, CancellationToken.None);

        Assert.Equal(2, _receiver.Requests.Count);
        Assert.Equal("ACC-1001:LOW_CREDIT_1:42:sms", Assert.Single(_receiver.Accepted).Key);
    }

    [Theory]
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(502)]
    public async Task SendAsync_RetryableStatusEveryTime_TransientAfterMaxAttempts(int status)
    {
        _receiver.Answer(status, status, status);

        var result = await Channel(ChannelKind.Sms, maxAttempts: 3).SendAsync(Sms, CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Transient, result.Outcome);
        Assert.StartsWith($"HTTP {status} ", result.Error, StringComparison.Ordinal);
        Assert.Equal(3, _receiver.Requests.Count);
        Assert.Empty(_receiver.Accepted);
    }

    [Fact]
    public async Task SendAsync_BadRequest_PermanentWithoutRetry()
    {
        _receiver.Answer(400);

        var result = await Channel(ChannelKind.Sms, maxAttempts: 5).SendAsync(Sms, CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Permanent, result.Outcome);
        Assert.Equal($"HTTP 400 Bad Request from {_receiver.Url}: unknown phone number", result.Error);
        Assert.Single(_receiver.Requests);
    }

    [Fact]
    public async Task SendAsync_WrongSecret_ReceiverRejectsSignatureAndFailureIsPermanent()
    {
        var result = await Channel(ChannelKind.Sms, secret: "not-the-receivers-secret-000").SendAsync(Sms, CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Permanent, result.Outcome);
        Assert.False(Assert.Single(_receiver.Requests).SignatureValid);
    }

    [Fact]
    public async Task SendAsync_NobodyListening_TransientAfterRetries()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var channel = Channel(ChannelKind.Sms, maxAttempts: 2, url: new Uri($"http://127.0.0.1:{port}/hook"));

        var result = await channel.SendAsync(Sms, CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Transient, result.Outcome);
        Assert.StartsWith($"Cannot reach http://127.0.0.1:{port}/hook", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_ShortSecret_ThrowsNamingTheSetting()
    {
        var error = Assert.Throws<ArgumentException>(() => Channel(ChannelKind.Push, secret: "short"));

        Assert.Equal("Notifications:Push:Secret must be at least 16 characters (the receiver checks the HMAC with it).", error.Message);
    }

    private WebhookChannel Channel(ChannelKind kind, int maxAttempts = 4, string secret = Secret, Uri? url = null, TimeProvider? time = null) =>
        new(
            kind,
            _http,
            new WebhookChannelOptions
            {
                Url = url ?? _receiver.Url,
                Secret = secret,
                MaxAttempts = maxAttempts,
                InitialDelay = TimeSpan.FromMilliseconds(4),
                MaxDelay = TimeSpan.FromMilliseconds(20),
                Timeout = TimeSpan.FromSeconds(10),
            },
            time ?? TimeProvider.System,
            new TestLogger<WebhookChannel>());
}
