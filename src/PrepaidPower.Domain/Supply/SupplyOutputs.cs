namespace PrepaidPower.Domain.Supply;

/// <summary>How urgent a supply alarm is.</summary>
public enum AlarmSeverity
{
    Warning = 1,
    Critical = 2,
}

/// <summary>An alarm for operators (dashboards, notifications). <see cref="Code"/> is one of <see cref="SupplyCodes"/>.</summary>
public sealed record SupplyAlarm(string Code, AlarmSeverity Severity, Guid? CommandId, string Message);

/// <summary>A fact for audit and the account: what happened and the state change it caused (From may equal To).</summary>
public sealed record SupplyEvent(string Code, SupplyStatus From, SupplyStatus To, Guid? CommandId, string Detail);

/// <summary>The stable codes of supply events and alarms.</summary>
public static class SupplyCodes
{
    // Events
    public const string CommandIssued = "SUPPLY_COMMAND_ISSUED";
    public const string CommandSuperseded = "SUPPLY_COMMAND_SUPERSEDED";
    public const string DuplicateRequest = "SUPPLY_DUPLICATE_REQUEST";
    public const string CommandConfirmed = "SUPPLY_COMMAND_CONFIRMED";
    public const string CommandRetried = "SUPPLY_COMMAND_RETRIED";
    public const string StaleConfirmationIgnored = "SUPPLY_STALE_CONFIRMATION_IGNORED";
    public const string StaleTimeoutIgnored = "SUPPLY_STALE_TIMEOUT_IGNORED";
    public const string StatusRecorded = "SUPPLY_STATUS_RECORDED";
    public const string StatusAdopted = "SUPPLY_STATUS_ADOPTED";
    public const string SafetyTripped = "SUPPLY_SAFETY_TRIPPED";
    public const string SafetyCleared = "SUPPLY_SAFETY_CLEARED";
    public const string CutoffDeferred = "SUPPLY_CUTOFF_DEFERRED_STALE_STATUS";

    // Alarms
    public const string CommandUnconfirmed = "SUPPLY_COMMAND_UNCONFIRMED";
    public const string RetriesExhausted = "SUPPLY_RETRIES_EXHAUSTED";
    public const string ConfirmationMismatch = "SUPPLY_CONFIRMATION_MISMATCH";
    public const string StatusDrift = "SUPPLY_STATUS_DRIFT";
    public const string SafetyTrip = "SUPPLY_SAFETY_TRIP";
    public const string SafetyOpenUnconfirmed = "SUPPLY_SAFETY_OPEN_UNCONFIRMED";
    public const string RelayClosedWhileTripped = "SUPPLY_RELAY_CLOSED_WHILE_TRIPPED";
    public const string ClearedWithoutOpenRelay = "SUPPLY_CLEARED_WITHOUT_OPEN_RELAY";
    public const string CutoffStaleStatus = "SUPPLY_CUTOFF_STALE_STATUS";
}

/// <summary>
/// The result of one trigger: the next state and what to do about it — commands to write through the concentrator
/// (in order), alarms to raise, events to publish. Empty lists when nothing is to be done.
/// </summary>
public sealed record SupplyTransition(
    SupplyState Next,
    IReadOnlyList<SupplyCommand> Commands,
    IReadOnlyList<SupplyAlarm> Alarms,
    IReadOnlyList<SupplyEvent> Events);

/// <summary>
/// A trigger that the supply transition table does not allow in the current state. The one way every invalid
/// transition is rejected; the state is left unchanged.
/// </summary>
public sealed class InvalidSupplyTransitionException : InvalidOperationException
{
    public InvalidSupplyTransitionException(SupplyStatus state, SupplyTriggerKind trigger, string why)
        : base($"Cannot apply {trigger} in supply state {state}: {why}")
    {
        State = state;
        Trigger = trigger;
    }

    public SupplyStatus State { get; }

    public SupplyTriggerKind Trigger { get; }
}
