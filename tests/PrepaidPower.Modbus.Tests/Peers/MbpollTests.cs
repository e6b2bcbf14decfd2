using System.Globalization;
using System.Text.RegularExpressions;
using PrepaidPower.Modbus.Tests.Transport;

namespace PrepaidPower.Modbus.Tests.Peers;

/// <summary>
/// libmodbus's mbpoll (Debian mbpoll 1.4.11, libmodbus 3.1.6) — a strict, independent master — reading and writing our
/// server. Never skipped: without mbpoll these tests fail with the apt-get line to install it.
/// </summary>
[Trait("Category", "Integration")]
public sealed partial class MbpollTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly RegisterFormat Abcd32 = new(RegisterDataType.UInt32, WordOrder.ABCD);
    private static readonly RegisterFormat Cdab32 = new(RegisterDataType.UInt32, WordOrder.CDAB);

    private readonly RegisterMapHandler _map = new(holdingRegisters: 100, inputRegisters: 100);
    private RecordingHandler _device = null!;
    private ModbusTcpServer _server = null!;

    public Task InitializeAsync()
    {
        ExternalTool.Require(ExternalTool.Mbpoll, "mbpoll");
        _map.SetRegisters(ModbusFunction.ReadInputRegisters, 0, [10, 20, 30, 40]);
        _map.SetValue(ModbusFunction.ReadHoldingRegisters, 0, Abcd32, 123456);
        _map.SetValue(ModbusFunction.ReadHoldingRegisters, 2, Cdab32, 123456);
        _map.SetValue(ModbusFunction.ReadInputRegisters, 10, new RegisterFormat(RegisterDataType.Float32), 1234.5m);
        var unit2 = new RegisterMapHandler(inputRegisters: 10);
        unit2.SetRegisters(ModbusFunction.ReadInputRegisters, 0, [2000]);
        _device = new RecordingHandler(_map);
        _server = new ModbusTcpServer(new Dictionary<byte, IModbusRequestHandler> { [1] = _device, [2] = unit2 });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task ReadInputRegisters_Fc04_ReturnsTheValues()
    {
        var output = await PollAsync("-a", "1", "-r", "0", "-c", "4", "-t", "3", "-1");

        Assert.Equal(["10", "20", "30", "40"], output);
        Assert.Equal([ModbusFunction.ReadInputRegisters], _device.Functions);
    }

    [Fact]
    public async Task ReadHoldingRegisters_Fc03Hex_ShowsTheRawWords()
    {
        var output = await PollAsync("-a", "1", "-r", "0", "-c", "2", "-t", "4:hex", "-1");

        Assert.Equal(["0x0001", "0xE240"], output);
        Assert.Equal([ModbusFunction.ReadHoldingRegisters], _device.Functions);
    }

    [Fact]
    public async Task ReadInt32_BigEndianFlag_ReadsAbcdAndDefaultReadsCdab()
    {
        var abcd = await PollAsync("-a", "1", "-r", "0", "-c", "1", "-t", "4:int", "-B", "-1");
        var cdab = await PollAsync("-a", "1", "-r", "2", "-c", "1", "-t", "4:int", "-1");
        var abcdReadAsCdab = await PollAsync("-a", "1", "-r", "0", "-c", "1", "-t", "4:int", "-1");

        Assert.Equal(["123456"], abcd);
        Assert.Equal(["123456"], cdab);
        Assert.Equal([(-499122175).ToString(CultureInfo.InvariantCulture)], abcdReadAsCdab);
    }

    [Fact]
    public async Task ReadFloat_BigEndian_ReadsOurFloat32()
    {
        var output = await PollAsync("-a", "1", "-r", "10", "-c", "1", "-t", "3:float", "-B", "-1");

        Assert.Equal(1234.5, double.Parse(Assert.Single(output), CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task WriteOneRegister_UsesFc06AndStoresIt()
    {
        await PollAsync("-a", "1", "-r", "20", "-t", "4", "127.0.0.1", "42");

        Assert.Equal([42], Holding(20, 1));
        Assert.Equal([ModbusFunction.WriteSingleRegister], _device.Functions);
    }

    [Fact]
    public async Task WriteTwoRegisters_UsesFc16AndStoresThem()
    {
        await PollAsync("-a", "1", "-r", "20", "-t", "4", "127.0.0.1", "42", "43");

        Assert.Equal([42, 43], Holding(20, 2));
        Assert.Equal([ModbusFunction.WriteMultipleRegisters], _device.Functions);
    }

    [Fact]
    public async Task WriteInt32_WordOrderFollowsTheFlag()
    {
        await PollAsync("-a", "1", "-r", "30", "-t", "4:int", "-B", "127.0.0.1", "100000");
        await PollAsync("-a", "1", "-r", "40", "-t", "4:int", "127.0.0.1", "100000");

        Assert.Equal([0x0001, 0x86A0], Holding(30, 2));
        Assert.Equal([0x86A0, 0x0001], Holding(40, 2));
        Assert.Equal(100000m, Abcd32.Decode(Holding(30, 2)));
        Assert.Equal(100000m, Cdab32.Decode(Holding(40, 2)));
    }

    [Fact]
    public async Task ReadSeveralUnits_EachUnitAnswersFromItsOwnMap()
    {
        var result = await RunAsync("-a", "1:2", "-r", "0", "-c", "1", "-t", "3", "-1");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("-- Polling slave 1...", result.StdOut, StringComparison.Ordinal);
        Assert.Equal(["10", "2000"], Values(result.StdOut));
    }

    [Fact]
    public async Task ReadPastTheEnd_Exception02_MbpollReportsIllegalDataAddress()
    {
        var result = await RunAsync("-a", "1", "-r", "98", "-c", "4", "-t", "4", "-1");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Illegal data address", result.StdErr + result.StdOut, StringComparison.Ordinal);
        Assert.Empty(Values(result.StdOut));
    }

    [Fact]
    public async Task ReadUnknownUnit_Exception0B_MbpollReportsTheGatewayTargetFailure()
    {
        var result = await RunAsync("-a", "7", "-r", "0", "-c", "1", "-t", "4", "-1");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Target device failed to respond", result.StdErr + result.StdOut, StringComparison.Ordinal);
    }

    private ushort[] Holding(ushort address, int count)
    {
        var values = new ushort[count];
        _map.GetRegisters(ModbusFunction.ReadHoldingRegisters, address, values);
        return values;
    }

    private async Task<List<string>> PollAsync(params string[] arguments)
    {
        var result = await RunAsync(arguments);
        Assert.True(result.ExitCode == 0, $"mbpoll failed: {result}");
        return Values(result.StdOut);
    }

    /// <summary>Runs mbpoll in TCP mode with 0-based addresses against our server; the host goes last unless the caller placed it before write values.</summary>
    private Task<ToolResult> RunAsync(params string[] arguments)
    {
        var hostGiven = arguments.Contains("127.0.0.1");
        string[] common = ["-m", "tcp", "-p", _server.LocalEndPoint.Port.ToString(CultureInfo.InvariantCulture), "-0", "-o", "5"];
        return ExternalTool.RunAsync(ExternalTool.Mbpoll, [.. common, .. arguments, .. hostGiven ? Array.Empty<string>() : ["127.0.0.1"]], Timeout);
    }

    private static List<string> Values(string stdout) =>
        ValueLine().Matches(stdout).Select(m => m.Groups[1].Value).ToList();

    [GeneratedRegex(@"^\[\d+\]:\s+(\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex ValueLine();
}
