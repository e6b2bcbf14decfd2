// The per-meter state of the simulated city: one 64-byte struct per meter in one array, no per-meter objects.
using System.Runtime.CompilerServices;

namespace PrepaidPower.Simulator;

/// <summary>Energy per time-of-use band since install, in whole Wh (index = TouBand: sharp, peak, flat, valley).</summary>
[InlineArray(4)]
internal struct BandCounters
{
    private uint _element;
}

/// <summary>
/// Everything a simulated meter remembers. Energy is integrated lazily: on every read, write or event the meter is
/// brought from <see cref="LastS"/> to now. Load kind, size and noise derive from the seed, so only the nominal power is stored.
/// </summary>
internal struct MeterState
{
    public const byte RelayClosed = 1;
    public const byte CommandClosed = 2;

    /// <summary>Whole Wh consumed since the simulation started, across meter exchanges: the truth.</summary>
    public long TotalWh;

    /// <summary><see cref="TotalWh"/> when the current meter was installed (0 until an exchange).</summary>
    public long InstallWh;

    /// <summary>Raw value of every energy register when the current meter was installed.</summary>
    public ulong StartRaw;

    /// <summary>Per-band Wh since install (up to 4.29 GWh per band).</summary>
    public BandCounters BandWh;

    /// <summary>Simulated second (since start) the energy is integrated up to.</summary>
    public int LastS;

    /// <summary>Simulated second the demand first exceeded the power limit, or −1.</summary>
    public int OverSinceS;

    /// <summary>Power limit in W; 0 = none.</summary>
    public int LimitW;

    /// <summary>W·s consumed but not yet a whole Wh (&lt; 3600).</summary>
    public ushort RemainderWs;

    public ushort NominalW;

    /// <summary>Latched events: bit (1 &lt;&lt; (int)MeterEvent).</summary>
    public ushort Events;

    /// <summary><see cref="RelayClosed"/> (what the relay does) | <see cref="CommandClosed"/> (what was last commanded).</summary>
    public byte Relay;

    public ConsumptionKind Kind;

    public readonly bool IsClosed => (Relay & RelayClosed) != 0;
}
