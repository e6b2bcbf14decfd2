// Turns one request into the messages to send: one per channel the recipient can be reached on, each rendered now.
using PrepaidPower.Notifications.Templates;

namespace PrepaidPower.Notifications;

/// <summary>
/// Validates a <see cref="NotificationRequest"/> and renders it for every enabled channel the recipient has an
/// address for (phone → SMS, push token → push, e-mail → e-mail; the log channel needs no address).
/// </summary>
/// <param name="catalog">The templates.</param>
/// <param name="enabledChannels">The channels this deployment has configured; a recipient's other addresses are skipped.</param>
public sealed class NotificationComposer(TemplateCatalog catalog, IReadOnlySet<ChannelKind> enabledChannels)
{
    /// <summary>The channels this composer renders for.</summary>
    public IReadOnlySet<ChannelKind> EnabledChannels { get; } = enabledChannels;

    /// <summary>Renders <paramref name="request"/>; an empty list when no enabled channel reaches the recipient.</summary>
    /// <exception cref="ArgumentException">A blank account id, event code or deduplication key, or a null recipient or data.</exception>
    /// <exception cref="TemplateException">A template needs a value that <see cref="NotificationRequest.Data"/> lacks.</exception>
    public IReadOnlyList<OutgoingNotification> Compose(NotificationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Require(request.AccountId, "AccountId");
        Require(request.EventCode, "EventCode");
        Require(request.DeduplicationKey, "DeduplicationKey");
        if (request.Recipient is null || request.Data is null)
        {
            throw new ArgumentException($"Notification request {request.DeduplicationKey}: Recipient and Data must not be null (use an empty dictionary for no data).", nameof(request));
        }

        var values = new Dictionary<string, string>(request.Data, StringComparer.Ordinal)
        {
            ["accountId"] = request.AccountId,
            ["event"] = request.EventCode,
        };

        var result = new List<OutgoingNotification>(4);
        Add(ChannelKind.Sms, request.Recipient.Phone);
        Add(ChannelKind.Push, request.Recipient.PushToken);
        Add(ChannelKind.Email, request.Recipient.Email);
        Add(ChannelKind.Log, request.AccountId);
        return result;

        void Add(ChannelKind channel, string? to)
        {
            if (!EnabledChannels.Contains(channel) || string.IsNullOrWhiteSpace(to))
            {
                return;
            }

            var message = catalog.Render(request.EventCode, request.Language, channel, values);
            result.Add(new OutgoingNotification(
                request.DeduplicationKey,
                channel,
                to.Trim(),
                message.Title,
                message.Body,
                request.AccountId,
                request.EventCode,
                message.Language,
                request.OccurredAt.ToUniversalTime()));
        }

        void Require(string? value, string name)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new ArgumentException($"Notification request: {name} must not be blank (account '{request.AccountId}', event '{request.EventCode}').", nameof(request));
            }
        }
    }
}
