namespace PrepaidPower.Modbus;

/// <summary>What was wrong with a frame that broke the protocol. Every kind closes the connection.</summary>
public enum ModbusProtocolError
{
    /// <summary>The MBAP protocol identifier was not 0.</summary>
    BadProtocolId,

    /// <summary>The MBAP length field was below 2 (unit id + function code) or above 254.</summary>
    BadLength,

    /// <summary>A response carried a transaction id that no request of this connection used recently.</summary>
    UnexpectedTransactionId,

    /// <summary>A response's unit id differed from the request's.</summary>
    UnitIdMismatch,

    /// <summary>A response's function code was neither the request's nor the request's | 0x80.</summary>
    FunctionMismatch,

    /// <summary>A response body did not match the request: wrong byte count, wrong length, echo differs.</summary>
    MalformedResponse,

    /// <summary>An exception response carried an undefined exception code (00, 09, above 0B).</summary>
    UndefinedExceptionCode,

    /// <summary>The peer closed the connection in the middle of a frame.</summary>
    TruncatedFrame,
}

/// <summary>
/// A frame that breaks Modbus TCP framing or does not answer the request. Protocol errors close the connection:
/// after one, the byte stream can no longer be trusted to be aligned on frame boundaries.
/// </summary>
public sealed class ModbusProtocolException : Exception
{
    public ModbusProtocolException(ModbusProtocolError error, string message)
        : base(message) => Error = error;

    public ModbusProtocolException()
        : this(ModbusProtocolError.MalformedResponse, "Malformed Modbus frame.")
    {
    }

    public ModbusProtocolException(string message)
        : this(ModbusProtocolError.MalformedResponse, message)
    {
    }

    public ModbusProtocolException(string message, Exception innerException)
        : base(message, innerException) => Error = ModbusProtocolError.MalformedResponse;

    /// <summary>Which rule the frame broke.</summary>
    public ModbusProtocolError Error { get; }
}
