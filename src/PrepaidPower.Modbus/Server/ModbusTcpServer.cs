// A Modbus TCP server (slave) on a local port: many connections, requests dispatched per unit id.
using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using PrepaidPower.Modbus.Transport;

namespace PrepaidPower.Modbus;

/// <summary>Counters of a server since it started; a snapshot.</summary>
public readonly record struct ModbusServerCounters(
    long ConnectionsAccepted,
    long ConnectionsRejected,
    int ActiveConnections,
    long Requests,
    long ExceptionResponses,
    long ProtocolErrors);

/// <summary>
/// Serves Modbus TCP on <see cref="LocalEndPoint"/>. Each request is routed by unit id to an <see cref="IModbusRequestHandler"/>;
/// a unit with no handler is answered with 0B (gateway target failed to respond), as a gateway does for a silent meter.
/// Bad requests are answered with exceptions (01 unknown function, 02 address range, 03 quantity/byte count,
/// 04 handler failure); frames that break MBAP framing (protocol id ≠ 0, length outside 2–254) close the connection.
/// Pipelined requests are answered in order, one ADU per socket write.
/// </summary>
public sealed class ModbusTcpServer : IAsyncDisposable
{
    private readonly Func<byte, IModbusRequestHandler?>? _resolveUnit;
    private readonly IModbusFrameHandler? _frameHandler;
    private readonly Socket _listener;
    private readonly int _maxConnections;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<SocketConnection, Task> _connections = new();
    private readonly Task _accepting;

    private long _accepted;
    private long _rejected;
    private long _requests;
    private long _exceptions;
    private long _protocolErrors;

    /// <summary>Starts listening at once.</summary>
    /// <param name="endPoint">Where to listen; port 0 picks a free port (see <see cref="LocalEndPoint"/>).</param>
    /// <param name="resolveUnit">The handler for a unit id, or null if no device answers at that id.</param>
    /// <param name="maxConnections">Connections beyond this are closed on accept.</param>
    public ModbusTcpServer(IPEndPoint endPoint, Func<byte, IModbusRequestHandler?> resolveUnit, int maxConnections = 1024)
        : this(endPoint, resolveUnit ?? throw new ArgumentNullException(nameof(resolveUnit)), null, maxConnections)
    {
    }

    /// <summary>Starts listening at once; every frame goes to <paramref name="frameHandler"/>, which may also stay silent or drop the connection.</summary>
    public ModbusTcpServer(IPEndPoint endPoint, IModbusFrameHandler frameHandler, int maxConnections = 1024)
        : this(endPoint, null, frameHandler ?? throw new ArgumentNullException(nameof(frameHandler)), maxConnections)
    {
    }

    private ModbusTcpServer(IPEndPoint endPoint, Func<byte, IModbusRequestHandler?>? resolveUnit, IModbusFrameHandler? frameHandler, int maxConnections)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConnections, 1);
        _resolveUnit = resolveUnit;
        _frameHandler = frameHandler;
        _maxConnections = maxConnections;
        _listener = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            _listener.Bind(endPoint);
            _listener.Listen(512);
        }
        catch
        {
            _listener.Dispose();
            throw;
        }

        LocalEndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _accepting = AcceptAsync();
    }

    /// <summary>Serves the given units on 127.0.0.1 at <paramref name="port"/> (0 = pick a free port).</summary>
    public ModbusTcpServer(IReadOnlyDictionary<byte, IModbusRequestHandler> units, int port = 0)
        : this(new IPEndPoint(IPAddress.Loopback, port), units is null ? throw new ArgumentNullException(nameof(units)) : u => units.GetValueOrDefault(u))
    {
    }

    public IPEndPoint LocalEndPoint { get; }

    public ModbusServerCounters Counters => new(
        Interlocked.Read(ref _accepted),
        Interlocked.Read(ref _rejected),
        _connections.Count,
        Interlocked.Read(ref _requests),
        Interlocked.Read(ref _exceptions),
        Interlocked.Read(ref _protocolErrors));

    /// <summary>Stops accepting, closes every connection and waits for their loops to end.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _accepting.ConfigureAwait(false);
        foreach (var connection in _connections.Keys)
        {
            connection.Abort();
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
                Interlocked.Increment(ref _rejected);
                socket.Dispose();
                continue;
            }

            Interlocked.Increment(ref _accepted);
            var connection = new SocketConnection(socket);
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _connections[connection] = RunAsync(connection, gate.Task);
            gate.SetResult();
        }
    }

    private async Task RunAsync(SocketConnection connection, Task registered)
    {
        // Registered first so that DisposeAsync sees the connection before it can finish.
        await registered.ConfigureAwait(false);
        var output = new ArrayBufferWriter<byte>(ModbusLimits.MaxAduLength);
        var input = connection.Input;
        try
        {
            while (true)
            {
                ReadResult read;
                try
                {
                    read = await input.ReadAsync(_stopping.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or InvalidOperationException)
                {
                    return;
                }

                var buffer = read.Buffer;
                try
                {
                    while (Mbap.TryReadFrame(ref buffer, out var frame))
                    {
                        output.ResetWrittenCount();
                        var outcome = Handle(frame, output);
                        if (outcome == ModbusFrameOutcome.Drop)
                        {
                            return;
                        }

                        if (outcome == ModbusFrameOutcome.Replied)
                        {
                            await connection.SendAsync(output.WrittenMemory, _stopping.Token).ConfigureAwait(false);
                        }
                    }
                }
                catch (ModbusProtocolException)
                {
                    Interlocked.Increment(ref _protocolErrors);
                    return;
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
                {
                    return;
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted)
                {
                    return;
                }
            }
        }
        finally
        {
            _connections.TryRemove(connection, out _);
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private ModbusFrameOutcome Handle(in MbapFrame frame, ArrayBufferWriter<byte> output)
    {
        Interlocked.Increment(ref _requests);
        if (_frameHandler is not null)
        {
            return _frameHandler.Handle(frame, output);
        }

        if (!ModbusRequest.TryParse(frame, out var request, out var error))
        {
            Answer(output, request, error);
            return ModbusFrameOutcome.Replied;
        }

        var handler = _resolveUnit!(request.UnitId);
        if (handler is null)
        {
            Answer(output, request, ModbusExceptionCode.GatewayTargetDeviceFailedToRespond);
            return ModbusFrameOutcome.Replied;
        }

        ModbusExceptionCode? code;
        try
        {
            code = Dispatch(handler, request, output);
        }
#pragma warning disable CA1031 // A device model's bug must become exception 04 on the wire, not a dropped connection.
        catch (Exception)
#pragma warning restore CA1031
        {
            output.ResetWrittenCount();
            code = ModbusExceptionCode.ServerDeviceFailure;
        }

        if (code is { } c)
        {
            output.ResetWrittenCount();
            Answer(output, request, c);
        }

        return ModbusFrameOutcome.Replied;
    }

    private static ModbusExceptionCode? Dispatch(IModbusRequestHandler handler, in ModbusRequest request, ArrayBufferWriter<byte> output)
    {
        var function = request.Function;
        ModbusExceptionCode? code;
        switch (function)
        {
            case ModbusFunction.ReadHoldingRegisters or ModbusFunction.ReadInputRegisters:
            {
                Span<ushort> values = stackalloc ushort[ModbusLimits.MaxReadRegisters];
                values = values[..request.Quantity];
                code = handler.ReadRegisters(function, request.Address, values);
                if (code is null)
                {
                    ModbusResponseWriter.WriteReadRegisters(output, request.TransactionId, request.UnitId, function, values);
                }

                return code;
            }

            case ModbusFunction.ReadCoils or ModbusFunction.ReadDiscreteInputs:
            {
                Span<bool> values = stackalloc bool[ModbusLimits.MaxReadBits];
                values = values[..request.Quantity];
                code = handler.ReadBits(function, request.Address, values);
                if (code is null)
                {
                    ModbusResponseWriter.WriteReadBits(output, request.TransactionId, request.UnitId, function, values);
                }

                return code;
            }

            case ModbusFunction.WriteSingleRegister:
            {
                var value = request.Value;
                code = handler.WriteRegisters(function, request.Address, new ReadOnlySpan<ushort>(in value));
                break;
            }

            case ModbusFunction.WriteSingleCoil:
            {
                var on = request.Value == ModbusRequestWriter.CoilOn;
                code = handler.WriteCoils(function, request.Address, new ReadOnlySpan<bool>(in on));
                break;
            }

            case ModbusFunction.WriteMultipleRegisters:
            {
                Span<ushort> values = stackalloc ushort[ModbusLimits.MaxWriteRegisters];
                values = values[..request.Quantity];
                request.CopyRegisters(values);
                code = handler.WriteRegisters(function, request.Address, values);
                break;
            }

            default:
            {
                Span<bool> values = stackalloc bool[ModbusLimits.MaxWriteBits];
                values = values[..request.Quantity];
                request.CopyCoils(values);
                code = handler.WriteCoils(function, request.Address, values);
                break;
            }
        }

        if (code is null)
        {
            var echo = function is ModbusFunction.WriteSingleRegister or ModbusFunction.WriteSingleCoil ? request.Value : request.Quantity;
            ModbusResponseWriter.WriteWriteEcho(output, request.TransactionId, request.UnitId, function, request.Address, echo);
        }

        return code;
    }

    private void Answer(ArrayBufferWriter<byte> output, in ModbusRequest request, ModbusExceptionCode code)
    {
        Interlocked.Increment(ref _exceptions);
        ModbusResponseWriter.WriteException(output, request.TransactionId, request.UnitId, request.FunctionByte, code);
    }
}
