namespace PrepaidPower.Domain.Readings;

/// <summary>What validation did with a reading (or what an operator release did).</summary>
public enum ReadingOutcome
{
    /// <summary>Not a result; <c>default</c>.</summary>
    None = 0,

    /// <summary>The first reading of an uncommissioned meter: it sets the baseline and bills nothing.</summary>
    Baseline,

    /// <summary>The register advanced plausibly: <see cref="ValidationResult.Usage"/> holds the range to bill.</summary>
    Accepted,

    /// <summary>The same total register as the accepted one: nothing to do.</summary>
    Duplicate,

    /// <summary>Below the accepted register and consistent with an older reading delivered late: bills nothing, not held.</summary>
    Late,

    /// <summary>Not billed; stored for review with <see cref="ValidationResult.Reason"/>. Never billed, never refunded automatically.</summary>
    Held,

    /// <summary>An operator made a held reading the new baseline without billing anything.</summary>
    Rebased,
}

/// <summary>Why a reading is held for review. Every held reading carries exactly one.</summary>
public enum HoldReason
{
    /// <summary>Not held.</summary>
    None = 0,

    /// <summary>The register went down and the reading is not an older one delivered late (its meter time is newer,
    /// or the drop is more than the meter could have used between the two meter times).</summary>
    Decrease,

    /// <summary>The register went up by more than the maximum power allows over the elapsed time (collector clock),
    /// or at least as far as an earlier held spike that no accepted reading has cleared since.</summary>
    Spike,

    /// <summary>The register wrapped past its maximum, but the implied consumption is more than the maximum power
    /// allows over the elapsed time; often a reset of a meter whose register was near its maximum.</summary>
    ImplausibleRollover,

    /// <summary>The register dropped to near zero without a meter exchange event; every later reading stays held
    /// until an exchange is recorded or an operator releases or rebases a reading.</summary>
    ResetWithoutExchange,

    /// <summary>A register (total or band) is above the configured register maximum: wrong device profile or scaling.</summary>
    AboveRegisterMaximum,

    /// <summary>The band registers disagree with the total (wrong count, a band went down, or the band advances do
    /// not add up to the total's advance within tolerance).</summary>
    BandRegistersInconsistent,

    /// <summary>The collector's received-at is ahead of the validator's clock: the elapsed time cannot be trusted.</summary>
    TimestampInFuture,
}

/// <summary>Observations attached to a result. Flags never change what is billed.</summary>
[Flags]
public enum ReadingFlags
{
    None = 0,

    /// <summary>The meter time differs from the received-at by more than the allowed skew (a wrong meter clock, or a
    /// reading buffered for long before delivery).</summary>
    ClockSkew = 1,

    /// <summary>The register moved forward but the meter time did not (ordering follows the register).</summary>
    MeterTimeOutOfOrder = 2,

    /// <summary>The accepted advance passed the register maximum and wrapped to zero.</summary>
    RolledOver = 4,

    /// <summary>Held only because it is at least as far ahead as an earlier held spike that no accepted reading has
    /// cleared; on its own the advance would fit the allowance. The operator decides (usually: bill it).</summary>
    BeyondHeldSpike = 8,
}

/// <summary>The two explicit operator decisions on a held reading.</summary>
public enum ReleaseAction
{
    /// <summary>Not a decision; <c>default</c> is rejected.</summary>
    None = 0,

    /// <summary>The advance is real: bill from the accepted register up to this reading's register.</summary>
    Bill,

    /// <summary>Take this reading's registers as the new baseline and bill nothing for the jump.</summary>
    Rebase,
}
