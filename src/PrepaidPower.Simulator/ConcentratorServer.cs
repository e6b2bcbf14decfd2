// One simulated concentrator's Modbus TCP endpoint: the codec's framing and parsing, plus faults that no well-behaved server has.
using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using PrepaidPower.Modbus;

namespace PrepaidPower.Simulator;

/// <summary>
/// Serves one concentrator of a <see cref="SimulatedCity"/>. It reuses the Modbus project's strict framing
/// (<see cref="Mbap"/>, <see cref="ModbusRequest"/>, <see cref="ModbusResponseWriter"/>) but has its own connection
/// loop, because a simulated fault must be able to leave a request unanswered or drop the connection, which
/// <see cref="ModbusTcpServer"/> (a correct server) never does. Frames that break MBAP framing close the connection.
/// </summary>
internal sealed class ConcentratorServer : IAsyncDisposable
{
    private readonly SimulatedCity _city;
    private readonly int _index;
    private readonly Socket _listener;
    private readonly int _maxConnections;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Socket, Task> _connections = new();
    private readonly Task _accepting;

    public ConcentratorServer(SimulatedCity city, int index, IPEndPoint endPoint, int maxConnections = 256)
    {
        _city = city;
        _index = index;
        _maxConnections = maxConnections;
        _listener = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            _listener.Bind(endPoint);
            _listener.Listen(256);
        }
        catch
        {
            _listener.Dispose();
            throw;
        }

        LocalEndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _accepting = AcceptAsync();
    }

    public IPEndPoint LocalEndPoint { get; }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _accepting.ConfigureAwait(false);
        foreach (var socket in _connections.Keys)
        {
            socket.Dispose();
        }

        await Task.WhenAll(_connections.Values).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            if (_connections.Count >= _maxConnections)
            {
                socket.Dispose();
                continue;
            }

            socket.NoDelay = true;
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _connections[socket] = ServeAsync(socket, gate.Task);
            gate.SetResult();
        }
    }

    private async Task ServeAsync(Socket socket, Task registered)
    {
        // Registered first so that DisposeAsync sees the connection before it can finish.
        await registered.ConfigureAwait(false);
        var stream = new NetworkStream(socket, ownsSocket: true);
        var reader = PipeReader.Create(stream);
        var output = new ArrayBufferWriter<byte>(ModbusLimits.MaxAduLength);
        var token = _stopping.Token;
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync(token).ConfigureAwait(false);
                var buffer = read.Buffer;
                while (Mbap.TryReadFrame(ref buffer, out var frame))
                {
                    output.ResetWrittenCount();
                    var outcome = ModbusRequest.TryParse(frame, out var request, out var error)
                        ? _city.Handle(_index, request, output)
                        : _city.HandleUnparsable(_index, request, error, output);
                    if (outcome == RequestOutcome.Drop)
                    {
                        return;
                    }

                    if (outcome == RequestOutcome.Replied)
                    {
                        await socket.SendAsync(output.WrittenMemory, SocketFlags.None, token).ConfigureAwait(false);
                    }
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is ModbusProtocolException or OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
            // A broken frame, a reset peer or shutdown: close this connection, keep serving others.
        }
        finally
        {
            _connections.TryRemove(socket, out _);
            await reader.CompleteAsync().ConfigureAwait(false);
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }
}
