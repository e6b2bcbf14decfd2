// Faults the tests switch on and off while the city runs: what a concentrator or a meter does wrong on the wire.
using PrepaidPower.Modbus;

namespace PrepaidPower.Simulator;

/// <summary>A misbehaviour of a concentrator (every request to it) or of one meter (requests that touch its registers).</summary>
public enum FaultKind
{
    /// <summary>Behaves normally.</summary>
    None,

    /// <summary>Answers with an exception response (code given with the fault; default 04 server device failure).</summary>
    ExceptionResponse,

    /// <summary>Reads the request and never answers (the client times out).</summary>
    Timeout,

    /// <summary>Closes the TCP connection on receiving the request.</summary>
    DropConnection,

    /// <summary>Answers reads with the registers as they were when the fault was set (frozen); writes still act on the meter.</summary>
    StaleRegisters,
}

/// <summary>What a fault applies to: a concentrator (all its meters and requests) or one meter.</summary>
public readonly record struct FaultTarget
{
    private FaultTarget(bool isConcentrator, int index)
    {
        IsConcentrator = isConcentrator;
        Index = index;
    }

    public bool IsConcentrator { get; }

    /// <summary>Concentrator index or meter index.</summary>
    public int Index { get; }

    public static FaultTarget Concentrator(int index) => new(true, index);

    public static FaultTarget Meter(int index) => new(false, index);

    public override string ToString() => IsConcentrator ? $"concentrator {Index}" : $"meter {Index}";
}

/// <summary>A fault currently set on a target.</summary>
public readonly record struct ActiveFault(FaultKind Kind, ModbusExceptionCode ExceptionCode);

/// <summary>What a concentrator did with requests since start; a snapshot.</summary>
public readonly record struct ConcentratorCounters(long Requests, long Responses, long ExceptionResponses, long Unanswered, long ConnectionsDropped);
