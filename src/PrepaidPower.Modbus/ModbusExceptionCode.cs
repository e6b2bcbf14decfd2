namespace PrepaidPower.Modbus;

/// <summary>
/// Exception codes a device answers with (function | 0x80, code), Modbus Application Protocol v1.1b3 §7.
/// 09 is not defined; a response carrying it (or 00, or above 0B) is a protocol error, not an exception response.
/// </summary>
public enum ModbusExceptionCode : byte
{
    /// <summary>01: the device does not support this function code. A configuration error: do not retry.</summary>
    IllegalFunction = 0x01,

    /// <summary>02: the address range is not served by the device. A configuration error: do not retry.</summary>
    IllegalDataAddress = 0x02,

    /// <summary>03: a value in the request is not allowed (quantity out of range, malformed body).</summary>
    IllegalDataValue = 0x03,

    /// <summary>04: the device failed while performing the action. Transient: retry with backoff.</summary>
    ServerDeviceFailure = 0x04,

    /// <summary>05: accepted, still processing (long programming commands). Poll later.</summary>
    Acknowledge = 0x05,

    /// <summary>06: busy with a long command. Transient: retry with backoff.</summary>
    ServerDeviceBusy = 0x06,

    /// <summary>07: legacy "negative acknowledge"; libmodbus keeps it, the v1.1b3 table omits it.</summary>
    NegativeAcknowledge = 0x07,

    /// <summary>08: memory parity error reading a file record.</summary>
    MemoryParityError = 0x08,

    /// <summary>0A: the gateway has no path to the target (misconfigured or overloaded gateway).</summary>
    GatewayPathUnavailable = 0x0A,

    /// <summary>0B: the gateway's target device did not answer (the meter behind the concentrator is silent). Transient.</summary>
    GatewayTargetDeviceFailedToRespond = 0x0B,
}

internal static class ModbusExceptionCodes
{
    public static bool IsDefined(byte code) => code is >= 0x01 and <= 0x08 or 0x0A or 0x0B;
}
