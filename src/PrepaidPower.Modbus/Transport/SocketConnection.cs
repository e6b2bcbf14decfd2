// One TCP connection as a pipe: a receive loop fills a Pipe (the reader side parses frames), sends go straight to the socket.
using System.IO.Pipelines;
using System.Net.Sockets;

namespace PrepaidPower.Modbus.Transport;

/// <summary>
/// A socket whose input is a <see cref="PipeReader"/> filled by a receive loop (Kestrel's SocketConnection shape), so
/// a peer's close or reset is noticed even between requests. Output is one <see cref="Socket.SendAsync(ReadOnlyMemory{byte}, SocketFlags, CancellationToken)"/>
/// per ADU: pymodbus 3.0 drops connections whose request ADU arrives split over two segments.
/// </summary>
internal sealed class SocketConnection : IAsyncDisposable
{
    private const int MinimumSegmentSize = 512;
    private readonly Socket _socket;
    private readonly Pipe _pipe;
    private readonly Task _receiving;
    private int _aborted;

    public SocketConnection(Socket socket)
    {
        _socket = socket;
        _socket.NoDelay = true;
        _pipe = new Pipe(new PipeOptions(
            minimumSegmentSize: MinimumSegmentSize,
            pauseWriterThreshold: 64 * 1024,
            resumeWriterThreshold: 32 * 1024,
            useSynchronizationContext: false));
        _receiving = ReceiveAsync();
    }

    public PipeReader Input => _pipe.Reader;

    /// <summary>Sends one whole ADU. Socket.SendAsync on a stream socket completes only when every byte is handed to the kernel.</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> adu, CancellationToken cancellationToken)
    {
        while (!adu.IsEmpty)
        {
            var sent = await _socket.SendAsync(adu, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            adu = adu[sent..];
        }
    }

    /// <summary>Closes the socket now (unsent data is dropped); the receive loop completes the pipe.</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0)
        {
            return;
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already reset by the peer: nothing left to shut down.
        }

        _socket.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        Abort();
        await _receiving.ConfigureAwait(false);
        await _pipe.Reader.CompleteAsync().ConfigureAwait(false);
    }

    private async Task ReceiveAsync()
    {
        Exception? error = null;
        var writer = _pipe.Writer;
        try
        {
            while (true)
            {
                var memory = writer.GetMemory(MinimumSegmentSize);
                var received = await _socket.ReceiveAsync(memory, SocketFlags.None).ConfigureAwait(false);
                if (received == 0)
                {
                    break;
                }

                writer.Advance(received);
                var flushed = await writer.FlushAsync().ConfigureAwait(false);
                if (flushed.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (SocketException e)
        {
            error = e;
        }
        catch (ObjectDisposedException)
        {
            // Abort() disposed the socket: a local close, not an error.
        }

        await writer.CompleteAsync(error).ConfigureAwait(false);
    }
}
