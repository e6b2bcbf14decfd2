using Microsoft.Extensions.Time.Testing;
using PrepaidPower.Notifications;
using PrepaidPower.Notifications.Outbox;
using PrepaidPower.Notifications.Templates;

namespace PrepaidPower.Grains.Tests.Notifications;

[Trait("Category", "Unit")]
public sealed class InMemoryNotificationOutboxTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 4, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly InMemoryNotificationOutbox _outbox;

    public InMemoryNotificationOutboxTests() =>
        _outbox = new InMemoryNotificationOutbox(
            new NotificationComposer(TemplateCatalog.Default, new HashSet<ChannelKind> { ChannelKind.Sms, ChannelKind.Email, ChannelKind.Log }),
            _time);

    private static NotificationRequest Request(string key, string email = "kehu@example.cn") => new(
        "ACC-1", "LOW_CREDIT_1", Start, "zh", new Recipient("+8613800138000", email),
        new Dictionary<string, string> { ["balance"] = "12.50", ["currency"] = "元" }, key);

    [Fact]
    public async Task Enqueue_SameKeyTwice_OneRowPerChannel()
    {
        Assert.Equal(3, await _outbox.EnqueueAsync([Request("k1")]));
        Assert.Equal(0, await _outbox.EnqueueAsync([Request("k1")]));

        var rows = await _outbox.FindAsync("k1");
        Assert.Equal([ChannelKind.Sms, ChannelKind.Email, ChannelKind.Log], rows.Select(r => r.Channel).ToArray());
        Assert.All(rows, r => Assert.Equal((OutboxStatus.Pending, 0, Start), (r.Status, r.Attempts, r.NextAttemptAt)));
    }

    [Fact]
    public async Task Enqueue_OneBadRequest_StoresNothing()
    {
        var bad = Request("k2") with { Data = new Dictionary<string, string>() };

        await Assert.ThrowsAsync<TemplateException>(() => _outbox.EnqueueAsync([Request("k1"), bad]));

        Assert.Equal(0, (await _outbox.CountByStatusAsync())[OutboxStatus.Pending]);
    }

    [Fact]
    public async Task Claim_LeaseRunsOut_ClaimedAgainAndTheOldClaimCannotFinish()
    {
        await _outbox.EnqueueAsync([Request("k1") with { Recipient = new Recipient("+8613800138000") }]);
        var first = await _outbox.ClaimAsync(10, TimeSpan.FromMinutes(5));
        Assert.Equal(2, first.Count);
        Assert.Empty(await _outbox.ClaimAsync(10, TimeSpan.FromMinutes(5)));

        _time.Advance(TimeSpan.FromMinutes(5));
        var second = await _outbox.ClaimAsync(1, TimeSpan.FromMinutes(5));

        var again = Assert.Single(second);
        Assert.Equal((first[0].Id, 2), (again.Id, again.Attempt));
        Assert.False(await _outbox.MarkDeliveredAsync(first[0]));
        Assert.True(await _outbox.MarkDeliveredAsync(again));
        var row = (await _outbox.FindAsync("k1")).Single(r => r.Id == again.Id);
        Assert.Equal((OutboxStatus.Delivered, (DateTimeOffset?)(Start + TimeSpan.FromMinutes(5))), (row.Status, row.DeliveredAt));
    }

    [Fact]
    public async Task MarkFailed_RetryAtOrDead()
    {
        await _outbox.EnqueueAsync([Request("k1") with { Recipient = new Recipient("+8613800138000") }]);
        var claims = await _outbox.ClaimAsync(10, TimeSpan.FromMinutes(5));
        var sms = claims.Single(c => c.Notification.Channel == ChannelKind.Sms);
        var log = claims.Single(c => c.Notification.Channel == ChannelKind.Log);

        Assert.True(await _outbox.MarkFailedAsync(sms, "503 from gateway", Start.AddSeconds(30)));
        Assert.True(await _outbox.MarkFailedAsync(log, "permanent", retryAt: null));

        Assert.Empty(await _outbox.ClaimAsync(10, TimeSpan.FromMinutes(5)));
        _time.Advance(TimeSpan.FromSeconds(30));
        var retry = Assert.Single(await _outbox.ClaimAsync(10, TimeSpan.FromMinutes(5)));
        Assert.Equal((sms.Id, 2), (retry.Id, retry.Attempt));
        var rows = await _outbox.FindAsync("k1");
        Assert.Equal(("503 from gateway", OutboxStatus.Sending), (rows.Single(r => r.Id == sms.Id).LastError, rows.Single(r => r.Id == sms.Id).Status));
        Assert.Equal(OutboxStatus.Dead, rows.Single(r => r.Id == log.Id).Status);
        var counts = await _outbox.CountByStatusAsync();
        Assert.Equal((1L, 1L, 0L), (counts[OutboxStatus.Sending], counts[OutboxStatus.Dead], counts[OutboxStatus.Pending]));
    }
}
