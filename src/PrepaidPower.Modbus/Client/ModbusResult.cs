// The outcome of one client request: success or a typed failure, never a reading taken from a bad frame.
namespace PrepaidPower.Modbus;

/// <summary>How a request ended.</summary>
public enum ModbusStatus
{
    /// <summary>The device answered normally; read values are in the caller's buffer.</summary>
    Success,

    /// <summary>The device answered with an exception response; see <see cref="ModbusResult.ExceptionCode"/>. The buffer is untouched.</summary>
    ExceptionResponse,

    /// <summary>No matching response within the request timeout. A late answer will be counted and dropped.</summary>
    Timeout,

    /// <summary>The peer sent a frame that breaks the protocol; the connection was closed and is reopened on the next request.</summary>
    ProtocolError,

    /// <summary>The connection was closed or reset before the response arrived; reopened on the next request.</summary>
    ConnectionLost,

    /// <summary>No connection could be opened (refused, connect timeout, or still backing off after failed attempts).</summary>
    ConnectFailed,
}

/// <summary>
/// Result of one request. <c>default</c> is <see cref="ModbusStatus.Success"/>. <see cref="Detail"/> is a human-readable
/// reason on failures (allocated only then).
/// </summary>
public readonly struct ModbusResult
{
    public ModbusResult(ModbusStatus status, ModbusExceptionCode exceptionCode = default, ModbusProtocolError? protocolError = null, string? detail = null)
    {
        Status = status;
        ExceptionCode = exceptionCode;
        ProtocolError = protocolError;
        Detail = detail;
    }

    public static ModbusResult Success => default;

    public ModbusStatus Status { get; }

    /// <summary>The device's exception code when <see cref="Status"/> is <see cref="ModbusStatus.ExceptionResponse"/>.</summary>
    public ModbusExceptionCode ExceptionCode { get; }

    /// <summary>Which rule was broken when <see cref="Status"/> is <see cref="ModbusStatus.ProtocolError"/>.</summary>
    public ModbusProtocolError? ProtocolError { get; }

    public string? Detail { get; }

    public bool IsSuccess => Status == ModbusStatus.Success;

    /// <summary>Throws <see cref="ModbusRequestException"/> unless the request succeeded.</summary>
    public void EnsureSuccess()
    {
        if (!IsSuccess)
        {
            throw new ModbusRequestException(this);
        }
    }

    public override string ToString() => Status switch
    {
        ModbusStatus.Success => "Success",
        ModbusStatus.ExceptionResponse => $"ExceptionResponse {(byte)ExceptionCode:X2} {ExceptionCode}",
        _ => $"{Status}: {Detail}",
    };
}

/// <summary>A failed Modbus request, for callers that prefer exceptions (<see cref="ModbusResult.EnsureSuccess"/>).</summary>
public sealed class ModbusRequestException : Exception
{
    public ModbusRequestException(ModbusResult result)
        : base($"Modbus request failed: {result}") => Result = result;

    public ModbusRequestException()
        : this(new ModbusResult(ModbusStatus.ConnectionLost, detail: "unknown"))
    {
    }

    public ModbusRequestException(string message)
        : base(message) => Result = new ModbusResult(ModbusStatus.ConnectionLost, detail: message);

    public ModbusRequestException(string message, Exception innerException)
        : base(message, innerException) => Result = new ModbusResult(ModbusStatus.ConnectionLost, detail: message);

    public ModbusResult Result { get; }

    public ModbusStatus Status => Result.Status;

    public ModbusExceptionCode ExceptionCode => Result.ExceptionCode;
}
