using System.Net;
using PrepaidPower.Modbus.Tests.Peers;

namespace PrepaidPower.Modbus.Tests.Transport;

/// <summary>
/// Our client against a device that misbehaves on purpose. For every fault: the right typed result, the right counter,
/// the caller's buffer untouched (no reading), and the next request recovers on a fresh connection.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ModbusTcpClientFaultTests
{
    private const ushort Sentinel = 0xDEAD;
    private static readonly TimeSpan TestDeadline = TimeSpan.FromSeconds(30);

    public static TheoryData<string, ModbusStatus, ModbusProtocolError?> ConnectionBreakingFaults => new()
    {
        { "truncated-then-close", ModbusStatus.ProtocolError, ModbusProtocolError.TruncatedFrame },
        { "wrong-transaction-id", ModbusStatus.ProtocolError, ModbusProtocolError.UnexpectedTransactionId },
        { "wrong-protocol-id", ModbusStatus.ProtocolError, ModbusProtocolError.BadProtocolId },
        { "oversized-length", ModbusStatus.ProtocolError, ModbusProtocolError.BadLength },
        { "wrong-unit-id", ModbusStatus.ProtocolError, ModbusProtocolError.UnitIdMismatch },
        { "byte-count-mismatch", ModbusStatus.ProtocolError, ModbusProtocolError.MalformedResponse },
        { "undefined-exception-code", ModbusStatus.ProtocolError, ModbusProtocolError.UndefinedExceptionCode },
        { "reset", ModbusStatus.ConnectionLost, null },
        { "close", ModbusStatus.ConnectionLost, null },
    };

    [Theory]
    [MemberData(nameof(ConnectionBreakingFaults))]
    public async Task Read_FaultOnFirstRequest_IsReportedCountedNeverAReadingAndTheNextRequestReconnects(string fault, ModbusStatus status, ModbusProtocolError? error)
    {
        await using var peer = new FaultPeer(async request =>
        {
            if (request.Index > 0)
            {
                await request.SendAsync(request.RegistersResponse(100));
                return;
            }

            var good = request.RegistersResponse(100);
            switch (fault)
            {
                case "truncated-then-close":
                    await request.SendAsync(good[..(good.Length - 1)]);
                    request.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
                    break;
                case "wrong-transaction-id":
                    await request.SendAsync(request.RegistersResponse(100, transactionId: (ushort)(request.TransactionId + 100)));
                    break;
                case "wrong-protocol-id":
                    await request.SendAsync(request.RegistersResponse(100, protocolId: 1));
                    break;
                case "oversized-length":
                    // Only the header: the client must reject it without waiting for 65 535 bytes.
                    await request.SendAsync(request.RegistersResponse(100, lengthField: 0xFFFF)[..7]);
                    break;
                case "wrong-unit-id":
                    await request.SendAsync(request.RegistersResponse(100, unitId: (byte)(request.UnitId + 1)));
                    break;
                case "byte-count-mismatch":
                    good[8] = (byte)(good[8] - 2);
                    await request.SendAsync(good);
                    break;
                case "undefined-exception-code":
                    await request.SendAsync(request.ExceptionResponse(0x09));
                    break;
                case "reset":
                    request.Reset();
                    break;
                default:
                    request.Socket.Close();
                    break;
            }
        });
        await using var client = NewClient(peer.EndPoint, TimeSpan.FromSeconds(10));
        var values = new ushort[] { Sentinel, Sentinel };

        var failed = await client.ReadHoldingRegistersAsync(1, 0, values).AsTask().WaitAsync(TestDeadline);

        Assert.Equal(status, failed.Status);
        Assert.Equal(error, failed.ProtocolError);
        Assert.Equal([Sentinel, Sentinel], values);
        Assert.False(client.IsConnected);

        var recovered = await client.ReadHoldingRegistersAsync(1, 0, values).AsTask().WaitAsync(TestDeadline);

        Assert.Equal(ModbusStatus.Success, recovered.Status);
        Assert.Equal([100, 101], values);
        var counters = client.Counters;
        Assert.Equal(2, counters.Requests);
        Assert.Equal(1, counters.Responses);
        Assert.Equal(error is null ? 0 : 1, counters.ProtocolErrors);
        Assert.Equal(error is null ? 1 : 0, counters.ConnectionsLost);
        Assert.Equal(1, counters.Reconnects);
        Assert.Equal(2, peer.Connections);
    }

    [Fact]
    public async Task Read_TruncatedFrameThenSilence_TimesOutAndReconnectsSoTheHalfFrameCannotMisalignTheNext()
    {
        await using var peer = new FaultPeer(async request =>
        {
            var good = request.RegistersResponse(100);
            await request.SendAsync(request.Index == 0 ? good[..9] : good);
        });
        await using var client = NewClient(peer.EndPoint, TimeSpan.FromMilliseconds(300));
        var values = new ushort[] { Sentinel, Sentinel };

        var first = await client.ReadHoldingRegistersAsync(1, 0, values).AsTask().WaitAsync(TestDeadline);
        var second = await client.ReadHoldingRegistersAsync(1, 0, values).AsTask().WaitAsync(TestDeadline);

        Assert.Equal(ModbusStatus.Timeout, first.Status);
        Assert.Equal(ModbusStatus.Success, second.Status);
        Assert.Equal([100, 101], values);
        Assert.Equal(1, client.Counters.Timeouts);
        Assert.Equal(2, peer.Connections);
    }

    [Fact]
    public async Task Read_LateResponseOfATimedOutRequest_IsCountedAndDroppedAndTheNextReadGetsItsOwnValues()
    {
        PeerRequest? withheld = null;
        await using var peer = new FaultPeer(async request =>
        {
            if (request.Index == 0)
            {
                withheld = request;
                return;
            }

            // The answer to the first request arrives just before the answer to the second, on the same connection.
            await request.SendAsync([.. withheld!.RegistersResponse(7000), .. request.RegistersResponse(100)]);
        });
        await using var client = NewClient(peer.EndPoint, TimeSpan.FromMilliseconds(300));
        var values = new ushort[] { Sentinel, Sentinel };

        var first = await client.ReadHoldingRegistersAsync(1, 0, values).AsTask().WaitAsync(TestDeadline);
        Assert.Equal(ModbusStatus.Timeout, first.Status);
        Assert.Equal([Sentinel, Sentinel], values);

        var second = await client.ReadHoldingRegistersAsync(1, 0, values).AsTask().WaitAsync(TestDeadline);

        Assert.Equal(ModbusStatus.Success, second.Status);
        Assert.Equal([100, 101], values);
        var counters = client.Counters;
        Assert.Equal(1, counters.LateResponses);
        Assert.Equal(1, counters.Timeouts);
        Assert.Equal(0, counters.ProtocolErrors);
        Assert.Equal(1, peer.Connections);
    }

    [Fact]
    public async Task Read_DuplicateResponse_IsCountedAsLateOnTheNextRequestAndDropped()
    {
        await using var peer = new FaultPeer(async request =>
        {
            var response = request.RegistersResponse((ushort)(100 * (request.Index + 1)));
            await request.SendAsync(request.Index == 0 ? [.. response, .. response] : response);
        });
        await using var client = NewClient(peer.EndPoint, TimeSpan.FromSeconds(10));
        var values = new ushort[2];

        Assert.True((await client.ReadHoldingRegistersAsync(1, 0, values)).IsSuccess);
        Assert.Equal([100, 101], values);
        Assert.True((await client.ReadHoldingRegistersAsync(1, 0, values)).IsSuccess);

        Assert.Equal([200, 201], values);
        Assert.Equal(1, client.Counters.LateResponses);
        Assert.Equal(1, peer.Connections);
    }

    [Fact]
    public async Task Read_PeerStopsAnswering_TimesOutEveryTimeWithoutHangingAndReopensAfterTheLimit()
    {
        await using var peer = new FaultPeer(_ => Task.CompletedTask);
        await using var client = NewClient(peer.EndPoint, TimeSpan.FromMilliseconds(200), maxTimeouts: 2);
        var values = new ushort[] { Sentinel };

        var results = new List<ModbusStatus>();
        for (var i = 0; i < 4; i++)
        {
            results.Add((await client.ReadInputRegistersAsync(1, 0, values).AsTask().WaitAsync(TestDeadline)).Status);
        }

        Assert.All(results, s => Assert.Equal(ModbusStatus.Timeout, s));
        Assert.Equal([Sentinel], values);
        Assert.Equal(4, client.Counters.Timeouts);
        Assert.Equal(2, peer.Connections);
    }

    [Fact]
    public async Task Read_TimeoutTimerFiresEarlyByTheClock_StillTimesOutInsteadOfWaitingForever()
    {
        // Regression: timers tick on a coarser clock than GetTimestamp; a timer firing before the deadline used to be
        // taken as a stray cancel, and nothing re-armed it, so the request waited forever.
        await using var peer = new FaultPeer(_ => Task.CompletedTask);
        await using var client = new ModbusTcpClient(new ModbusTcpClientOptions
        {
            EndPoint = peer.EndPoint,
            RequestTimeout = TimeSpan.FromMilliseconds(300),
            TimeProvider = new EarlyTimers(TimeSpan.FromMilliseconds(200)),
        });

        var result = await client.ReadHoldingRegistersAsync(1, 0, new ushort[1]).AsTask().WaitAsync(TestDeadline);

        Assert.Equal(ModbusStatus.Timeout, result.Status);
    }

    [Fact]
    public async Task Read_ExceptionResponse_IsTypedAndKeepsTheConnection()
    {
        await using var peer = new FaultPeer(request => request.SendAsync(request.ExceptionResponse(0x0B)));
        await using var client = NewClient(peer.EndPoint, TimeSpan.FromSeconds(10));
        var values = new ushort[] { Sentinel };

        var result = await client.ReadHoldingRegistersAsync(9, 0, values);

        Assert.Equal(ModbusStatus.ExceptionResponse, result.Status);
        Assert.Equal(ModbusExceptionCode.GatewayTargetDeviceFailedToRespond, result.ExceptionCode);
        Assert.Equal([Sentinel], values);
        Assert.True(client.IsConnected);
        Assert.Equal(1, client.Counters.ExceptionResponses);
        var thrown = Assert.Throws<ModbusRequestException>(result.EnsureSuccess);
        Assert.Equal(ModbusExceptionCode.GatewayTargetDeviceFailedToRespond, thrown.ExceptionCode);
    }

    [Fact]
    public async Task Requests_EachAduArrivesInOneSocketWrite()
    {
        await using var peer = new FaultPeer(request => request.Function == 0x10
            ? request.SendAsync([.. request.Adu[..4], 0, 6, .. request.Adu[6..12]])
            : request.SendAsync(request.RegistersResponse(1)));
        await using var client = NewClient(peer.EndPoint, TimeSpan.FromSeconds(10));

        for (var i = 0; i < 20; i++)
        {
            Assert.True((await client.ReadHoldingRegistersAsync(1, 0, new ushort[125])).IsSuccess);
            Assert.True((await client.WriteMultipleRegistersAsync(1, 0, new ushort[123])).IsSuccess);
        }

        Assert.Equal(40, peer.FirstReceives.Count);
        Assert.All(peer.FirstReceives, r => Assert.Equal(r.AduLength, r.Received));
    }

    [Fact]
    public async Task Read_NobodyListening_FailsToConnectThenBacksOffWithoutTrying()
    {
        var port = FreePort();
        await using var client = new ModbusTcpClient(new ModbusTcpClientOptions
        {
            EndPoint = new IPEndPoint(IPAddress.Loopback, port),
            RequestTimeout = TimeSpan.FromMilliseconds(200),
            ReconnectDelayMin = TimeSpan.FromSeconds(20),
            JitterSeed = 1,
        });

        var first = await client.ReadHoldingRegistersAsync(1, 0, new ushort[1]);
        var second = await client.ReadHoldingRegistersAsync(1, 0, new ushort[1]);

        Assert.Equal(ModbusStatus.ConnectFailed, first.Status);
        Assert.Contains("ConnectionRefused", first.Detail, StringComparison.Ordinal);
        Assert.Equal(ModbusStatus.ConnectFailed, second.Status);
        Assert.Contains("backing off", second.Detail, StringComparison.Ordinal);
        Assert.Equal(2, client.Counters.ConnectFailures);
        Assert.Equal(0, client.Counters.Requests);
    }

    [Fact]
    public async Task Write_UnitZeroBroadcast_IsRefusedBeforeSending()
    {
        await using var client = NewClient(new IPEndPoint(IPAddress.Loopback, FreePort()), TimeSpan.FromSeconds(1));

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.WriteSingleRegisterAsync(0, 1, 1).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.ReadHoldingRegistersAsync(1, 0, new ushort[126]).AsTask());
        Assert.Equal(0, client.Counters.ConnectFailures);
    }

    internal static ModbusTcpClient NewClient(IPEndPoint endPoint, TimeSpan timeout, int maxTimeouts = 3) => new(new ModbusTcpClientOptions
    {
        EndPoint = endPoint,
        RequestTimeout = timeout,
        MaxConsecutiveTimeouts = maxTimeouts,
        ReconnectDelayMin = TimeSpan.FromMilliseconds(10),
        JitterSeed = 42,
    });

    private static int FreePort()
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>The system clock, but every timer fires <paramref name="early"/> before it is due.</summary>
    private sealed class EarlyTimers(TimeSpan early) : TimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            new Early(System.CreateTimer(callback, state, Shorten(dueTime), period), early);

        private TimeSpan Shorten(TimeSpan due) => due == Timeout.InfiniteTimeSpan || due <= early ? due : due - early;

        private sealed class Early(ITimer inner, TimeSpan early) : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) =>
                inner.Change(dueTime == Timeout.InfiniteTimeSpan || dueTime <= early ? dueTime : dueTime - early, period);

            public void Dispose() => inner.Dispose();

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }
}
