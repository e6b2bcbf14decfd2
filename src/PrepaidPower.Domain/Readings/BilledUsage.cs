namespace PrepaidPower.Domain.Readings;

/// <summary>
/// What the account bills for one accepted advance: the half-open range [<see cref="From"/>, <see cref="To"/>) of the
/// meter's continuous position (Wh, never wraps, continues across exchanges) per total and per band, plus the raw
/// registers and the time interval for audit and rating. The account keeps <c>billedUpTo</c> in the same positions,
/// so billing is idempotent: a range at or below <c>billedUpTo</c> bills nothing.
/// </summary>
public readonly record struct BilledUsage
{
    /// <summary>Continuous position before the advance, Wh.</summary>
    public Energy From { get; internal init; }

    /// <summary>Continuous position after the advance, Wh (≥ <see cref="From"/>).</summary>
    public Energy To { get; internal init; }

    /// <summary>The energy to bill, <see cref="To"/> − <see cref="From"/>, Wh.</summary>
    public Energy Energy => To - From;

    /// <summary>Band positions before the advance (same band order as the meter).</summary>
    public BandRegisters BandFrom { get; internal init; }

    /// <summary>Band positions after the advance.</summary>
    public BandRegisters BandTo { get; internal init; }

    /// <summary>The raw total register the advance started from, Wh (audit).</summary>
    public Energy FromRegister { get; internal init; }

    /// <summary>The raw total register the advance ended at, Wh; below <see cref="FromRegister"/> after a rollover.</summary>
    public Energy ToRegister { get; internal init; }

    /// <summary>Start of the interval on the collector's clock (received-at of the previous baseline), UTC.</summary>
    public DateTimeOffset PeriodStart { get; internal init; }

    /// <summary>End of the interval on the collector's clock, UTC (≥ <see cref="PeriodStart"/>).</summary>
    public DateTimeOffset PeriodEnd { get; internal init; }

    /// <summary>Start of the interval on the meter's clock (may be skewed), UTC.</summary>
    public DateTimeOffset MeterPeriodStart { get; internal init; }

    /// <summary>End of the interval on the meter's clock (may be skewed), UTC.</summary>
    public DateTimeOffset MeterPeriodEnd { get; internal init; }

    /// <summary>The energy to bill in band <paramref name="index"/>, Wh.</summary>
    public Energy BandEnergy(int index) => BandTo[index] - BandFrom[index];
}

/// <summary>
/// The outcome of validating one reading (or of an operator release). Only <see cref="ReadingOutcome.Accepted"/>
/// carries a <see cref="Usage"/>; a held, late or duplicate reading never bills.
/// </summary>
public readonly record struct ValidationResult
{
    /// <summary>What happened.</summary>
    public ReadingOutcome Outcome { get; internal init; }

    /// <summary>Why the reading is held; <see cref="HoldReason.None"/> unless <see cref="Outcome"/> is Held.</summary>
    public HoldReason Reason { get; internal init; }

    /// <summary>Observations (clock skew, rollover); they never change what is billed.</summary>
    public ReadingFlags Flags { get; internal init; }

    /// <summary>The raw reading this result is about, unchanged.</summary>
    public MeterReading Reading { get; internal init; }

    /// <summary>The range to bill; present only when <see cref="Outcome"/> is Accepted.</summary>
    public BilledUsage? Usage { get; internal init; }

    /// <summary>Signed distance from the accepted register to this reading's, Wh: forward (across a rollover if it
    /// wrapped) when positive, backward when negative; zero before a baseline exists. For the operator.</summary>
    public Energy Advance { get; internal init; }

    /// <summary>The most the register could plausibly have advanced, Wh (0 when not computed). For the operator.</summary>
    public Energy Allowance { get; internal init; }

    /// <summary>True when the account must bill <see cref="Usage"/>.</summary>
    public bool IsBillable => Usage is not null;

    public override string ToString() =>
        Outcome == ReadingOutcome.Held
            ? $"Held ({Reason}, advance {Advance}, allowance {Allowance}, flags {Flags}): {Reading}"
            : $"{Outcome} (flags {Flags}{(Usage is { } u ? $", bills {u.Energy} [{u.From.WattHours}, {u.To.WattHours}) Wh" : string.Empty)}): {Reading}";
}

/// <summary>The validator's new state and what happened; store the state, act on the result.</summary>
public readonly record struct ValidationStep(MeterValidationState State, ValidationResult Result);

/// <summary>The validator's new state after a meter exchange and the old meter's final range to bill (may be empty).</summary>
public readonly record struct ExchangeStep(MeterValidationState State, BilledUsage Usage);
