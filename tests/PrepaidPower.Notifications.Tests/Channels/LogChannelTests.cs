using Microsoft.Extensions.Logging;
using PrepaidPower.Notifications.Channels;
using PrepaidPower.Notifications.Tests.Support;

namespace PrepaidPower.Notifications.Tests.Channels;

[Trait("Category", "Unit")]
public sealed class LogChannelTests
{
    [Fact]
    public async Task SendAsync_AnyMessage_LogsItAtInformationAndDelivers()
    {
        var logger = new TestLogger<LogChannel>();
        var channel = new LogChannel(logger);
        var message = new OutgoingNotification("A-7:RECONNECTED:3", ChannelKind.Log, "A-7", "", "供电已恢复", "A-7", "RECONNECTED", "zh", DateTimeOffset.UnixEpoch);

        var result = await channel.SendAsync(message, CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        var entry = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.Equal(3001, entry.Id.Id);
        Assert.Equal("Notification A-7:RECONNECTED:3:log for account A-7, event RECONNECTED [zh]: 供电已恢复", entry.Message);
        Assert.Equal("A-7", entry.Values["AccountId"]);
    }
}
