using System.Net.Sockets;

namespace PrepaidPower.Modbus.Tests.Transport;

/// <summary>Our server over real sockets: every function through our client, every exception it answers, and framing errors closing the connection.</summary>
[Trait("Category", "Integration")]
public sealed class ModbusTcpServerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Client_EveryFunctionCode_RoundTripsThroughTheServer()
    {
        var map = new RegisterMapHandler(holdingRegisters: 300, inputRegisters: 200, coils: 3000, discreteInputs: 3000);
        map.SetRegisters(ModbusFunction.ReadInputRegisters, 10, [11, 12, 13]);
        map.SetBits(ModbusFunction.ReadDiscreteInputs, 5, [true, false, true]);
        var device = new RecordingHandler(map);
        await using var server = new ModbusTcpServer(new Dictionary<byte, IModbusRequestHandler> { [1] = device });
        await using var client = ModbusTcpClientFaultTests.NewClient(server.LocalEndPoint, TimeSpan.FromSeconds(5));

        var input = new ushort[3];
        Assert.True((await client.ReadInputRegistersAsync(1, 10, input)).IsSuccess);
        Assert.True((await client.WriteSingleRegisterAsync(1, 7, 0xBEEF)).IsSuccess);
        Assert.True((await client.WriteMultipleRegistersAsync(1, 100, Enumerable.Range(1, 123).Select(i => (ushort)i).ToArray())).IsSuccess);
        var holding = new ushort[125];
        Assert.True((await client.ReadHoldingRegistersAsync(1, 0, holding)).IsSuccess);
        Assert.True((await client.WriteSingleCoilAsync(1, 3, true)).IsSuccess);
        var coils = Enumerable.Range(0, 1968).Select(i => i % 3 == 0).ToArray();
        Assert.True((await client.WriteMultipleCoilsAsync(1, 1000, coils)).IsSuccess);
        var readCoils = new bool[2000];
        Assert.True((await client.ReadCoilsAsync(1, 968, readCoils)).IsSuccess);
        var discrete = new bool[3];
        Assert.True((await client.ReadDiscreteInputsAsync(1, 5, discrete)).IsSuccess);

        Assert.Equal([11, 12, 13], input);
        Assert.Equal(0xBEEF, holding[7]);
        Assert.Equal(1, holding[100]);
        Assert.Equal(25, holding[124]);
        var stored = new ushort[2];
        map.GetRegisters(ModbusFunction.ReadHoldingRegisters, 221, stored);
        Assert.Equal([122, 123], stored);
        Assert.All(readCoils[..32], Assert.False);
        Assert.Equal(coils, readCoils[32..]);
        Assert.Equal([true, false, true], discrete);
        Assert.Equal(
            [ModbusFunction.ReadInputRegisters, ModbusFunction.WriteSingleRegister, ModbusFunction.WriteMultipleRegisters,
             ModbusFunction.ReadHoldingRegisters, ModbusFunction.WriteSingleCoil, ModbusFunction.WriteMultipleCoils,
             ModbusFunction.ReadCoils, ModbusFunction.ReadDiscreteInputs],
            device.Functions);
        var single = new bool[1];
        map.GetBits(ModbusFunction.ReadCoils, 3, single);
        Assert.True(single[0]);
    }

    [Fact]
    public async Task Client_ExceptionsTheServerAnswers_AreTypedPerCause()
    {
        var failing = new RecordingHandler(new RegisterMapHandler(holdingRegisters: 10)) { Throw = true };
        await using var server = new ModbusTcpServer(new Dictionary<byte, IModbusRequestHandler>
        {
            [1] = new RegisterMapHandler(holdingRegisters: 10),
            [2] = failing,
        });
        await using var client = ModbusTcpClientFaultTests.NewClient(server.LocalEndPoint, TimeSpan.FromSeconds(5));
        var values = new ushort[] { 0xDEAD, 0xDEAD };

        var pastEnd = await client.ReadHoldingRegistersAsync(1, 9, values);
        var noSuchUnit = await client.ReadHoldingRegistersAsync(42, 0, values);
        var deviceBug = await client.ReadHoldingRegistersAsync(2, 0, values);

        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, pastEnd.ExceptionCode);
        Assert.Equal(ModbusExceptionCode.GatewayTargetDeviceFailedToRespond, noSuchUnit.ExceptionCode);
        Assert.Equal(ModbusExceptionCode.ServerDeviceFailure, deviceBug.ExceptionCode);
        Assert.All([pastEnd, noSuchUnit, deviceBug], r => Assert.Equal(ModbusStatus.ExceptionResponse, r.Status));
        Assert.Equal([0xDEAD, 0xDEAD], values);
        Assert.Equal(3, server.Counters.ExceptionResponses);
    }

    [Theory]
    [InlineData("0005 0000 0006 01 41 0000 0001", "0005 0000 0003 01 C1 01")]         // unknown function → 01
    [InlineData("0006 0000 0006 01 03 0000 007E", "0006 0000 0003 01 83 03")]         // 126 registers → 03
    [InlineData("0007 0000 0006 01 03 0000 0000", "0007 0000 0003 01 83 03")]         // 0 registers → 03
    [InlineData("0008 0000 000A 01 10 0000 0002 03 0001 00", "0008 0000 0003 01 90 03")] // byte count ≠ 2·qty → 03
    [InlineData("0009 0000 0006 01 05 0000 1234", "0009 0000 0003 01 85 03")]         // coil value → 03
    [InlineData("000A 0000 0006 01 03 0000 000B", "000A 0000 0003 01 83 02")]         // past the 10 registers → 02
    public async Task RawRequest_Invalid_IsAnsweredWithTheExceptionAndTheConnectionStaysOpen(string request, string expected)
    {
        await using var server = new ModbusTcpServer(new Dictionary<byte, IModbusRequestHandler> { [1] = new RegisterMapHandler(holdingRegisters: 10) });
        using var socket = await ConnectAsync(server);

        await socket.SendAsync(Hex.Bytes(request));
        var answer = await ReceiveAsync(socket, Hex.Bytes(expected).Length);
        await socket.SendAsync(Hex.Bytes("0077 0000 0006 01 03 0000 0001"));
        var next = await ReceiveAsync(socket, 11);

        Assert.Equal(Hex.Of(Hex.Bytes(expected)), Hex.Of(answer));
        Assert.Equal("00770000000501030200" + "00", Hex.Of(next));
    }

    [Theory]
    [InlineData("0001 0001 0006 01 03 0000 0001")] // protocol id 1
    [InlineData("0001 0000 0001 01")]              // length 1: no function code
    [InlineData("0001 0000 FFFF 01")]              // length 65535, header only
    [InlineData("0001 0000 00FF 01")]              // length 255
    public async Task RawRequest_BadMbapHeader_ClosesTheConnectionWithoutAnswering(string request)
    {
        await using var server = new ModbusTcpServer(new Dictionary<byte, IModbusRequestHandler> { [1] = new RegisterMapHandler() });
        using var socket = await ConnectAsync(server);

        await socket.SendAsync(Hex.Bytes(request));
        var received = await socket.ReceiveAsync(new byte[16], SocketFlags.None).WaitAsync(Deadline);

        Assert.Equal(0, received);
        Assert.Equal(1, server.Counters.ProtocolErrors);
    }

    [Fact]
    public async Task RawRequests_PipelinedAndFedByteByByte_AreAnsweredInOrder()
    {
        var map = new RegisterMapHandler();
        map.SetRegisters(ModbusFunction.ReadHoldingRegisters, 0, [0x1111, 0x2222]);
        await using var server = new ModbusTcpServer(new Dictionary<byte, IModbusRequestHandler> { [1] = map });
        using var socket = await ConnectAsync(server);
        var requests = Hex.Bytes("0007 0000 0006 01 03 0000 0001" + "0008 0000 0006 01 03 0001 0001");

        foreach (var b in requests)
        {
            await socket.SendAsync(new[] { b });
        }

        var answers = await ReceiveAsync(socket, 22);

        Assert.Equal("000700000005010302111100080000000501030222 22".Replace(" ", "", StringComparison.Ordinal), Hex.Of(answers));
    }

    [Fact]
    public async Task Server_ManyConcurrentClients_AllReadTheirUnits()
    {
        var units = Enumerable.Range(1, 20).ToDictionary(u => (byte)u, u =>
        {
            var map = new RegisterMapHandler(holdingRegisters: 10);
            map.SetValue(ModbusFunction.ReadHoldingRegisters, 0, new RegisterFormat(RegisterDataType.UInt32, WordOrder.CDAB), u * 100_000);
            return (IModbusRequestHandler)map;
        });
        await using var server = new ModbusTcpServer(units);
        var format = new RegisterFormat(RegisterDataType.UInt32, WordOrder.CDAB);

        var totals = await Task.WhenAll(units.Keys.Select(async unit =>
        {
            await using var client = ModbusTcpClientFaultTests.NewClient(server.LocalEndPoint, TimeSpan.FromSeconds(10));
            var registers = new ushort[2];
            decimal sum = 0;
            for (var i = 0; i < 50; i++)
            {
                (await client.ReadHoldingRegistersAsync(unit, 0, registers)).EnsureSuccess();
                sum += format.Decode(registers);
            }

            return sum;
        })).WaitAsync(Deadline);

        Assert.Equal(units.Keys.Select(u => u * 100_000m * 50), totals);
        Assert.Equal(20, server.Counters.ConnectionsAccepted);
        Assert.Equal(1000, server.Counters.Requests);
    }

    private static async Task<Socket> ConnectAsync(ModbusTcpServer server)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server.LocalEndPoint);
        return socket;
    }

    private static async Task<byte[]> ReceiveAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        var offset = 0;
        while (offset < count)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(offset), SocketFlags.None).AsTask().WaitAsync(Deadline);
            Assert.True(n > 0, $"server closed after {offset} of {count} bytes");
            offset += n;
        }

        return buffer;
    }
}
