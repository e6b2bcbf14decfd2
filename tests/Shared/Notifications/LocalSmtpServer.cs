// Shared by the Notifications and Grains test projects (linked, not copied): a real webhook receiver and a real SMTP server for tests.
// A real SMTP server (the SmtpServer library) on a free loopback port that keeps what it receives.
using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using MimeKit;
using SmtpServer;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace PrepaidPower.Tests.Shared.Notifications;

internal sealed class LocalSmtpServer : IAsyncDisposable
{
    private readonly SmtpServer.SmtpServer _server;
    private readonly Store _store;
    private readonly Task _running;

    private LocalSmtpServer(SmtpServer.SmtpServer server, Store store, Task running, int port)
    {
        _server = server;
        _store = store;
        _running = running;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Messages accepted, parsed with MimeKit, with the envelope recipients.</summary>
    public IReadOnlyList<(MimeMessage Message, IReadOnlyList<string> EnvelopeTo)> Messages => [.. _store.Received];

    /// <summary>The reply to the next DATA commands, in order (e.g. 451, 550); after that, 250.</summary>
    public void Answer(params int[] codes)
    {
        foreach (var code in codes)
        {
            _store.Script.Enqueue(code);
        }
    }

    public static async Task<LocalSmtpServer> StartAsync()
    {
        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, 0)))
            .Build();
        var started = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var listeners = new EndpointListenerFactory();
        listeners.EndpointStarted += (_, e) => started.TrySetResult(((IPEndPoint)e.LocalEndPoint).Port);
        var store = new Store();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(store);
        services.Add(listeners);
        var server = new SmtpServer.SmtpServer(options, services);
        var running = server.StartAsync(CancellationToken.None);
        var port = await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return new LocalSmtpServer(server, store, running, port);
    }

    public async ValueTask DisposeAsync()
    {
        _server.Shutdown();
        await _running.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private sealed class Store : MessageStore
    {
        public ConcurrentQueue<(MimeMessage, IReadOnlyList<string>)> Received { get; } = new();

        public ConcurrentQueue<int> Script { get; } = new();

        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            if (Script.TryDequeue(out var code) && code != 250)
            {
                return new SmtpResponse((SmtpReplyCode)code, code >= 500 ? "mailbox unavailable" : "try again later");
            }

            await using var stream = new MemoryStream(buffer.ToArray());
            var message = await MimeMessage.LoadAsync(stream, cancellationToken);
            Received.Enqueue((message, transaction.To.Select(m => $"{m.User}@{m.Host}").ToList()));
            return SmtpResponse.Ok;
        }
    }
}
