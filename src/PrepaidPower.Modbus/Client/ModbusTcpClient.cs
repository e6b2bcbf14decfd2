// A Modbus TCP client: one connection, one outstanding request, strict response matching, timeouts and reconnects.
using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using PrepaidPower.Modbus.Transport;

namespace PrepaidPower.Modbus;

/// <summary>
/// A Modbus TCP master over one connection. Requests are serialized (one outstanding at a time, as RS-485 gateways
/// behind a concentrator serialize anyway); each is one socket write. Responses are matched by transaction id:
/// answers to requests that already timed out (or were answered twice) are counted as <see cref="ModbusClientCounters.LateResponses"/>
/// and dropped; any other unexpected id, and any malformed frame, is a protocol error that closes the connection.
/// The connection opens lazily and reopens on the next request after a loss, with exponential backoff and jitter
/// between failed connect attempts. Failures are returned as <see cref="ModbusResult"/>, never as values.
/// Thread-safe.
/// </summary>
public sealed class ModbusTcpClient : IAsyncDisposable
{
    private const int RecentCapacity = 16;

    private readonly ModbusTcpClientOptions _options;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ArrayBufferWriter<byte> _output = new(ModbusLimits.MaxAduLength);
    private readonly ushort[] _recent = new ushort[RecentCapacity];
    private readonly Random _jitter;
    private readonly ITimer _timeoutTimer;

    private SocketConnection? _connection;
    private PipeReader? _waitingReader;
    private ushort _transactionId;
    private int _recentCount;
    private int _recentNext;
    private int _connectFailuresInARow;
    private int _timeoutsInARow;
    private long _nextConnectAllowedAt;
    private bool _everConnected;
    private bool _disposed;

    private long _requests;
    private long _responses;
    private long _exceptionResponses;
    private long _timeouts;
    private long _protocolErrors;
    private long _connectionsLost;
    private long _connectFailures;
    private long _connects;
    private long _reconnects;
    private long _lateResponses;

    public ModbusTcpClient(ModbusTcpClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _time = options.TimeProvider;
        _jitter = options.JitterSeed is { } seed ? new Random(seed) : new Random();
        _timeoutTimer = _time.CreateTimer(static s => ((ModbusTcpClient)s!).OnTimeoutTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>A consistent-enough snapshot of the counters (each field read atomically).</summary>
    public ModbusClientCounters Counters => new(
        Interlocked.Read(ref _requests),
        Interlocked.Read(ref _responses),
        Interlocked.Read(ref _exceptionResponses),
        Interlocked.Read(ref _timeouts),
        Interlocked.Read(ref _protocolErrors),
        Interlocked.Read(ref _connectionsLost),
        Interlocked.Read(ref _connectFailures),
        Interlocked.Read(ref _connects),
        Interlocked.Read(ref _reconnects),
        Interlocked.Read(ref _lateResponses));

    /// <summary>True while a connection is open (it may still turn out dead on the next request).</summary>
    public bool IsConnected => Volatile.Read(ref _connection) is not null;

    /// <summary>FC03: reads <c>destination.Length</c> (1–125) holding registers from <paramref name="address"/> (0-based PDU address).</summary>
    public ValueTask<ModbusResult> ReadHoldingRegistersAsync(byte unitId, ushort address, Memory<ushort> destination, CancellationToken cancellationToken = default) =>
        ExecuteAsync(new Request(ModbusFunction.ReadHoldingRegisters, unitId, address, Quantity(destination.Length), registers: destination), cancellationToken);

    /// <summary>FC04: reads <c>destination.Length</c> (1–125) input registers.</summary>
    public ValueTask<ModbusResult> ReadInputRegistersAsync(byte unitId, ushort address, Memory<ushort> destination, CancellationToken cancellationToken = default) =>
        ExecuteAsync(new Request(ModbusFunction.ReadInputRegisters, unitId, address, Quantity(destination.Length), registers: destination), cancellationToken);

    /// <summary>FC01: reads <c>destination.Length</c> (1–2000) coils.</summary>
    public ValueTask<ModbusResult> ReadCoilsAsync(byte unitId, ushort address, Memory<bool> destination, CancellationToken cancellationToken = default) =>
        ExecuteAsync(new Request(ModbusFunction.ReadCoils, unitId, address, Quantity(destination.Length), bits: destination), cancellationToken);

    /// <summary>FC02: reads <c>destination.Length</c> (1–2000) discrete inputs.</summary>
    public ValueTask<ModbusResult> ReadDiscreteInputsAsync(byte unitId, ushort address, Memory<bool> destination, CancellationToken cancellationToken = default) =>
        ExecuteAsync(new Request(ModbusFunction.ReadDiscreteInputs, unitId, address, Quantity(destination.Length), bits: destination), cancellationToken);

    /// <summary>FC06: writes one holding register; success means the device echoed it.</summary>
    public ValueTask<ModbusResult> WriteSingleRegisterAsync(byte unitId, ushort address, ushort value, CancellationToken cancellationToken = default) =>
        ExecuteAsync(new Request(ModbusFunction.WriteSingleRegister, unitId, address, value), cancellationToken);

    /// <summary>FC05: writes one coil.</summary>
    public ValueTask<ModbusResult> WriteSingleCoilAsync(byte unitId, ushort address, bool value, CancellationToken cancellationToken = default) =>
        ExecuteAsync(new Request(ModbusFunction.WriteSingleCoil, unitId, address, value ? ModbusRequestWriter.CoilOn : ModbusRequestWriter.CoilOff), cancellationToken);

    /// <summary>FC16: writes 1–123 holding registers.</summary>
    public ValueTask<ModbusResult> WriteMultipleRegistersAsync(byte unitId, ushort address, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken = default) =>
        ExecuteAsync(new Request(ModbusFunction.WriteMultipleRegisters, unitId, address, Quantity(values.Length), writeRegisters: values), cancellationToken);

    /// <summary>FC15: writes 1–1968 coils.</summary>
    public ValueTask<ModbusResult> WriteMultipleCoilsAsync(byte unitId, ushort address, ReadOnlyMemory<bool> values, CancellationToken cancellationToken = default) =>
        ExecuteAsync(new Request(ModbusFunction.WriteMultipleCoils, unitId, address, Quantity(values.Length), writeBits: values), cancellationToken);

    /// <summary>Closes the connection; a request in flight ends with <see cref="ModbusStatus.ConnectionLost"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        Volatile.Read(ref _connection)?.Abort();
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            await _timeoutTimer.DisposeAsync().ConfigureAwait(false);
            if (_connection is { } connection)
            {
                _connection = null;
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ModbusResult> ExecuteAsync(Request request, CancellationToken cancellationToken)
    {
        Encode(request, 0, null);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var connected = await EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
            if (!connected.IsSuccess)
            {
                return connected;
            }

            var connection = _connection!;
            var transactionId = ++_transactionId;
            _output.ResetWrittenCount();
            Encode(request, transactionId, _output);
            Interlocked.Increment(ref _requests);
            try
            {
                await connection.SendAsync(_output.WrittenMemory, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return await LoseConnectionAsync(ModbusStatus.ConnectionLost, null, $"sending {request.Function} to unit {request.UnitId} failed: {e.Message}").ConfigureAwait(false);
            }

            return await AwaitResponseAsync(connection, request, transactionId, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask<ModbusResult> AwaitResponseAsync(SocketConnection connection, Request request, ushort transactionId, CancellationToken cancellationToken)
    {
        var input = connection.Input;
        var deadline = _time.GetTimestamp() + (long)(_options.RequestTimeout.TotalSeconds * _time.TimestampFrequency);
        Volatile.Write(ref _waitingReader, input);
        _timeoutTimer.Change(_options.RequestTimeout, Timeout.InfiniteTimeSpan);
        var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static s => ((PipeReader)s!).CancelPendingRead(), input)
            : default;
        try
        {
            while (true)
            {
                ReadResult read;
                try
                {
                    read = await input.ReadAsync(CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e) when (e is SocketException or IOException or InvalidOperationException)
                {
                    Remember(transactionId);
                    return await LoseConnectionAsync(ModbusStatus.ConnectionLost, null, $"connection lost waiting for {request.Function} from unit {request.UnitId}: {e.Message}").ConfigureAwait(false);
                }

                var buffer = read.Buffer;
                ModbusResult? outcome = null;
                try
                {
                    while (outcome is null && Mbap.TryReadFrame(ref buffer, out var frame))
                    {
                        if (frame.TransactionId == transactionId)
                        {
                            outcome = Complete(request, frame);
                        }
                        else
                        {
                            DropUnexpected(frame);
                        }
                    }
                }
                catch (ModbusProtocolException e)
                {
                    input.AdvanceTo(read.Buffer.End);
                    Remember(transactionId);
                    Interlocked.Increment(ref _protocolErrors);
                    return await LoseConnectionAsync(ModbusStatus.ProtocolError, e.Error, e.Message).ConfigureAwait(false);
                }

                if (outcome is { } result)
                {
                    // Leave anything after the answer (a duplicate, say) unexamined so the next request drains it.
                    input.AdvanceTo(buffer.Start);
                    Remember(transactionId);
                    _timeoutsInARow = 0;
                    return result;
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                var partialFrame = !buffer.IsEmpty;
                if (read.IsCompleted)
                {
                    Remember(transactionId);
                    if (!buffer.IsEmpty)
                    {
                        Interlocked.Increment(ref _protocolErrors);
                        return await LoseConnectionAsync(ModbusStatus.ProtocolError, ModbusProtocolError.TruncatedFrame,
                            $"peer closed the connection after {buffer.Length} bytes of an incomplete frame").ConfigureAwait(false);
                    }

                    return await LoseConnectionAsync(ModbusStatus.ConnectionLost, null, $"peer closed the connection before answering {request.Function} to unit {request.UnitId}").ConfigureAwait(false);
                }

                if (read.IsCanceled)
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        Remember(transactionId);
                        cancellationToken.ThrowIfCancellationRequested();
                    }

                    if (_time.GetTimestamp() >= deadline)
                    {
                        Remember(transactionId);
                        Interlocked.Increment(ref _timeouts);
                        // Half a frame on the wire would misalign every later response; a peer that stays silent is half dead.
                        if (partialFrame || ++_timeoutsInARow >= _options.MaxConsecutiveTimeouts)
                        {
                            _timeoutsInARow = 0;
                            await DropConnectionAsync().ConfigureAwait(false);
                        }

                        return new ModbusResult(ModbusStatus.Timeout, detail:
                            $"no answer to {request.Function} (transaction {transactionId}) from unit {request.UnitId} within {_options.RequestTimeout.TotalMilliseconds} ms");
                    }

                    // Early by the timer's coarser clock, or left over from the previous request: re-arm for the rest.
                    var remaining = TimeSpan.FromSeconds((double)(deadline - _time.GetTimestamp()) / _time.TimestampFrequency);
                    _timeoutTimer.Change(remaining > TimeSpan.FromMilliseconds(1) ? remaining : TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan);
                }
            }
        }
        finally
        {
            _timeoutTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            Volatile.Write(ref _waitingReader, null);
            registration.Dispose();
        }
    }

    private void OnTimeoutTimer() => Volatile.Read(ref _waitingReader)?.CancelPendingRead();

    private ModbusResult Complete(Request request, in MbapFrame frame)
    {
        bool normal;
        ModbusExceptionCode code;
        switch (request.Function)
        {
            case ModbusFunction.ReadHoldingRegisters or ModbusFunction.ReadInputRegisters:
                normal = ModbusResponseReader.TryReadRegisters(frame, request.UnitId, request.Function, request.Registers.Span, out code);
                break;
            case ModbusFunction.ReadCoils or ModbusFunction.ReadDiscreteInputs:
                normal = ModbusResponseReader.TryReadBits(frame, request.UnitId, request.Function, request.Bits.Span, out code);
                break;
            default:
                normal = ModbusResponseReader.TryReadWriteEcho(frame, request.UnitId, request.Function, request.Address, request.QuantityOrValue, out code);
                break;
        }

        if (normal)
        {
            Interlocked.Increment(ref _responses);
            return ModbusResult.Success;
        }

        Interlocked.Increment(ref _exceptionResponses);
        return new ModbusResult(ModbusStatus.ExceptionResponse, code, detail: $"unit {request.UnitId} answered {request.Function} with exception {(byte)code:X2} {code}");
    }

    /// <summary>A frame with another transaction id: a late answer to a request we gave up on (drop, count), or a protocol error.</summary>
    private void DropUnexpected(in MbapFrame frame)
    {
        if (Array.IndexOf(_recent, frame.TransactionId, 0, _recentCount) >= 0)
        {
            Interlocked.Increment(ref _lateResponses);
            return;
        }

        throw new ModbusProtocolException(ModbusProtocolError.UnexpectedTransactionId,
            $"Response with transaction id {frame.TransactionId} answers no request of this connection (last sent: {_transactionId}).");
    }

    private void Remember(ushort transactionId)
    {
        _recent[_recentNext] = transactionId;
        _recentNext = (_recentNext + 1) % RecentCapacity;
        _recentCount = Math.Min(_recentCount + 1, RecentCapacity);
    }

    /// <summary>Opens a connection if none is open, and drains late frames buffered since the last request.</summary>
    private async ValueTask<ModbusResult> EnsureConnectedAsync(CancellationToken cancellationToken)
    {
        if (_connection is { } open)
        {
            var drained = await DrainAsync(open).ConfigureAwait(false);
            if (drained)
            {
                return ModbusResult.Success;
            }
        }

        var wait = TimeSpan.FromSeconds((double)(_nextConnectAllowedAt - _time.GetTimestamp()) / _time.TimestampFrequency);
        if (wait > TimeSpan.Zero)
        {
            if (wait > _options.RequestTimeout)
            {
                Interlocked.Increment(ref _connectFailures);
                return new ModbusResult(ModbusStatus.ConnectFailed, detail:
                    $"backing off after {_connectFailuresInARow} failed connects to {_options.EndPoint}; next attempt in {wait.TotalMilliseconds:F0} ms");
            }

            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var connectTimeout = new CancellationTokenSource(_options.ConnectTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(connectTimeout.Token, cancellationToken);
        try
        {
            await socket.ConnectAsync(_options.EndPoint, linked.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            socket.Dispose();
            Interlocked.Increment(ref _connectFailures);
            _connectFailuresInARow++;
            var delay = Backoff(_connectFailuresInARow);
            _nextConnectAllowedAt = _time.GetTimestamp() + (long)(delay.TotalSeconds * _time.TimestampFrequency);
            var reason = e is SocketException s ? s.SocketErrorCode.ToString() : $"no answer within {_options.ConnectTimeout.TotalMilliseconds} ms";
            return new ModbusResult(ModbusStatus.ConnectFailed, detail: $"cannot connect to {_options.EndPoint}: {reason}; retry in {delay.TotalMilliseconds:F0} ms");
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _connectFailuresInARow = 0;
        _timeoutsInARow = 0;
        _recentCount = 0;
        _connection = new SocketConnection(socket);
        Interlocked.Increment(ref _connects);
        if (_everConnected)
        {
            Interlocked.Increment(ref _reconnects);
        }

        _everConnected = true;
        return ModbusResult.Success;
    }

    /// <summary>Equal jitter: half the doubled delay fixed, half random, so clients spread out but none retries at once.</summary>
    private TimeSpan Backoff(int failures)
    {
        var doubled = _options.ReconnectDelayMin.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 30));
        var capped = Math.Min(doubled, _options.ReconnectDelayMax.TotalMilliseconds);
        return TimeSpan.FromMilliseconds((capped / 2) + (_jitter.NextDouble() * capped / 2));
    }

    /// <summary>Handles whatever arrived between requests; false when the connection turned out closed or broken (it is dropped).</summary>
    private async ValueTask<bool> DrainAsync(SocketConnection connection)
    {
        var input = connection.Input;
        ReadResult read;
        try
        {
            if (!input.TryRead(out read))
            {
                return true;
            }
        }
        catch (Exception e) when (e is SocketException or IOException or InvalidOperationException)
        {
            await LoseConnectionAsync(ModbusStatus.ConnectionLost, null, e.Message).ConfigureAwait(false);
            return false;
        }

        var buffer = read.Buffer;
        try
        {
            while (Mbap.TryReadFrame(ref buffer, out var frame))
            {
                DropUnexpected(frame);
            }
        }
        catch (ModbusProtocolException)
        {
            input.AdvanceTo(read.Buffer.End);
            Interlocked.Increment(ref _protocolErrors);
            await DropConnectionAsync().ConfigureAwait(false);
            return false;
        }

        input.AdvanceTo(buffer.Start, buffer.End);
        if (read.IsCompleted)
        {
            // Closed while idle: not a failed request, just reconnect.
            Interlocked.Increment(ref _connectionsLost);
            await DropConnectionAsync().ConfigureAwait(false);
            return false;
        }

        return true;
    }

    private async ValueTask<ModbusResult> LoseConnectionAsync(ModbusStatus status, ModbusProtocolError? error, string detail)
    {
        if (status == ModbusStatus.ConnectionLost)
        {
            Interlocked.Increment(ref _connectionsLost);
        }

        await DropConnectionAsync().ConfigureAwait(false);
        return new ModbusResult(status, protocolError: error, detail: detail);
    }

    private async ValueTask DropConnectionAsync()
    {
        if (_connection is { } connection)
        {
            _connection = null;
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static void Encode(in Request request, ushort transactionId, IBufferWriter<byte>? writer)
    {
        // With a null writer only the arguments are validated, before the request takes the gate.
        writer ??= ValidationSink.Instance;
        switch (request.Function)
        {
            case ModbusFunction.ReadHoldingRegisters or ModbusFunction.ReadInputRegisters
                or ModbusFunction.ReadCoils or ModbusFunction.ReadDiscreteInputs:
                ModbusRequestWriter.WriteRead(writer, transactionId, request.UnitId, request.Function, request.Address, request.QuantityOrValue);
                break;
            case ModbusFunction.WriteSingleRegister:
                ModbusRequestWriter.WriteSingleRegister(writer, transactionId, request.UnitId, request.Address, request.QuantityOrValue);
                break;
            case ModbusFunction.WriteSingleCoil:
                ModbusRequestWriter.WriteSingleCoil(writer, transactionId, request.UnitId, request.Address, request.QuantityOrValue == ModbusRequestWriter.CoilOn);
                break;
            case ModbusFunction.WriteMultipleRegisters:
                ModbusRequestWriter.WriteMultipleRegisters(writer, transactionId, request.UnitId, request.Address, request.WriteRegisters.Span);
                break;
            default:
                ModbusRequestWriter.WriteMultipleCoils(writer, transactionId, request.UnitId, request.Address, request.WriteBits.Span);
                break;
        }

        if (request.UnitId == 0 && request.Function is not (ModbusFunction.ReadHoldingRegisters or ModbusFunction.ReadInputRegisters
            or ModbusFunction.ReadCoils or ModbusFunction.ReadDiscreteInputs))
        {
            throw new ArgumentOutOfRangeException(nameof(request), "Unit 0 is broadcast: writes to it are never answered or confirmed. Address the device's own unit id.");
        }
    }

    private static ushort Quantity(int length) =>
        length <= ushort.MaxValue ? (ushort)length
            : throw new ArgumentOutOfRangeException(nameof(length), length, "A Modbus request addresses at most 2000 items.");

    private readonly struct Request
    {
        public Request(ModbusFunction function, byte unitId, ushort address, ushort quantityOrValue,
            Memory<ushort> registers = default, Memory<bool> bits = default,
            ReadOnlyMemory<ushort> writeRegisters = default, ReadOnlyMemory<bool> writeBits = default)
        {
            Function = function;
            UnitId = unitId;
            Address = address;
            QuantityOrValue = quantityOrValue;
            Registers = registers;
            Bits = bits;
            WriteRegisters = writeRegisters;
            WriteBits = writeBits;
        }

        public ModbusFunction Function { get; }

        public byte UnitId { get; }

        public ushort Address { get; }

        public ushort QuantityOrValue { get; }

        public Memory<ushort> Registers { get; }

        public Memory<bool> Bits { get; }

        public ReadOnlyMemory<ushort> WriteRegisters { get; }

        public ReadOnlyMemory<bool> WriteBits { get; }
    }

    /// <summary>A 260-byte scratch writer so argument validation runs the real encoder without touching the connection's buffer.</summary>
    private sealed class ValidationSink : IBufferWriter<byte>
    {
        public static readonly ValidationSink Instance = new();

        [ThreadStatic]
        private static byte[]? s_buffer;

        public void Advance(int count)
        {
        }

        public Memory<byte> GetMemory(int sizeHint = 0) => s_buffer ??= new byte[ModbusLimits.MaxAduLength];

        public Span<byte> GetSpan(int sizeHint = 0) => s_buffer ??= new byte[ModbusLimits.MaxAduLength];
    }
}
