namespace PrepaidPower.Host.Api.Meters;

/// <summary>Registers a meter. Registers are whole Wh.</summary>
/// <param name="Id">The meter id, e.g. "MTR-0001".</param>
/// <param name="Model">Device model, e.g. "Acrel DTSD1352".</param>
/// <param name="MaxPowerKilowatts">Physical maximum power, kW; bounds plausible advances.</param>
/// <param name="ConcentratorAddress">Where it is read: "host:port/unit", e.g. "10.1.2.3:502/7".</param>
/// <param name="RegisterMaximumWh">Highest register value, Wh; default UINT32 × 0.01 kWh.</param>
/// <param name="RegisterStepWh">Register resolution, Wh; default 10.</param>
/// <param name="BandNames">Time-of-use band registers in register order (e.g. ["peak", "valley"]); default none.</param>
public sealed record RegisterMeterBody(
    string Id,
    string Model,
    decimal MaxPowerKilowatts,
    string ConcentratorAddress,
    long? RegisterMaximumWh = null,
    long? RegisterStepWh = null,
    IReadOnlyList<string>? BandNames = null);

/// <param name="AccountId">The account to bill from now on.</param>
public sealed record AttachMeterBody(string AccountId);

/// <summary>A physical exchange at the same supply point; the removed meter's final advance is billed.</summary>
/// <param name="OldFinalWh">The removed meter's final total register, Wh (not below its last accepted reading).</param>
/// <param name="NewStartWh">The new meter's starting total register, Wh.</param>
/// <param name="At">When the exchange happened (UTC).</param>
/// <param name="OldFinalBandsWh">The removed meter's final band registers, Wh (when it has bands).</param>
/// <param name="NewStartBandsWh">The new meter's starting band registers, Wh (when it has bands).</param>
/// <param name="NewModel">The new meter's model if it differs.</param>
public sealed record ExchangeMeterBody(
    long OldFinalWh,
    long NewStartWh,
    DateTimeOffset At,
    IReadOnlyList<long>? OldFinalBandsWh = null,
    IReadOnlyList<long>? NewStartBandsWh = null,
    string? NewModel = null);

/// <summary>A cumulative reading entered by hand or by a test (concentrators report the same way).</summary>
/// <param name="TotalWh">Total register, whole Wh (e.g. 1234560 for 1234.56 kWh).</param>
/// <param name="MeterTime">The meter's own clock; default = receivedAt.</param>
/// <param name="ReceivedAt">When it was read (UTC, the trusted clock); default now.</param>
/// <param name="BandsWh">Band registers in the meter's band order, Wh.</param>
public sealed record ReadingBody(
    long TotalWh,
    DateTimeOffset? MeterTime = null,
    DateTimeOffset? ReceivedAt = null,
    IReadOnlyList<long>? BandsWh = null);
