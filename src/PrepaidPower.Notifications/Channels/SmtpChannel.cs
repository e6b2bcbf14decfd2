// Customer e-mail over SMTP with MailKit: one connection per message, a Message-ID fixed by the delivery id.
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace PrepaidPower.Notifications.Channels;

/// <summary>
/// Sends plain-text UTF-8 e-mail. The <c>Message-ID</c> is derived from the delivery id
/// (<see cref="MessageIdFor"/>), so a message the outbox sends twice after a crash carries the same id and mail
/// systems and people can tell it is a resend. SMTP 5xx replies and unparsable addresses are permanent; connection
/// problems, timeouts, 4xx replies and authentication failures (a configuration that can be fixed) are transient.
/// </summary>
public sealed partial class SmtpChannel : INotificationChannel
{
    private readonly SmtpChannelOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _messageIdDomain;

    public SmtpChannel(SmtpChannelOptions options, TimeProvider time, ILogger<SmtpChannel> logger)
    {
        options.Validate();
        _options = options;
        _time = time;
        _logger = logger;
        _messageIdDomain = string.IsNullOrWhiteSpace(options.MessageIdDomain)
            ? options.From[(options.From.LastIndexOf('@') + 1)..].Trim().TrimEnd('>')
            : options.MessageIdDomain.Trim();
    }

    public ChannelKind Kind => ChannelKind.Email;

    /// <summary>The Message-ID (without angle brackets) for a delivery: 32 hex digits of SHA-256(delivery id) @ domain.</summary>
    public static string MessageIdFor(string deliveryId, string domain)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(deliveryId));
        return $"{Convert.ToHexStringLower(hash.AsSpan(0, 16))}@{domain}";
    }

    public async Task<DeliveryResult> SendAsync(OutgoingNotification notification, CancellationToken cancellationToken)
    {
        if (notification.Channel != ChannelKind.Email)
        {
            return DeliveryResult.Permanent($"The SMTP channel cannot send a {notification.Channel.Name()} message.");
        }

        MimeMessage message;
        try
        {
            message = Build(notification);
        }
        catch (ParseException e)
        {
            return DeliveryResult.Permanent($"'{notification.To}' is not an e-mail address: {e.Message}");
        }

        using var client = new SmtpClient { Timeout = (int)Math.Min(int.MaxValue, _options.Timeout.TotalMilliseconds) };
        try
        {
            await client.ConnectAsync(_options.Host, _options.Port, SocketOptions(_options.Security), cancellationToken);
            if (!string.IsNullOrEmpty(_options.UserName))
            {
                await client.AuthenticateAsync(_options.UserName, _options.Password ?? "", cancellationToken);
            }

            await client.SendAsync(message, cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
            LogSent(_logger, notification.DeliveryId, message.MessageId ?? "");
            return DeliveryResult.Delivered;
        }
        catch (SmtpCommandException e)
        {
            var error = $"SMTP {(int)e.StatusCode} from {_options.Host}:{_options.Port} ({e.ErrorCode}): {e.Message}";
            return (int)e.StatusCode >= 500 ? DeliveryResult.Permanent(error) : DeliveryResult.Transient(error);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is SmtpProtocolException or AuthenticationException or SslHandshakeException or IOException or SocketException or TimeoutException or OperationCanceledException or ServiceNotConnectedException)
        {
            return DeliveryResult.Transient($"SMTP {_options.Host}:{_options.Port}: {e.GetType().Name}: {e.Message}");
        }
    }

    private MimeMessage Build(OutgoingNotification n)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(_options.FromName, _options.From));
        message.To.Add(MailboxAddress.Parse(n.To));
        message.Subject = n.Title;
        message.Date = _time.GetUtcNow();
        message.MessageId = MessageIdFor(n.DeliveryId, _messageIdDomain);
        message.Headers.Add("X-PrepaidPower-Delivery-Id", n.DeliveryId);
        message.Headers.Add("Content-Language", n.Language);
        message.Body = new TextPart(MimeKit.Text.TextFormat.Plain) { Text = n.Body };
        return message;
    }

    private static SecureSocketOptions SocketOptions(SmtpSecurity security) => security switch
    {
        SmtpSecurity.None => SecureSocketOptions.None,
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        _ => throw new ArgumentOutOfRangeException(nameof(security), security, "Unknown SMTP security."),
    };

    [LoggerMessage(EventId = 3201, Level = LogLevel.Debug, Message = "E-mail {DeliveryId} accepted by the SMTP server as <{MessageId}>")]
    private static partial void LogSent(ILogger logger, string deliveryId, string messageId);
}
