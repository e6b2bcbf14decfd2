namespace PrepaidPower.Domain.Readings;

/// <summary>
/// One reading exactly as received from a meter, before validation: it is stored raw and never edited.
/// <see cref="Total"/> and <see cref="Bands"/> are cumulative registers in whole Wh (ingest converts the meter's unit,
/// e.g. 0.01 kWh × 10). <see cref="MeterTime"/> is what the meter's clock said (may be skewed or wrong);
/// <see cref="ReceivedAt"/> is the collector's clock when the reading arrived (trusted, NTP-synchronised).
/// Both instants are UTC. <c>default</c> is not a valid reading; build one with <see cref="Create"/>.
/// </summary>
public readonly record struct MeterReading
{
    private MeterReading(DateTimeOffset meterTime, DateTimeOffset receivedAt, Energy total, BandRegisters bands)
    {
        MeterTime = meterTime;
        ReceivedAt = receivedAt;
        Total = total;
        Bands = bands;
    }

    /// <summary>The meter's own timestamp of the reading, UTC. Flagged when skewed; never used to order registers.</summary>
    public DateTimeOffset MeterTime { get; }

    /// <summary>When the collector received the reading, UTC, from its <see cref="TimeProvider"/>.</summary>
    public DateTimeOffset ReceivedAt { get; }

    /// <summary>The total active energy register, Wh, 0..register maximum.</summary>
    public Energy Total { get; }

    /// <summary>Optional time-of-use band registers, Wh; <see cref="BandRegisters.None"/> when the meter has none.</summary>
    public BandRegisters Bands { get; }

    /// <summary>Builds a raw reading.</summary>
    /// <exception cref="ArgumentException">An instant is not UTC (offset ≠ 0) or the total register is negative.</exception>
    public static MeterReading Create(DateTimeOffset meterTime, DateTimeOffset receivedAt, Energy total, BandRegisters bands = default)
    {
        if (meterTime.Offset != TimeSpan.Zero)
        {
            throw new ArgumentException($"Meter time {meterTime:O} is not UTC; convert it with ToUniversalTime() at ingest.", nameof(meterTime));
        }
        if (receivedAt.Offset != TimeSpan.Zero)
        {
            throw new ArgumentException($"Received-at {receivedAt:O} is not UTC; take it from TimeProvider.GetUtcNow().", nameof(receivedAt));
        }
        if (total.WattHours < 0)
        {
            throw new ArgumentException($"Total register {total} is negative; a cumulative register is never negative (check the word order and signedness in the device profile).", nameof(total));
        }
        return new MeterReading(meterTime, receivedAt, total, bands);
    }

    public override string ToString() =>
        $"reading {Total} bands {Bands} meter time {MeterTime:O} received {ReceivedAt:O}";
}
