// SMS and app push through the operator's HTTP gateway: signed JSON, retried with jittered exponential backoff.
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace PrepaidPower.Notifications.Channels;

/// <summary>
/// POSTs one JSON document per message to the configured gateway:
/// <code>
/// { "id": "&lt;dedup key&gt;:sms", "dedupKey": "…", "channel": "sms"|"push", "to": "…",
///   "text": "…"            (sms)   |   "title": "…", "body": "…"   (push),
///   "accountId": "…", "event": "LOW_CREDIT_1", "language": "zh", "occurredAt": "2026-03-01T08:00:00+00:00" }
/// </code>
/// with <see cref="WebhookSignature.SignatureHeader"/>, <see cref="WebhookSignature.TimestampHeader"/> and
/// <see cref="WebhookSignature.IdempotencyHeader"/> (= <c>id</c>). 2xx is delivered; 408, 429, 5xx and network errors are
/// retried here up to <see cref="WebhookChannelOptions.MaxAttempts"/> and then reported transient (the outbox retries
/// later); any other status is permanent.
/// </summary>
public sealed partial class WebhookChannel : INotificationChannel
{
    private readonly HttpClient _http;
    private readonly WebhookChannelOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<double> _random;

    /// <param name="kind"><see cref="ChannelKind.Sms"/> or <see cref="ChannelKind.Push"/>.</param>
    /// <param name="http">A client from the factory; its own timeout is not used (each attempt has <see cref="WebhookChannelOptions.Timeout"/>).</param>
    /// <param name="options">Validated on construction.</param>
    /// <param name="time">The clock for backoff delays and timestamps.</param>
    /// <param name="logger">Where retries and failures are logged.</param>
    /// <param name="random">Jitter source in [0, 1); default <c>Random.Shared.NextDouble</c>.</param>
    public WebhookChannel(ChannelKind kind, HttpClient http, WebhookChannelOptions options, TimeProvider time, ILogger<WebhookChannel> logger, Func<double>? random = null)
    {
        if (kind is not (ChannelKind.Sms or ChannelKind.Push))
        {
            throw new ArgumentException($"A webhook channel sends SMS or push, not {kind}.", nameof(kind));
        }

        options.Validate($"Notifications:{kind}");
        Kind = kind;
        _http = http;
        _options = options;
        _time = time;
        _logger = logger;
        _random = random ?? Random.Shared.NextDouble;
    }

    public ChannelKind Kind { get; }

    public async Task<DeliveryResult> SendAsync(OutgoingNotification notification, CancellationToken cancellationToken)
    {
        if (notification.Channel != Kind)
        {
            return DeliveryResult.Permanent($"A {Kind.Name()} webhook cannot send a {notification.Channel.Name()} message.");
        }

        var body = Serialize(notification);
        var signature = WebhookSignature.Compute(_options.Secret, body);
        DeliveryResult result = DeliveryResult.Transient("not attempted");
        for (var attempt = 1; attempt <= _options.MaxAttempts; attempt++)
        {
            result = await PostOnceAsync(notification, body, signature, cancellationToken);
            if (result.Outcome != DeliveryOutcome.Transient)
            {
                return result;
            }

            if (attempt == _options.MaxAttempts)
            {
                break;
            }

            var delay = Backoff.Delay(attempt, _options.InitialDelay, _options.MaxDelay, _random());
            if (result.RetryAfter is { } asked && asked > delay)
            {
                delay = asked < _options.MaxDelay ? asked : _options.MaxDelay;
            }

            LogRetry(_logger, notification.DeliveryId, attempt, delay, result.Error);
            await Task.Delay(delay, _time, cancellationToken);
        }

        LogGaveUp(_logger, notification.DeliveryId, _options.MaxAttempts, result.Error);
        return result;
    }

    private async Task<DeliveryResult> PostOnceAsync(OutgoingNotification notification, byte[] body, string signature, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _options.Url);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
        request.Headers.Add(WebhookSignature.SignatureHeader, signature);
        request.Headers.Add(WebhookSignature.TimestampHeader, _time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.IdempotencyHeader, notification.DeliveryId);

        using var deadline = new CancellationTokenSource(_options.Timeout, _time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return DeliveryResult.Delivered;
            }

            var detail = await ReadSnippetAsync(response, timeout.Token);
            var error = $"HTTP {status} {response.ReasonPhrase} from {_options.Url}{detail}";
            return status is 408 or 429 or >= 500
                ? DeliveryResult.Transient(error, RetryAfter(response))
                : DeliveryResult.Permanent(error);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return DeliveryResult.Transient($"No answer from {_options.Url} within {_options.Timeout.TotalSeconds:0.###} s.");
        }
        catch (HttpRequestException e)
        {
            return DeliveryResult.Transient($"Cannot reach {_options.Url}: {e.Message}");
        }
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        return header?.Date is { } date ? date - _time.GetUtcNow() : null;
    }

    private static async Task<string> ReadSnippetAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            text = text.Trim();
            return text.Length == 0 ? "" : ": " + (text.Length > 200 ? text[..200] + "…" : text);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return "";
        }
    }

    /// <summary>The exact bytes that are signed and sent.</summary>
    internal static byte[] Serialize(OutgoingNotification n)
    {
        using var buffer = new MemoryStream();
        // Relaxed escaping keeps Chinese text as UTF-8 rather than \uXXXX: the body is JSON for machines, never HTML.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("id", n.DeliveryId);
            json.WriteString("dedupKey", n.DeduplicationKey);
            json.WriteString("channel", n.Channel.Name());
            json.WriteString("to", n.To);
            if (n.Channel == ChannelKind.Sms)
            {
                json.WriteString("text", n.Body);
            }
            else
            {
                json.WriteString("title", n.Title);
                json.WriteString("body", n.Body);
            }

            json.WriteString("accountId", n.AccountId);
            json.WriteString("event", n.EventCode);
            json.WriteString("language", n.Language);
            json.WriteString("occurredAt", n.OccurredAt.ToUniversalTime());
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} attempt {Attempt} failed ({Error}); retrying in {Delay}")]
    private static partial void LogRetry(ILogger logger, string deliveryId, int attempt, TimeSpan delay, string? error);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} failed after {Attempts} attempts: {Error}")]
    private static partial void LogGaveUp(ILogger logger, string deliveryId, int attempts, string? error);
}
