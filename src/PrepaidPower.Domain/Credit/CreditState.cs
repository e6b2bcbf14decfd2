using PrepaidPower.Domain.Protection;

namespace PrepaidPower.Domain.Credit;

/// <summary>
/// What the AccountGrain persists for the credit policy: a handful of fields, no history (events go to the stream).
/// Produced only by <see cref="CreditPolicyMachine"/> (<see cref="CreditPolicyMachine.Open"/>, then
/// <see cref="CreditPolicyMachine.Handle"/>). The grain keeps a durable timer only while <see cref="NextDeadline"/> is set.
/// </summary>
public sealed record CreditState
{
    public required CreditStatus Status { get; init; }

    /// <summary>The last balance the machine saw (signed; emergency credit in use shows as balance below the disconnection threshold).</summary>
    public required Money Balance { get; init; }

    /// <summary>When <see cref="Status"/> was entered (UTC).</summary>
    public required DateTimeOffset Since { get; init; }

    /// <summary>Deepest alarm level notified since the last top-up (0 = none). Remembering it gives one notice per crossing.</summary>
    public int AlarmLevel { get; init; }

    /// <summary>The days-of-credit-left warning was sent since the last top-up.</summary>
    public bool DaysLeftWarned { get; init; }

    /// <summary>EMERGENCY_CREDIT_AVAILABLE was sent since the balance was last above the availability threshold.</summary>
    public bool EmergencyCreditOffered { get; init; }

    public bool EmergencyCreditActive { get; init; }

    /// <summary>Emergency credit ran out; not offered again until a payment lifts the balance above the disconnection threshold.</summary>
    public bool EmergencyCreditExhausted { get; init; }

    /// <summary>When the written arrears notice was served; null outside the arrears process.</summary>
    public DateTimeOffset? NoticeServedAt { get; init; }

    /// <summary>Index into the limiting schedule (steps then floor); -1 = no limit in force.</summary>
    public int LimitStep { get; init; } = -1;

    /// <summary>Deadline of the timed status (grace end, next step, end of protection). Kept, but paused, during a hold.</summary>
    public DateTimeOffset? Deadline { get; init; }

    /// <summary>The status to resume when an enforcement cut is lifted or a safety trip cleared; null when not held.</summary>
    public CreditStatus? HeldFrom { get; init; }

    /// <summary>The operator's reason while an enforcement cut is in force (also under a safety trip: clearing the trip then returns to <see cref="CreditStatus.EnforcementCut"/>).</summary>
    public string? EnforcementReason { get; init; }

    /// <summary>The reported cause while safety-tripped.</summary>
    public string? SafetyCause { get; init; }

    public AccountProtections Protections { get; init; } = AccountProtections.None;

    /// <summary>When the grain must deliver <see cref="TimerDue"/>; null when the status is not timed (no timer needed).</summary>
    public DateTimeOffset? NextDeadline =>
        Status is CreditStatus.Arrears or CreditStatus.Limited or CreditStatus.DisconnectionDeferred ? Deadline : null;

    /// <summary>True while the machine has asked for supply to be limited or off for arrears.</summary>
    public bool SupplyRestricted =>
        Status is CreditStatus.DisconnectionDue or CreditStatus.Disconnected || LimitStep >= 0;
}
