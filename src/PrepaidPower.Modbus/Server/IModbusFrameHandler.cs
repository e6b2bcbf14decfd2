using System.Buffers;

namespace PrepaidPower.Modbus;

/// <summary>What a server does with one request frame.</summary>
public enum ModbusFrameOutcome
{
    /// <summary>The handler wrote a response ADU; send it.</summary>
    Replied,

    /// <summary>Send nothing (a silent device: the client times out).</summary>
    NoReply,

    /// <summary>Close the connection without answering.</summary>
    Drop,
}

/// <summary>
/// Handles whole request frames instead of parsed per-unit requests, for devices that misbehave on purpose (the
/// simulator's faults: no answer, a dropped connection). A correct device uses <see cref="IModbusRequestHandler"/>.
/// </summary>
public interface IModbusFrameHandler
{
    /// <summary>
    /// Writes the response ADU for <paramref name="frame"/> into <paramref name="output"/> (empty on entry) when it
    /// replies; <c>ResetWrittenCount</c> discards a partly written response.
    /// </summary>
    ModbusFrameOutcome Handle(in MbapFrame frame, ArrayBufferWriter<byte> output);
}
