namespace PrepaidPower.Modbus.Tests.Peers;

/// <summary>Starts one pymodbus 3.0 server (Peers/pymodbus_server.py under /usr/bin/python3) for the class.</summary>
public sealed class PymodbusFixture : IAsyncLifetime
{
    private PymodbusPeer? _peer;

    internal PymodbusPeer Peer => _peer ?? throw new InvalidOperationException("pymodbus peer not started");

    public async Task InitializeAsync() => _peer = await PymodbusPeer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_peer is not null)
        {
            await _peer.DisposeAsync();
        }
    }
}

/// <summary>
/// Our client against pymodbus 3.0 (Debian python3-pymodbus), an independent server implementation.
/// Never skipped: without pymodbus these tests fail with the apt-get line to install it.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PymodbusTests(PymodbusFixture fixture) : IClassFixture<PymodbusFixture>, IAsyncLifetime
{
    private ModbusTcpClient _client = null!;

    public Task InitializeAsync()
    {
        _client = new ModbusTcpClient(new ModbusTcpClientOptions { EndPoint = fixture.Peer.EndPoint, RequestTimeout = TimeSpan.FromSeconds(2) });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _client.DisposeAsync();

    [Fact]
    public async Task ReadHoldingRegisters_32BitValuesInBothWordOrders_Decode()
    {
        var registers = new ushort[4];

        (await _client.ReadHoldingRegistersAsync(1, 0, registers)).EnsureSuccess();

        Assert.Equal([0x0001, 0xE240, 0xE240, 0x0001], registers);
        Assert.Equal(1234.56m, new RegisterFormat(RegisterDataType.UInt32, WordOrder.ABCD, 0.01m).Decode(registers.AsSpan(0, 2)));
        Assert.Equal(1234.56m, new RegisterFormat(RegisterDataType.UInt32, WordOrder.CDAB, 0.01m).Decode(registers.AsSpan(2, 2)));
    }

    [Fact]
    public async Task ReadInputRegisters_RoutedByUnitId()
    {
        var unit1 = new ushort[4];
        var unit2 = new ushort[1];

        (await _client.ReadInputRegistersAsync(1, 0, unit1)).EnsureSuccess();
        (await _client.ReadInputRegistersAsync(2, 0, unit2)).EnsureSuccess();

        Assert.Equal([10, 20, 30, 40], unit1);
        Assert.Equal([2000], unit2);
    }

    [Fact]
    public async Task ReadHoldingRegisters_125AtOnce_IsTheLargestRead()
    {
        var registers = new ushort[125];
        registers.AsSpan().Fill(0xDEAD);

        var result = await _client.ReadHoldingRegistersAsync(2, 0, registers);

        Assert.True(result.IsSuccess, result.ToString());
        Assert.All(registers, r => Assert.Equal(0, r));
    }

    [Fact]
    public async Task WriteSingleAndMultipleRegisters_ReadBackTheSame()
    {
        var format = new RegisterFormat(RegisterDataType.UInt32, WordOrder.ABCD, 0.01m);
        var encoded = new ushort[2];
        format.Encode(98765.43m, encoded);

        (await _client.WriteSingleRegisterAsync(1, 50, 0xBEEF)).EnsureSuccess();
        (await _client.WriteMultipleRegistersAsync(1, 51, encoded)).EnsureSuccess();
        var back = new ushort[3];
        (await _client.ReadHoldingRegistersAsync(1, 50, back)).EnsureSuccess();

        Assert.Equal(0xBEEF, back[0]);
        Assert.Equal(98765.43m, format.Decode(back.AsSpan(1)));
    }

    [Fact]
    public async Task CoilsAndDiscreteInputs_ReadWriteRoundTrip()
    {
        var coils = new bool[8];
        var inputs = new bool[4];

        (await _client.ReadCoilsAsync(1, 0, coils)).EnsureSuccess();
        (await _client.ReadDiscreteInputsAsync(1, 0, inputs)).EnsureSuccess();
        (await _client.WriteSingleCoilAsync(1, 60, true)).EnsureSuccess();
        (await _client.WriteMultipleCoilsAsync(1, 61, new[] { true, false, true, true, false, false, false, false, true })).EnsureSuccess();
        var written = new bool[10];
        (await _client.ReadCoilsAsync(1, 60, written)).EnsureSuccess();

        Assert.Equal([true, false, true, true, false, false, true, true], coils);
        Assert.Equal([false, true, false, true], inputs);
        Assert.Equal([true, true, false, true, true, false, false, false, false, true], written);
    }

    [Fact]
    public async Task ReadPastTheEnd_IsExceptionIllegalDataAddressNotAReading()
    {
        var registers = new ushort[] { 0xDEAD, 0xDEAD, 0xDEAD, 0xDEAD, 0xDEAD };

        var result = await _client.ReadHoldingRegistersAsync(1, 198, registers);

        Assert.Equal(ModbusStatus.ExceptionResponse, result.Status);
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, result.ExceptionCode);
        Assert.All(registers, r => Assert.Equal(0xDEAD, r));
        Assert.Equal(1, _client.Counters.ExceptionResponses);
    }

    [Fact]
    public async Task ReadUnknownUnit_PymodbusStaysSilent_TimeoutThenTheNextReadSucceeds()
    {
        var registers = new ushort[1];

        var silent = await _client.ReadInputRegistersAsync(9, 0, registers).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        var next = await _client.ReadInputRegistersAsync(2, 0, registers);

        Assert.Equal(ModbusStatus.Timeout, silent.Status);
        Assert.True(next.IsSuccess, next.ToString());
        Assert.Equal([2000], registers);
        Assert.Equal(1, _client.Counters.Timeouts);
    }
}
