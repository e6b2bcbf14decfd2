namespace PrepaidPower.Domain.Credit;

/// <summary>
/// An account event for notifications, audit and dashboards. <see cref="Code"/> is one of <see cref="CreditEventCodes"/>;
/// the optional fields are set when the code carries them (level, kW, deadline, reason, operator, balance).
/// </summary>
public sealed record CreditEvent(string Code, DateTimeOffset At, CreditStatus From, CreditStatus To)
{
    /// <summary>Alarm level (LOW_CREDIT_n, LOW_CREDIT_RECOVERED) or 1-based limit step (LIMIT_STEP_APPLIED).</summary>
    public int? Level { get; init; }

    public decimal? Kilowatts { get; init; }

    /// <summary>Deadline announced: grace end, next step, deferral end, protection end.</summary>
    public DateTimeOffset? Until { get; init; }

    public string? Reason { get; init; }

    public string? OperatorId { get; init; }

    public Money? Balance { get; init; }

    public decimal? DaysOfCreditLeft { get; init; }
}

/// <summary>The event codes. Stable strings: notification templates and dashboards key on them.</summary>
public static class CreditEventCodes
{
    /// <summary>LOW_CREDIT_1, LOW_CREDIT_2, …: the balance crossed alarm level <paramref name="level"/> (one notice per crossing).</summary>
    public static string LowCredit(int level) => level switch
    {
        1 => LowCredit1,
        2 => LowCredit2,
        _ => "LOW_CREDIT_" + level.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public const string LowCredit1 = "LOW_CREDIT_1";
    public const string LowCredit2 = "LOW_CREDIT_2";
    public const string LowCreditDaysLeft = "LOW_CREDIT_DAYS_LEFT";
    public const string LowCreditRecovered = "LOW_CREDIT_RECOVERED";
    public const string EmergencyCreditAvailable = "EMERGENCY_CREDIT_AVAILABLE";
    public const string EmergencyCreditActivated = "EMERGENCY_CREDIT_ACTIVATED";
    public const string EmergencyCreditExhausted = "EMERGENCY_CREDIT_EXHAUSTED";
    public const string EmergencyCreditRepaid = "EMERGENCY_CREDIT_REPAID";
    public const string ArrearsNoticeServed = "ARREARS_NOTICE_SERVED";
    public const string ArrearsCleared = "ARREARS_CLEARED";
    public const string LimitStepApplied = "LIMIT_STEP_APPLIED";
    public const string LimitLifted = "LIMIT_LIFTED";
    public const string DisconnectionDue = "DISCONNECTION_DUE";
    public const string DisconnectionDeferredProtected = "DISCONNECTION_DEFERRED_PROTECTED";
    public const string Disconnected = "DISCONNECTED";
    public const string Reconnected = "RECONNECTED";
    public const string ReconnectThresholdNotReached = "RECONNECT_THRESHOLD_NOT_REACHED";
    public const string ReconnectBlockedEnforcement = "RECONNECT_BLOCKED_ENFORCEMENT";
    public const string ReconnectBlockedSafety = "RECONNECT_BLOCKED_SAFETY";
    public const string ProtectionAdded = "PROTECTION_ADDED";
    public const string ProtectionRemoved = "PROTECTION_REMOVED";
    public const string EnforcementCut = "ENFORCEMENT_CUT";
    public const string EnforcementLifted = "ENFORCEMENT_LIFTED";
    public const string SafetyTripped = "SAFETY_TRIPPED";
    public const string SafetyCleared = "SAFETY_CLEARED";
}
