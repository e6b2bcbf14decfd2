namespace PrepaidPower.Domain.Supply;

/// <summary>
/// The supply state of one meter as the platform knows it. A settled state (<see cref="Connected"/>,
/// <see cref="Limited"/>, <see cref="Disconnected"/>) is only entered on a confirmation (the relay status read back
/// after the command); a "requested" state means a command is pending. <c>default</c> is <see cref="Unknown"/>, the
/// state of a meter we have not read yet.
/// </summary>
public enum SupplyStatus
{
    /// <summary>No confirmation: a new meter, retries ran out, or the read-back contradicted what we expected.</summary>
    Unknown = 0,

    /// <summary>Relay closed, no power limit (confirmed).</summary>
    Connected,

    /// <summary>A power-limit command is pending.</summary>
    LimitRequested,

    /// <summary>Relay closed with a power limit in kW (confirmed).</summary>
    Limited,

    /// <summary>A relay-open command is pending.</summary>
    DisconnectRequested,

    /// <summary>Relay open (confirmed).</summary>
    Disconnected,

    /// <summary>A relay-close (full supply) command is pending.</summary>
    ReconnectRequested,

    /// <summary>A safety event (arc fault, residual current, over-temperature, overload) opened the supply. Sticky
    /// until an operator clears it; payments and account orders never leave it.</summary>
    SafetyTripped,
}

/// <summary>What the meter or breaker reported as a safety event.</summary>
public enum SafetyEventKind
{
    ArcFault = 1,
    ResidualCurrent = 2,
    OverTemperature = 3,
    Overload = 4,
}

/// <summary>Why a disconnect was ordered. Only <see cref="Arrears"/> is held to the fresh-status rule.</summary>
public enum DisconnectReason
{
    /// <summary>Credit policy: arrears after notice and grace. Needs a fresh relay status (never cut on stale data).</summary>
    Arrears = 1,

    /// <summary>Immediate cutoff by an authorised operator (malicious overdraft, tamper, contract breach).</summary>
    Enforcement = 2,

    /// <summary>Customer or operator request (move-out, maintenance).</summary>
    Operator = 3,
}
