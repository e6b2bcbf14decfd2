// What really happened to every meter: exact energy, register history, exchanges; readable by tests and benchmarks.
using PrepaidPower.Modbus.Profiles;

namespace PrepaidPower.Simulator;

/// <summary>
/// The ground truth of one meter at a simulated instant.
/// <see cref="TrueWh"/> is the exact energy in whole Wh consumed since the simulation started (every exchange
/// included; the &lt; 1 Wh not yet counted is carried, never lost). <see cref="RegisteredWh"/> is the energy the
/// total-energy registers account for: the sum, over this meter and every meter it replaced, of (counts advanced ×
/// Wh per count). A platform that billed every register advance, rollovers and exchanges included, billed exactly
/// <see cref="RegisteredWh"/>; TrueWh − RegisteredWh is below one count per meter installed (register rounding).
/// </summary>
public readonly record struct MeterTruth(
    int Meter,
    int Concentrator,
    DateTimeOffset At,
    long TrueWh,
    long RegisteredWh,
    ulong TotalRegisterRaw,
    long WattHoursPerCount,
    long WhSinceInstall,
    long SharpWh,
    long PeakWh,
    long FlatWh,
    long ValleyWh,
    int Exchanges,
    int Rollovers,
    bool RelayClosed,
    bool RelayCommandedClosed,
    int PowerLimitW,
    int Events,
    ConsumptionKind Kind,
    int NominalW)
{
    /// <summary>True when the meter has latched <paramref name="meterEvent"/>.</summary>
    public bool Has(MeterEvent meterEvent) => (Events & (1 << (int)meterEvent)) != 0;
}

/// <summary>
/// A meter exchange: the old meter's final total register and the new one's start value (the installer's record,
/// which a utility enters into its system), plus the truth at that instant.
/// </summary>
public sealed record MeterExchange(
    int Meter,
    DateTimeOffset At,
    ulong OldFinalRaw,
    ulong NewStartRaw,
    long OldRegisteredWh,
    int OldRollovers,
    long TrueWhAtExchange);
