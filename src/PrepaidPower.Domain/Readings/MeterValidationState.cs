namespace PrepaidPower.Domain.Readings;

/// <summary>
/// Everything the validator remembers about one meter: the last accepted registers (raw and continuous positions),
/// when they were taken, whether a reset awaits an exchange, the lowest unresolved spike, and counters. A fixed-size
/// value (about 200 bytes, no collections) meant to live in the meter grain's state; held readings are returned to
/// the caller, never kept here. <c>default</c> (<see cref="Initial"/>) is an uncommissioned meter: its first valid
/// reading becomes the baseline and bills nothing.
/// </summary>
public readonly record struct MeterValidationState
{
    /// <summary>An uncommissioned meter.</summary>
    public static MeterValidationState Initial => default;

    /// <summary>False until a baseline exists (first reading, commissioning, or a rebase).</summary>
    public bool HasBaseline { get; internal init; }

    /// <summary>The last accepted raw total register, Wh.</summary>
    public Energy Register { get; internal init; }

    /// <summary>The last accepted raw band registers.</summary>
    public BandRegisters Bands { get; internal init; }

    /// <summary>The continuous position of the total (Wh, never wraps; equals the register until a rollover or
    /// exchange). The account's <c>billedUpTo</c> is in these units.</summary>
    public Energy Position { get; internal init; }

    /// <summary>The continuous positions of the bands.</summary>
    public BandRegisters BandPositions { get; internal init; }

    /// <summary>Received-at (collector clock) of the baseline, UTC; elapsed time for plausibility runs from here.</summary>
    public DateTimeOffset ReceivedAt { get; internal init; }

    /// <summary>Meter time of the baseline, UTC; only used to recognise older readings delivered late.</summary>
    public DateTimeOffset MeterTime { get; internal init; }

    /// <summary>True after a reset without an exchange: every reading is held until an exchange or an operator decision.</summary>
    public bool ResetPending { get; internal init; }

    /// <summary>Forward advance of the lowest spike held since the last accepted reading, Wh (0 = none). A reading at
    /// least this far ahead stays held even when enough time has passed to make it look plausible, so a stuck-high
    /// register is never billed by waiting.</summary>
    public Energy SpikeFloor { get; internal init; }

    public long AcceptedCount { get; internal init; }

    public long DuplicateCount { get; internal init; }

    public long LateCount { get; internal init; }

    public long HeldCount { get; internal init; }

    public long ExchangeCount { get; internal init; }

    public long RebaseCount { get; internal init; }

    /// <summary>
    /// Rebuilds a state from its stored fields (grain snapshots): the inverse of reading the properties. It does not
    /// validate beyond what the fields can hold; pass back exactly what was read.
    /// </summary>
    public static MeterValidationState Restore(
        bool hasBaseline,
        Energy register,
        BandRegisters bands,
        Energy position,
        BandRegisters bandPositions,
        DateTimeOffset receivedAt,
        DateTimeOffset meterTime,
        bool resetPending,
        Energy spikeFloor,
        long acceptedCount,
        long duplicateCount,
        long lateCount,
        long heldCount,
        long exchangeCount,
        long rebaseCount) => new()
        {
            HasBaseline = hasBaseline,
            Register = register,
            Bands = bands,
            Position = position,
            BandPositions = bandPositions,
            ReceivedAt = receivedAt,
            MeterTime = meterTime,
            ResetPending = resetPending,
            SpikeFloor = spikeFloor,
            AcceptedCount = acceptedCount,
            DuplicateCount = duplicateCount,
            LateCount = lateCount,
            HeldCount = heldCount,
            ExchangeCount = exchangeCount,
            RebaseCount = rebaseCount,
        };
}
