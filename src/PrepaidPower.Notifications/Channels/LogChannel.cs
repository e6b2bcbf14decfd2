using Microsoft.Extensions.Logging;

namespace PrepaidPower.Notifications.Channels;


/// <summary>
/// Writes each message to the service log at Information: an audit line of what customers were told, and the one
/// channel that works with no gateway configured. Always delivers.
/// </summary>
public sealed partial class LogChannel(ILogger<LogChannel> logger) : INotificationChannel
{
    public ChannelKind Kind => ChannelKind.Log;

    public Task<DeliveryResult> SendAsync(OutgoingNotification notification, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        LogNotification(logger, notification.DeliveryId, notification.AccountId, notification.EventCode, notification.Language, notification.Body);
        return Task.FromResult(DeliveryResult.Delivered);
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Notification {DeliveryId} for account {AccountId}, event {EventCode} [{Language}]: {Text}")]
    private static partial void LogNotification(ILogger logger, string deliveryId, string accountId, string eventCode, string language, string text);
}
