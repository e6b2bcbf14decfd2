using PrepaidPower.Contracts.Meters;

namespace PrepaidPower.Grains.Meters;

/// <summary>
/// The meter's state: registration, the VEE memory (fixed size), how far accepted energy has been delivered to the
/// account, the supply state and a bounded list of held readings. No history.
/// </summary>
[GenerateSerializer, Alias("pp.MeterState")]
public sealed class MeterState
{
    [Id(0)] public bool Registered { get; set; }

    [Id(1)] public string RegisterHash { get; set; } = "";

    [Id(2)] public string Model { get; set; } = "";

    [Id(3)] public decimal MaxPowerKilowatts { get; set; }

    [Id(4)] public long RegisterMaximumWh { get; set; }

    [Id(5)] public long RegisterStepWh { get; set; }

    [Id(6)] public List<string> BandNames { get; set; } = [];

    [Id(7)] public string ConcentratorAddress { get; set; } = "";

    [Id(8)] public string? AccountId { get; set; }

    [Id(9)] public ValidationData Validation { get; set; } = new();

    /// <summary>Continuous position up to which accepted energy was delivered to (and billed by) the account; null = start at the next baseline.</summary>
    [Id(10)] public long? DeliveredWh { get; set; }

    [Id(11)] public List<long> DeliveredBandsWh { get; set; } = [];

    [Id(12)] public DateTimeOffset DeliveredAt { get; set; }

    [Id(13)] public long DeliveredRegisterWh { get; set; }

    [Id(14)] public SupplyData Supply { get; set; } = new();

    [Id(15)] public string? LastOrderReason { get; set; }

    [Id(16)] public List<HeldReading> Held { get; set; } = [];

    /// <summary>The concentrator that last read the relay status; supply commands are handed to it. Null until the first read.</summary>
    [Id(17)] public string? ConcentratorId { get; set; }

    /// <summary>Collector time of the last reading that was not held (a fresh reading is needed for an arrears cut).</summary>
    [Id(18)] public DateTimeOffset? LastReadAt { get; set; }
}

/// <summary>The domain <see cref="Domain.Readings.MeterValidationState"/> in storable form.</summary>
[GenerateSerializer, Alias("pp.ValidationData")]
public sealed class ValidationData
{
    [Id(0)] public bool HasBaseline { get; set; }

    [Id(1)] public long RegisterWh { get; set; }

    [Id(2)] public List<long> BandsWh { get; set; } = [];

    [Id(3)] public long PositionWh { get; set; }

    [Id(4)] public List<long> BandPositionsWh { get; set; } = [];

    [Id(5)] public DateTimeOffset ReceivedAt { get; set; }

    [Id(6)] public DateTimeOffset MeterTime { get; set; }

    [Id(7)] public bool ResetPending { get; set; }

    [Id(8)] public long SpikeFloorWh { get; set; }

    [Id(9)] public long AcceptedCount { get; set; }

    [Id(10)] public long DuplicateCount { get; set; }

    [Id(11)] public long LateCount { get; set; }

    [Id(12)] public long HeldCount { get; set; }

    [Id(13)] public long ExchangeCount { get; set; }

    [Id(14)] public long RebaseCount { get; set; }
}

/// <summary>The domain <see cref="Domain.Supply.SupplyState"/> in storable form.</summary>
[GenerateSerializer, Alias("pp.SupplyData")]
public sealed class SupplyData
{
    [Id(0)] public int Status { get; set; }

    [Id(1)] public int? LimitWatts { get; set; }

    [Id(2)] public PendingData? Pending { get; set; }

    [Id(3)] public bool? LastStatusClosed { get; set; }

    [Id(4)] public int? LastStatusLimitWatts { get; set; }

    [Id(5)] public DateTimeOffset? LastStatusAt { get; set; }

    [Id(6)] public Guid? LastConfirmedCommandId { get; set; }

    [Id(7)] public int? TrippedBy { get; set; }
}

/// <summary>The supply command awaiting confirmation, storable.</summary>
[GenerateSerializer, Alias("pp.PendingData")]
public sealed class PendingData
{
    [Id(0)] public Guid Id { get; set; }

    [Id(1)] public int Kind { get; set; }

    [Id(2)] public int? LimitWatts { get; set; }

    [Id(3)] public int Attempts { get; set; }

    [Id(4)] public DateTimeOffset NextRetryAt { get; set; }
}
