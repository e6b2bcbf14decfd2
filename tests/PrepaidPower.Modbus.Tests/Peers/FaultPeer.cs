// A Modbus TCP device of our own that misbehaves on purpose: truncated frames, wrong ids, duplicates, resets, silence.
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace PrepaidPower.Modbus.Tests.Peers;

/// <summary>One received request ADU and the means to answer it however the test likes.</summary>
internal sealed class PeerRequest
{
    public PeerRequest(Socket socket, byte[] adu, int index, int connection)
    {
        Socket = socket;
        Adu = adu;
        Index = index;
        Connection = connection;
    }

    public Socket Socket { get; }

    public byte[] Adu { get; }

    /// <summary>0-based count of requests across all connections.</summary>
    public int Index { get; }

    /// <summary>0-based number of the connection it came on.</summary>
    public int Connection { get; }

    public ushort TransactionId => BinaryPrimitives.ReadUInt16BigEndian(Adu);

    public byte UnitId => Adu[6];

    public byte Function => Adu[7];

    public ushort Quantity => BinaryPrimitives.ReadUInt16BigEndian(Adu.AsSpan(10));

    /// <summary>A correct read-registers response whose registers are value, value+1, …</summary>
    public byte[] RegistersResponse(ushort firstValue, ushort? transactionId = null, ushort protocolId = 0, ushort? lengthField = null, byte? unitId = null)
    {
        var n = Quantity;
        var pdu = new byte[2 + (2 * n)];
        pdu[0] = Function;
        pdu[1] = (byte)(2 * n);
        for (var i = 0; i < n; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(pdu.AsSpan(2 + (2 * i)), (ushort)(firstValue + i));
        }

        return Adu_(pdu, transactionId ?? TransactionId, protocolId, lengthField, unitId ?? UnitId);
    }

    public byte[] ExceptionResponse(byte code) => Adu_([(byte)(Function | 0x80), code], TransactionId, 0, null, UnitId);

    public Task SendAsync(byte[] bytes) => Socket.SendAsync(bytes, SocketFlags.None);

    /// <summary>Closes with RST (linger 0) instead of FIN.</summary>
    public void Reset()
    {
        Socket.LingerState = new LingerOption(true, 0);
        Socket.Close();
    }

    private static byte[] Adu_(byte[] pdu, ushort transactionId, ushort protocolId, ushort? lengthField, byte unitId)
    {
        var adu = new byte[7 + pdu.Length];
        BinaryPrimitives.WriteUInt16BigEndian(adu, transactionId);
        BinaryPrimitives.WriteUInt16BigEndian(adu.AsSpan(2), protocolId);
        BinaryPrimitives.WriteUInt16BigEndian(adu.AsSpan(4), lengthField ?? (ushort)(pdu.Length + 1));
        adu[6] = unitId;
        pdu.CopyTo(adu, 7);
        return adu;
    }
}

/// <summary>
/// A raw TCP listener on loopback that reads whole request ADUs (header, then the declared rest) and hands each to the
/// test's behaviour. It also records the size of every receive, so a test can check each request arrived in one write.
/// </summary>
internal sealed class FaultPeer : IAsyncDisposable
{
    private readonly Socket _listener = new(SocketType.Stream, ProtocolType.Tcp);
    private readonly Func<PeerRequest, Task> _behaviour;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Socket> _sockets = [];
    private readonly List<Task> _tasks = [];
    private int _requests;
    private int _connections;

    public FaultPeer(Func<PeerRequest, Task> behaviour)
    {
        _behaviour = behaviour;
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(16);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _tasks.Add(AcceptAsync());
    }

    public IPEndPoint EndPoint { get; }

    public int Connections => Volatile.Read(ref _connections);

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Sizes of the first receive of each request; equal to the ADU length when the client sent it in one write.</summary>
    public ConcurrentQueue<(int Received, int AduLength)> FirstReceives { get; } = new();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }

        try
        {
            await Task.WhenAll(_tasks);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _sockets.Add(socket);
            var connection = Interlocked.Increment(ref _connections) - 1;
            lock (_tasks)
            {
                _tasks.Add(ServeAsync(socket, connection));
            }
        }
    }

    private async Task ServeAsync(Socket socket, int connection)
    {
        var pending = new List<byte>();
        var chunk = new byte[1024];
        try
        {
            while (true)
            {
                var receivedInOne = 0;
                while (pending.Count < 7 || pending.Count < 6 + BinaryPrimitives.ReadUInt16BigEndian([pending[4], pending[5]]))
                {
                    var n = await socket.ReceiveAsync(chunk, SocketFlags.None, _stop.Token);
                    if (n == 0)
                    {
                        return;
                    }

                    receivedInOne = receivedInOne == 0 && pending.Count == 0 ? n : receivedInOne;
                    pending.AddRange(chunk.AsSpan(0, n));
                }

                var length = 6 + BinaryPrimitives.ReadUInt16BigEndian([pending[4], pending[5]]);
                var adu = pending.GetRange(0, length).ToArray();
                pending.RemoveRange(0, length);
                FirstReceives.Enqueue((Math.Min(receivedInOne, length), length));
                var index = Interlocked.Increment(ref _requests) - 1;
                await _behaviour(new PeerRequest(socket, adu, index, connection));
                if (socket.SafeHandle.IsClosed)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }
}
