using PrepaidPower.Domain.Protection;

namespace PrepaidPower.Domain.Credit;

/// <summary>
/// Input to <see cref="CreditPolicyMachine.Handle"/>. Triggers carry no time: the machine reads its TimeProvider.
/// Operator-facing triggers validate their text on construction (blank or over-long → <see cref="ArgumentException"/>).
/// </summary>
public abstract record CreditTrigger
{
    /// <summary>Longest operator id, reason or cause kept in state or events.</summary>
    public const int MaxTextLength = 200;

    public abstract CreditTriggerKind Kind { get; }

    public sealed override string ToString() => Kind.ToString();

    private protected static string Text(string? value, string name)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"{name} is required: it is recorded for audit.", name);
        }
        var trimmed = value.Trim();
        return trimmed.Length <= MaxTextLength
            ? trimmed
            : throw new ArgumentException($"{name} is {trimmed.Length} characters; at most {MaxTextLength}.", name);
    }
}

/// <summary>The balance moved for a reason other than a top-up (usage, standing charge, adjustment).
/// <paramref name="DaysOfCreditLeft"/> is the forecast (see <see cref="CreditForecast"/>), null when unknown.</summary>
public sealed record BalanceChanged(Money Balance, decimal? DaysOfCreditLeft = null) : CreditTrigger
{
    public override CreditTriggerKind Kind => CreditTriggerKind.BalanceChanged;
}

/// <summary>A payment was applied; <paramref name="Balance"/> is the balance after it. Re-arms the low-credit alarms.</summary>
public sealed record TopUp(Money Balance, decimal? DaysOfCreditLeft = null) : CreditTrigger
{
    public override CreditTriggerKind Kind => CreditTriggerKind.TopUp;
}

/// <summary>The customer asked for emergency credit (button, app).</summary>
public sealed record EmergencyCreditActivated : CreditTrigger
{
    public override CreditTriggerKind Kind => CreditTriggerKind.EmergencyCreditActivated;
}

/// <summary>The durable timer set from <see cref="CreditState.NextDeadline"/> fired.</summary>
public sealed record TimerDue : CreditTrigger
{
    public override CreditTriggerKind Kind => CreditTriggerKind.TimerDue;
}

/// <summary>The supply machine confirmed the relay is open.</summary>
public sealed record DisconnectConfirmed : CreditTrigger
{
    public override CreditTriggerKind Kind => CreditTriggerKind.DisconnectConfirmed;
}

/// <summary>A per-account protection was granted (replaces one of the same kind).</summary>
public sealed record ProtectionAdded : CreditTrigger
{
    public ProtectionAdded(AccountProtection protection) => Protection = protection ?? throw new ArgumentNullException(nameof(protection));

    public AccountProtection Protection { get; }

    public override CreditTriggerKind Kind => CreditTriggerKind.ProtectionAdded;
}

/// <summary>An operator withdrew the account's protection of <see cref="Protection"/> kind.</summary>
public sealed record ProtectionRemoved : CreditTrigger
{
    public ProtectionRemoved(ProtectionKind protection, string operatorId)
    {
        if (protection is not (ProtectionKind.KeepSupplyOn or ProtectionKind.Medical or ProtectionKind.WeatherHold))
        {
            throw new ArgumentException($"{protection} is a calendar protection; only account protections can be removed.", nameof(protection));
        }
        Protection = protection;
        OperatorId = Text(operatorId, nameof(operatorId));
    }

    public ProtectionKind Protection { get; }

    public string OperatorId { get; }

    public override CreditTriggerKind Kind => CreditTriggerKind.ProtectionRemoved;
}

/// <summary>An authorised operator cuts supply now (fraud, tamper, breach); bypasses protections.</summary>
public sealed record EnforcementCut : CreditTrigger
{
    public EnforcementCut(string operatorId, string reason)
    {
        OperatorId = Text(operatorId, nameof(operatorId));
        Reason = Text(reason, nameof(reason));
    }

    public string OperatorId { get; }

    public string Reason { get; }

    public override CreditTriggerKind Kind => CreditTriggerKind.EnforcementCut;
}

/// <summary>An operator lifts the enforcement cut; the normal rules then decide.</summary>
public sealed record EnforcementLifted : CreditTrigger
{
    public EnforcementLifted(string operatorId, string reason)
    {
        OperatorId = Text(operatorId, nameof(operatorId));
        Reason = Text(reason, nameof(reason));
    }

    public string OperatorId { get; }

    public string Reason { get; }

    public override CreditTriggerKind Kind => CreditTriggerKind.EnforcementLifted;
}

/// <summary>The meter or breaker reported a safety trip (arc fault, residual current, over-temperature, overload).</summary>
public sealed record SafetyTripped : CreditTrigger
{
    public SafetyTripped(string cause) => Cause = Text(cause, nameof(cause));

    public string Cause { get; }

    public override CreditTriggerKind Kind => CreditTriggerKind.SafetyTripped;
}

/// <summary>An operator cleared the safety trip after inspection; the normal rules then decide.</summary>
public sealed record SafetyCleared : CreditTrigger
{
    public SafetyCleared(string operatorId, string note)
    {
        OperatorId = Text(operatorId, nameof(operatorId));
        Note = Text(note, nameof(note));
    }

    public string OperatorId { get; }

    public string Note { get; }

    public override CreditTriggerKind Kind => CreditTriggerKind.SafetyCleared;
}
