using PrepaidPower.Notifications.Channels;
using PrepaidPower.Notifications.Outbox;

namespace PrepaidPower.Notifications;

/// <summary>
/// Everything an operator configures, bound from the <c>Notifications</c> section. A channel is on when its section
/// names a destination (<c>Sms:Url</c>, <c>Push:Url</c>, <c>Smtp:Host</c>); the log channel is on unless
/// <see cref="LogChannel"/> is false.
/// </summary>
public sealed class NotificationOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Notifications";

    /// <summary>The SMS gateway webhook, or null for no SMS.</summary>
    public WebhookChannelOptions? Sms { get; set; }

    /// <summary>The app push gateway webhook, or null for no push.</summary>
    public WebhookChannelOptions? Push { get; set; }

    /// <summary>The mail server, or null for no e-mail.</summary>
    public SmtpChannelOptions? Smtp { get; set; }

    /// <summary>Also write every message to the service log. Default true.</summary>
    public bool LogChannel { get; set; } = true;

    /// <summary>The outbox and its dispatcher.</summary>
    public OutboxOptions Outbox { get; set; } = new();
}
