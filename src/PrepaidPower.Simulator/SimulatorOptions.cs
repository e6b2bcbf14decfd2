// Settings of a simulated city: size, layouts, device profile, clock, consumption mix and the network to listen on.
using System.Net;
using PrepaidPower.Modbus.Profiles;

namespace PrepaidPower.Simulator;

/// <summary>Which layout the concentrators use.</summary>
public enum SimulatedLayouts
{
    /// <summary>Every concentrator is a gateway: one meter per unit id, at most 247 meters each.</summary>
    Gateway,

    /// <summary>Every concentrator is a register table: one unit id, at most the profile's MaxMeters (3276 for the simulator profile).</summary>
    Table,

    /// <summary>Even-numbered concentrators are gateways, odd-numbered ones tables (the profile's only layout if it has one).</summary>
    Alternate,
}

/// <summary>
/// Relative weights of the load kinds assigned to meters (deterministically from the seed). Weights are
/// non-negative and not all zero; <see cref="Default"/> is 70 residential, 10 commercial, 15 heater, 5 vacant.
/// </summary>
public sealed record ConsumptionMix(int Residential, int Commercial, int Heater, int Vacant)
{
    public static ConsumptionMix Default { get; } = new(70, 10, 15, 5);

    internal int Total => Residential + Commercial + Heater + Vacant;
}

/// <summary>
/// Options of <see cref="SimulatedCity"/> and <see cref="SimulatorHost"/>. Meters are spread evenly over the
/// concentrators in index order (concentrator 0 gets meters 0…k−1, and so on).
/// </summary>
public sealed class SimulatorOptions
{
    /// <summary>Number of meters, 1–10,000,000. Default 1000.</summary>
    public int Meters { get; init; } = 1000;

    /// <summary>Number of concentrators (one TCP endpoint each), 1–65535. Default 4.</summary>
    public int Concentrators { get; init; } = 4;

    public SimulatedLayouts Layout { get; init; } = SimulatedLayouts.Alternate;

    /// <summary>The register map served; null = the built-in simulator profile (samples/devices/prepaidpower-sim.json).
    /// Energy registers must be integer types counting whole Wh (e.g. 0.01 kWh = 10 Wh per count).</summary>
    public DeviceProfile? Profile { get; init; }

    /// <summary>Seed of every meter's load kind, size and noise. Same seed, same city, same truth.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Simulated time at start (truncated to whole seconds). Null = the <see cref="TimeProvider"/>'s now.</summary>
    public DateTimeOffset? Start { get; init; }

    /// <summary>Simulated seconds per real second (k in simulated = start + k × real elapsed), 0.001–1,000,000. Default 1.</summary>
    public double Acceleration { get; init; } = 1;

    /// <summary>The real clock the simulated clock runs from; tests pass a FakeTimeProvider and advance it.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Fixed local-time offset of the city (whole minutes, no daylight saving) for the load curves and bands. Default +08:00.</summary>
    public TimeSpan UtcOffset { get; init; } = TimeSpan.FromHours(8);

    public ConsumptionMix Mix { get; init; } = ConsumptionMix.Default;

    /// <summary>How long a limited meter's load may stay above the limit before the relay trips open (overload flag). Default 60 s simulated.</summary>
    public TimeSpan OverloadTripDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Every n-th meter (index 0, n, 2n…) starts with its energy registers near the wrap value; 0 = none.</summary>
    public int RolloverEvery { get; init; }

    /// <summary>How far below the wrap value those meters start, in Wh. Default 5 kWh.</summary>
    public long RolloverHeadroomWh { get; init; } = 5_000;

    /// <summary>Address to listen on. Default loopback.</summary>
    public IPAddress ListenAddress { get; init; } = IPAddress.Loopback;

    /// <summary>Port of concentrator 0; concentrator c listens on BasePort + c. 0 = every concentrator picks a free port (reported).</summary>
    public int BasePort { get; init; }

    /// <summary>Where <see cref="SimulatorHost.RunAsync"/> prints its summary and endpoints; null = standard output.</summary>
    public TextWriter? Output { get; init; }

    /// <summary>If set, <see cref="SimulatorHost.RunAsync"/> writes the concentrator manifest (JSON) here once listening.</summary>
    public string? ManifestPath { get; init; }

    /// <summary>If set, <see cref="SimulatorHost.RunAsync"/> writes the truth dump (JSON) here when it stops.</summary>
    public string? TruthPath { get; init; }

    /// <summary>Checks every option; throws <see cref="ArgumentException"/> naming the option and what to do.</summary>
    public void Validate()
    {
        Require(Meters is >= 1 and <= 10_000_000, nameof(Meters), $"{Meters} is outside 1–10,000,000");
        Require(Concentrators is >= 1 and <= 65535, nameof(Concentrators), $"{Concentrators} is outside 1–65535");
        Require(Concentrators <= Meters, nameof(Concentrators), $"{Concentrators} concentrators for {Meters} meters would leave some empty");
        Require(Enum.IsDefined(Layout), nameof(Layout), $"unknown layout {Layout}");
        Require(Acceleration is >= 0.001 and <= 1_000_000 && double.IsFinite(Acceleration), nameof(Acceleration), $"{Acceleration} is outside 0.001–1,000,000");
        ArgumentNullException.ThrowIfNull(TimeProvider);
        ArgumentNullException.ThrowIfNull(Mix);
        ArgumentNullException.ThrowIfNull(ListenAddress);
        Require(UtcOffset.Ticks % TimeSpan.TicksPerMinute == 0 && UtcOffset.Duration() <= TimeSpan.FromHours(14), nameof(UtcOffset), $"{UtcOffset} must be whole minutes within ±14 h");
        Require(Mix.Residential >= 0 && Mix.Commercial >= 0 && Mix.Heater >= 0 && Mix.Vacant >= 0 && Mix.Total > 0, nameof(Mix), "weights must be non-negative and not all zero");
        Require(OverloadTripDelay >= TimeSpan.Zero && OverloadTripDelay <= TimeSpan.FromDays(1), nameof(OverloadTripDelay), $"{OverloadTripDelay} is outside 0–1 day");
        Require(RolloverEvery >= 0, nameof(RolloverEvery), "must be 0 (none) or positive");
        Require(RolloverHeadroomWh >= 0, nameof(RolloverHeadroomWh), "must not be negative");
        Require(BasePort == 0 || (BasePort is > 0 and <= 65535 && BasePort + Concentrators - 1 <= 65535), nameof(BasePort), $"ports {BasePort}–{BasePort + Concentrators - 1} do not fit 1–65535; use 0 to pick free ports");
    }

    private static void Require(bool condition, string name, string message)
    {
        if (!condition)
        {
            throw new ArgumentException($"Simulator option {name}: {message}.", name);
        }
    }
}
