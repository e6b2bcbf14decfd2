// Settings of one Modbus TCP client connection.
using System.Net;

namespace PrepaidPower.Modbus;

/// <summary>Settings of a <see cref="ModbusTcpClient"/>. Defaults suit a concentrator on a LAN.</summary>
public sealed class ModbusTcpClientOptions
{
    /// <summary>The device or gateway, e.g. <c>new IPEndPoint(IPAddress.Loopback, 502)</c> or a <see cref="DnsEndPoint"/>.</summary>
    public required EndPoint EndPoint { get; init; }

    /// <summary>Time from sending a request to its response. Default 1 s.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Time to open the TCP connection. Default 3 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Wait before the second connect attempt after a failed one; doubles per failure. Default 100 ms.
    /// The first reconnect after losing an established connection is immediate.</summary>
    public TimeSpan ReconnectDelayMin { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Cap of the doubling backoff. Default 30 s.</summary>
    public TimeSpan ReconnectDelayMax { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>After this many timeouts in a row the connection is closed and reopened (a half-dead TCP peer). Default 3.</summary>
    public int MaxConsecutiveTimeouts { get; init; } = 3;

    /// <summary>Clock for timeouts and backoff; tests pass a FakeTimeProvider.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Seed of the backoff jitter (null: random). Jitter spreads reconnects of many clients after a gateway restart.</summary>
    public int? JitterSeed { get; init; }

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(EndPoint);
        if (RequestTimeout <= TimeSpan.Zero || ConnectTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RequestTimeout), "RequestTimeout and ConnectTimeout must be positive.");
        }

        if (ReconnectDelayMin <= TimeSpan.Zero || ReconnectDelayMax < ReconnectDelayMin)
        {
            throw new ArgumentOutOfRangeException(nameof(ReconnectDelayMin), "ReconnectDelayMin must be positive and not above ReconnectDelayMax.");
        }

        if (MaxConsecutiveTimeouts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConsecutiveTimeouts), MaxConsecutiveTimeouts, "Must be at least 1.");
        }
    }
}

/// <summary>
/// Counters of one client since it was created; a snapshot, read with <see cref="ModbusTcpClient.Counters"/>.
/// Every request ends in exactly one of <see cref="Responses"/>, <see cref="ExceptionResponses"/>, <see cref="Timeouts"/>,
/// <see cref="ProtocolErrors"/>, <see cref="ConnectionsLost"/> or <see cref="ConnectFailures"/> (or caller cancellation).
/// </summary>
public readonly record struct ModbusClientCounters(
    long Requests,
    long Responses,
    long ExceptionResponses,
    long Timeouts,
    long ProtocolErrors,
    long ConnectionsLost,
    long ConnectFailures,
    long Connects,
    long Reconnects,
    long LateResponses);
