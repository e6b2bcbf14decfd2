namespace PrepaidPower.Contracts.Meters;

/// <summary>
/// Registers a meter. Registering again with the same content returns the meter; with other content, a conflict.
/// Registers are in whole Wh; defaults match a UINT32 × 0.01 kWh register.
/// </summary>
[GenerateSerializer, Alias("pp.RegisterMeterRequest")]
public sealed record RegisterMeterRequest
{
    /// <summary>Device model, e.g. "Acrel DTSD1352".</summary>
    [Id(0)] public string Model { get; init; } = "";

    /// <summary>Physical maximum power of the meter or connection, kW (0 &lt; P ≤ 1,000,000); bounds plausible advances.</summary>
    [Id(1)] public decimal MaxPowerKilowatts { get; init; }

    /// <summary>Highest value the register shows, Wh; null = 42,949,672,950 (UINT32 × 0.01 kWh).</summary>
    [Id(2)] public long? RegisterMaximumWh { get; init; }

    /// <summary>Register resolution, Wh; null = 10.</summary>
    [Id(3)] public long? RegisterStepWh { get; init; }

    /// <summary>Names of the time-of-use band registers in register order (0–4), matched to the tariff's band names.</summary>
    [Id(4)] public IReadOnlyList<string> BandNames { get; init; } = [];

    /// <summary>Where the meter is read: concentrator host:port and Modbus unit, e.g. "10.1.2.3:502/7".</summary>
    [Id(5)] public string ConcentratorAddress { get; init; } = "";

    [Id(6)] public string OperatorId { get; init; } = "";
}

/// <summary>Attaches a meter to an account. Attaching to the account it is already on is a no-op; to another, a conflict.</summary>
[GenerateSerializer, Alias("pp.AttachMeterRequest")]
public sealed record AttachMeterRequest
{
    [Id(0)] public string AccountId { get; init; } = "";

    [Id(1)] public string OperatorId { get; init; } = "";
}

/// <summary>
/// A physical meter exchange at the same supply point: the removed meter's final registers and the new meter's start
/// registers. Billing continues seamlessly (the final advance is billed). A final below the last accepted register is
/// rejected (400): it would be a refund.
/// </summary>
[GenerateSerializer, Alias("pp.MeterExchangeRequest")]
public sealed record MeterExchangeRequest
{
    [Id(0)] public long OldFinalWh { get; init; }

    [Id(1)] public long NewStartWh { get; init; }

    [Id(2)] public IReadOnlyList<long> OldFinalBandsWh { get; init; } = [];

    [Id(3)] public IReadOnlyList<long> NewStartBandsWh { get; init; } = [];

    /// <summary>When the exchange happened (UTC).</summary>
    [Id(4)] public DateTimeOffset At { get; init; }

    /// <summary>The new meter's model, if it differs; null = unchanged.</summary>
    [Id(5)] public string? NewModel { get; init; }

    [Id(6)] public string OperatorId { get; init; } = "";
}

/// <summary>One cumulative reading as collected (registers in Wh; instants UTC).</summary>
// The poll path's messages are [Immutable]: built fresh per call and never changed after, so the runtime passes them
// between grains of one silo without a deep copy.
[GenerateSerializer, Immutable, Alias("pp.ReadingReport")]
public sealed record ReadingReport
{
    /// <summary>The meter's own clock (may be wrong).</summary>
    [Id(0)] public DateTimeOffset MeterTime { get; init; }

    /// <summary>The collector's clock (trusted).</summary>
    [Id(1)] public DateTimeOffset ReceivedAt { get; init; }

    [Id(2)] public long TotalWh { get; init; }

    /// <summary>Band registers in the meter's band order (empty when it has none).</summary>
    [Id(3)] public IReadOnlyList<long> BandsWh { get; init; } = [];
}

/// <summary>What happened to a reading: outcome (Baseline, Accepted, Duplicate, Late, Held), hold reason, and what the account billed.</summary>
[GenerateSerializer, Immutable, Alias("pp.ReadingResult")]
public sealed record ReadingResult
{
    [Id(0)] public string Outcome { get; init; } = "";

    /// <summary>HoldReason name when held, else "None".</summary>
    [Id(1)] public string HoldReason { get; init; } = "";

    /// <summary>ReadingFlags names, comma-separated ("None" when there are none).</summary>
    [Id(2)] public string Flags { get; init; } = "";

    /// <summary>Energy the account billed because of this reading, Wh (0 when unattached or nothing new).</summary>
    [Id(3)] public long BilledWh { get; init; }

    /// <summary>Money the account charged, minor units.</summary>
    [Id(4)] public long ChargedMinor { get; init; }

    /// <summary>The meter's continuous position after the reading, Wh.</summary>
    [Id(5)] public long PositionWh { get; init; }
}

/// <summary>A reading held for operator review (the meter keeps the last <see cref="IMeterGrain.MaxHeldReadings"/>).</summary>
[GenerateSerializer, Alias("pp.HeldReading")]
public sealed record HeldReading
{
    [Id(0)] public ReadingReport Reading { get; init; } = new();

    [Id(1)] public string Reason { get; init; } = "";

    [Id(2)] public string Flags { get; init; } = "";

    [Id(3)] public DateTimeOffset HeldAt { get; init; }
}

/// <summary>The meter as the operator sees it, with its supply state and the command waiting for the concentrator.</summary>
[GenerateSerializer, Alias("pp.MeterView")]
public sealed record MeterView
{
    [Id(0)] public string MeterId { get; init; } = "";

    [Id(1)] public string Model { get; init; } = "";

    [Id(2)] public decimal MaxPowerKilowatts { get; init; }

    [Id(3)] public long RegisterMaximumWh { get; init; }

    [Id(4)] public IReadOnlyList<string> BandNames { get; init; } = [];

    [Id(5)] public string ConcentratorAddress { get; init; } = "";

    [Id(6)] public string? AccountId { get; init; }

    /// <summary>Last accepted raw register, Wh; null before the first reading.</summary>
    [Id(7)] public long? LastRegisterWh { get; init; }

    /// <summary>Continuous position, Wh; null before the first reading.</summary>
    [Id(8)] public long? PositionWh { get; init; }

    [Id(9)] public SupplyView Supply { get; init; } = new();

    [Id(10)] public int HeldReadingCount { get; init; }

    [Id(11)] public long ExchangeCount { get; init; }
}

/// <summary>
/// Supply (relay) state: SupplyStatus name (Unknown, Connected, LimitRequested, Limited, DisconnectRequested,
/// Disconnected, ReconnectRequested, SafetyTripped), the confirmed limit, and the command waiting to be written and
/// confirmed through the concentrator.
/// </summary>
[GenerateSerializer, Immutable, Alias("pp.SupplyView")]
public sealed record SupplyView
{
    [Id(0)] public string Status { get; init; } = "Unknown";

    [Id(1)] public decimal? LimitKilowatts { get; init; }

    [Id(2)] public PendingCommandView? Pending { get; init; }

    /// <summary>The last relay status read back ("open", "closed", "closed, limited to 3 kW"); null before the first.</summary>
    [Id(3)] public string? LastStatus { get; init; }

    [Id(4)] public DateTimeOffset? LastStatusAt { get; init; }

    /// <summary>Why the last order was given (e.g. "arrears", "enforcement: tamper"), for audit.</summary>
    [Id(5)] public string? LastOrderReason { get; init; }
}

/// <summary>A supply command awaiting confirmation: id (kept on retries), kind (SetLimit, Open, Close), limit, sends so far.</summary>
[GenerateSerializer, Immutable, Alias("pp.PendingCommandView")]
public sealed record PendingCommandView
{
    [Id(0)] public Guid CommandId { get; init; }

    [Id(1)] public string Kind { get; init; } = "";

    [Id(2)] public decimal? LimitKilowatts { get; init; }

    [Id(3)] public int Attempts { get; init; }

    [Id(4)] public DateTimeOffset NextRetryAt { get; init; }
}

/// <summary>What the account orders the meter's supply to do.</summary>
[GenerateSerializer, Alias("pp.SupplyOrderKind")]
public enum SupplyOrderKind
{
    /// <summary>Limit power to <see cref="SupplyOrderRequest.LimitKilowatts"/>.</summary>
    Limit = 1,

    /// <summary>Open the relay for arrears (needs a fresh relay status).</summary>
    DisconnectArrears = 2,

    /// <summary>Open the relay by an operator's enforcement cut (no freshness requirement).</summary>
    DisconnectEnforcement = 3,

    /// <summary>Full supply.</summary>
    Reconnect = 4,
}

/// <summary>An order from the account's credit policy (or an operator through it) to a meter's supply machine.</summary>
[GenerateSerializer, Immutable, Alias("pp.SupplyOrderRequest")]
public sealed record SupplyOrderRequest
{
    [Id(0)] public SupplyOrderKind Kind { get; init; }

    [Id(1)] public decimal? LimitKilowatts { get; init; }

    [Id(2)] public string Reason { get; init; } = "";
}

/// <summary>A relay status read back from the device: open or closed, and any power limit in force.</summary>
[GenerateSerializer, Immutable, Alias("pp.RelayReading")]
public sealed record RelayReading
{
    [Id(0)] public bool Closed { get; init; }

    [Id(1)] public decimal? LimitKilowatts { get; init; }

    [Id(2)] public DateTimeOffset At { get; init; }

    /// <summary>The concentrator that read it; the meter sends its supply commands there. Null from the API or tests.</summary>
    [Id(3)] public string? ConcentratorId { get; init; }
}

/// <summary>One routine poll of a meter: the relay status read with it (null when the device has none) and the reading.</summary>
[GenerateSerializer, Immutable, Alias("pp.MeterPoll")]
public sealed record MeterPoll
{
    [Id(0)] public RelayReading? Relay { get; init; }

    [Id(1)] public ReadingReport Reading { get; init; } = new();
}

/// <summary>What a poll did: the reading's result, and the supply view after the relay status (null when none was sent).</summary>
[GenerateSerializer, Immutable, Alias("pp.MeterPollResult")]
public sealed record MeterPollResult
{
    [Id(0)] public ReadingResult Reading { get; init; } = new();

    [Id(1)] public SupplyView? Supply { get; init; }
}

/// <summary>Kind of safety event reported by a meter or breaker.</summary>
[GenerateSerializer, Alias("pp.SafetyEventType")]
public enum SafetyEventType
{
    ArcFault = 1,
    ResidualCurrent = 2,
    OverTemperature = 3,
    Overload = 4,
}
