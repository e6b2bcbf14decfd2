// Shared by the Notifications and Grains test projects (linked, not copied): a real webhook receiver and a real SMTP server for tests.
// A real HTTP receiver on loopback (Kestrel) that checks signatures the way a gateway would and de-duplicates by Idempotency-Key.
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace PrepaidPower.Tests.Shared.Notifications;

/// <summary>One request as received: the raw body, the headers that matter, whether the signature held, and the status answered.</summary>
internal sealed record ReceivedWebhook(byte[] Body, string? IdempotencyKey, string? Timestamp, bool SignatureValid, int Status)
{
    public string BodyText => Encoding.UTF8.GetString(Body);
}

internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly byte[] _secret;
    private readonly ConcurrentQueue<int> _script = new();
    private readonly ConcurrentDictionary<string, int> _accepted = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ReceivedWebhook> _requests = new();

    private WebhookReceiver(string secret)
    {
        _secret = Encoding.UTF8.GetBytes(secret);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapPost("/hook", HandleAsync);
    }

    public Uri Url { get; private set; } = null!;

    /// <summary>Every request, in arrival order, including retries and rejected ones.</summary>
    public IReadOnlyList<ReceivedWebhook> Requests => [.. _requests];

    /// <summary>Accepted deliveries per Idempotency-Key: a repeat of an accepted key is answered 200 but not counted again.</summary>
    public IReadOnlyDictionary<string, int> Accepted => _accepted;

    public static async Task<WebhookReceiver> StartAsync(string secret)
    {
        var receiver = new WebhookReceiver(secret);
        await receiver._app.StartAsync();
        receiver.Url = new Uri(receiver._app.Urls.Single() + "/hook");
        return receiver;
    }

    /// <summary>The next requests get these statuses, in order; after that, 200.</summary>
    public void Answer(params int[] statuses)
    {
        foreach (var status in statuses)
        {
            _script.Enqueue(status);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var key = context.Request.Headers["Idempotency-Key"].ToString();
        var signature = context.Request.Headers["X-PrepaidPower-Signature"].ToString();
        // Checked independently of WebhookSignature, as a gateway written in any language would.
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(_secret, body));
        var valid = CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature));
        var status = !valid ? 401 : _script.TryDequeue(out var scripted) ? scripted : 200;
        if (status is >= 200 and < 300 && !string.IsNullOrEmpty(key))
        {
            _accepted.TryAdd(key, 1);
        }

        _requests.Enqueue(new ReceivedWebhook(body, key, context.Request.Headers["X-PrepaidPower-Timestamp"].ToString(), valid, status));
        context.Response.StatusCode = status;
        if (status == 400)
        {
            await context.Response.WriteAsync("unknown phone number");
        }
    }
}
