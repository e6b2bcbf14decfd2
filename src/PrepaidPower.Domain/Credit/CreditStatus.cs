namespace PrepaidPower.Domain.Credit;

/// <summary>The account's credit status: the states of <see cref="CreditPolicyMachine"/>.</summary>
public enum CreditStatus
{
    /// <summary>Balance above every alarm level.</summary>
    InCredit = 1,

    /// <summary>An alarm level has been notified since the last top-up (<see cref="CreditState.AlarmLevel"/>).</summary>
    LowCredit = 2,

    /// <summary>Emergency credit is active; supply stays on until it is exhausted.</summary>
    EmergencyCredit = 3,

    /// <summary>Written notice served; waiting out the grace (timed).</summary>
    Arrears = 4,

    /// <summary>Supply limited to a step of the schedule (timed until the floor; untimed at the floor in limit-only mode).</summary>
    Limited = 5,

    /// <summary>A cut is due but a protection covers now; waits for the first unprotected instant (timed). The architecture's "Protected".</summary>
    DisconnectionDeferred = 6,

    /// <summary>An arrears disconnect has been ordered; waiting for the supply machine to confirm it.</summary>
    DisconnectionDue = 7,

    /// <summary>Cut for arrears, confirmed. A top-up to the reconnect threshold reconnects.</summary>
    Disconnected = 8,

    /// <summary>Cut by an operator (fraud, tamper, breach); bypasses protections; lifted only by an operator.</summary>
    EnforcementCut = 9,

    /// <summary>A safety trip reported by the meter; sticky until an operator clears it; payment never restores it.</summary>
    SafetyTripped = 10,
}

/// <summary>What happened to the account: the triggers of <see cref="CreditPolicyMachine"/>.</summary>
public enum CreditTriggerKind
{
    BalanceChanged = 1,
    TopUp = 2,
    EmergencyCreditActivated = 3,
    TimerDue = 4,
    DisconnectConfirmed = 5,
    ProtectionAdded = 6,
    ProtectionRemoved = 7,
    EnforcementCut = 8,
    EnforcementLifted = 9,
    SafetyTripped = 10,
    SafetyCleared = 11,
}
