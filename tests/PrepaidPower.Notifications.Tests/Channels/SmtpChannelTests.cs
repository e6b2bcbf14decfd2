using PrepaidPower.Tests.Shared.Notifications;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using PrepaidPower.Notifications.Channels;
using PrepaidPower.Notifications.Templates;
using PrepaidPower.Notifications.Tests.Support;

namespace PrepaidPower.Notifications.Tests.Channels;

[Trait("Category", "Integration")]
public sealed class SmtpChannelTests : IAsyncLifetime
{
    private LocalSmtpServer _server = null!;

    public async Task InitializeAsync() => _server = await LocalSmtpServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task SendAsync_ChineseAndEnglish_ServerReceivesBothWithDerivedMessageIds()
    {
        var composer = new NotificationComposer(TemplateCatalog.Default, new HashSet<ChannelKind> { ChannelKind.Email });
        var zh = Assert.Single(composer.Compose(Samples.Request("LOW_CREDIT_1", "zh", new Recipient(Email: "li.wei@example.cn"), "ACC-1001:LOW_CREDIT_1:7")));
        var en = Assert.Single(composer.Compose(Samples.Request("DISCONNECTION_DUE", "en", new Recipient(Email: "jo.smith@example.com"), "ACC-1001:DISCONNECTION_DUE:9")));
        var channel = Channel();

        Assert.Equal(DeliveryResult.Delivered, await channel.SendAsync(zh, CancellationToken.None));
        Assert.Equal(DeliveryResult.Delivered, await channel.SendAsync(en, CancellationToken.None));

        Assert.Equal(2, _server.Messages.Count);
        var (chinese, chineseTo) = _server.Messages[0];
        Assert.Equal(["li.wei@example.cn"], chineseTo);
        Assert.Equal("电费余额不足提醒", chinese.Subject);
        Assert.Equal("尊敬的用户：\n\n您的电费账户 ACC-1001 余额为 12.50 元，已低于第一提醒金额。请及时充值，以免影响正常用电。\n\nPrepaidPower", chinese.TextBody!.ReplaceLineEndings("\n").TrimEnd('\n'));
        Assert.Equal(SmtpChannel.MessageIdFor("ACC-1001:LOW_CREDIT_1:7:email", "power.example.cn"), chinese.MessageId);
        Assert.Equal("ACC-1001:LOW_CREDIT_1:7:email", chinese.Headers["X-PrepaidPower-Delivery-Id"]);
        Assert.Equal("notices@power.example.cn", ((MailboxAddress)chinese.From.Single()).Address);
        Assert.Equal("PrepaidPower 通知", chinese.From.Single().Name);

        var (english, englishTo) = _server.Messages[1];
        Assert.Equal(["jo.smith@example.com"], englishTo);
        Assert.Equal("Your supply will be disconnected", english.Subject);
        Assert.Equal(
            "Dear customer,\n\nThe grace period for electricity account ACC-1001 has ended. Unless the arrears are paid, the supply will be disconnected from 9 March 2026 09:00. The balance is 12.50 CNY.\n\nPrepaidPower",
            english.TextBody!.ReplaceLineEndings("\n").TrimEnd('\n'));
        Assert.Equal(SmtpChannel.MessageIdFor("ACC-1001:DISCONNECTION_DUE:9:email", "power.example.cn"), english.MessageId);
    }

    [Fact]
    public async Task SendAsync_SameDeliveryTwice_SameMessageId()
    {
        var message = new OutgoingNotification("K:1", ChannelKind.Email, "li.wei@example.cn", "主题", "正文", "A", "X", "zh", DateTimeOffset.UnixEpoch);
        var channel = Channel();

        await channel.SendAsync(message, CancellationToken.None);
        await channel.SendAsync(message, CancellationToken.None);

        Assert.Equal(2, _server.Messages.Count);
        Assert.Equal(_server.Messages[0].Message.MessageId, _server.Messages[1].Message.MessageId);
        Assert.Matches("^[0-9a-f]{32}@power\\.example\\.cn$", _server.Messages[0].Message.MessageId);
    }

    [Fact]
    public void MessageIdFor_DifferentDeliveries_Differ() =>
        Assert.NotEqual(SmtpChannel.MessageIdFor("K:1:email", "d"), SmtpChannel.MessageIdFor("K:2:email", "d"));

    [Fact]
    public async Task SendAsync_ServerSays550_Permanent()
    {
        _server.Answer(550);

        var result = await Channel().SendAsync(Email(), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Permanent, result.Outcome);
        Assert.StartsWith($"SMTP 550 from 127.0.0.1:{_server.Port}", result.Error, StringComparison.Ordinal);
        Assert.Empty(_server.Messages);
    }

    [Fact]
    public async Task SendAsync_ServerSays451_Transient()
    {
        _server.Answer(451);

        var result = await Channel().SendAsync(Email(), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Transient, result.Outcome);
        Assert.StartsWith("SMTP 451", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_NotAnAddress_PermanentWithoutConnecting()
    {
        var result = await Channel().SendAsync(Email() with { To = "not an address" }, CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Permanent, result.Outcome);
        Assert.StartsWith("'not an address' is not an e-mail address", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_NoServer_Transient()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        var result = await Channel(port).SendAsync(Email(), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Transient, result.Outcome);
    }

    [Fact]
    public void Constructor_BadFrom_ThrowsNamingTheSetting()
    {
        var error = Assert.Throws<ArgumentException>(() => new SmtpChannel(new SmtpChannelOptions { Host = "mail", From = "nobody" }, TimeProvider.System, new TestLogger<SmtpChannel>()));

        Assert.Equal("Notifications:Smtp:From must be an e-mail address (got 'nobody').", error.Message);
    }

    private static OutgoingNotification Email() =>
        new("K:550", ChannelKind.Email, "gone@example.cn", "Subject", "Body", "A", "X", "en", DateTimeOffset.UnixEpoch);

    private SmtpChannel Channel(int? port = null) =>
        new(
            new SmtpChannelOptions
            {
                Host = "127.0.0.1",
                Port = port ?? _server.Port,
                Security = SmtpSecurity.None,
                From = "notices@power.example.cn",
                FromName = "PrepaidPower 通知",
                Timeout = TimeSpan.FromSeconds(10),
            },
            TimeProvider.System,
            new TestLogger<SmtpChannel>());
}
