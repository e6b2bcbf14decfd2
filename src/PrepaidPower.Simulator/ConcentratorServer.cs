// One simulated concentrator's Modbus TCP endpoint: the Modbus project's server, with the city answering each frame.
using System.Buffers;
using System.Net;
using PrepaidPower.Modbus;

namespace PrepaidPower.Simulator;

/// <summary>
/// Serves one concentrator of a <see cref="SimulatedCity"/> through <see cref="ModbusTcpServer"/>'s frame hook: the city
/// answers each request, or — under a simulated fault — stays silent or drops the connection. Frames that break MBAP
/// framing close the connection, as in the server.
/// </summary>
internal sealed class ConcentratorServer : IAsyncDisposable
{
    private readonly ModbusTcpServer _server;

    public ConcentratorServer(SimulatedCity city, int index, IPEndPoint endPoint, int maxConnections = 256) =>
        _server = new ModbusTcpServer(endPoint, new CityFrames(city, index), maxConnections);

    public IPEndPoint LocalEndPoint => _server.LocalEndPoint;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private sealed class CityFrames(SimulatedCity city, int index) : IModbusFrameHandler
    {
        public ModbusFrameOutcome Handle(in MbapFrame frame, ArrayBufferWriter<byte> output)
        {
            var outcome = ModbusRequest.TryParse(frame, out var request, out var error)
                ? city.Handle(index, request, output)
                : city.HandleUnparsable(index, request, error, output);
            return outcome switch
            {
                RequestOutcome.Replied => ModbusFrameOutcome.Replied,
                RequestOutcome.NoReply => ModbusFrameOutcome.NoReply,
                _ => ModbusFrameOutcome.Drop,
            };
        }
    }
}
