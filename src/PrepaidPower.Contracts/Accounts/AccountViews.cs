namespace PrepaidPower.Contracts.Accounts;

/// <summary>An account as the operator sees it. Statuses are the domain enum names (e.g. "LowCredit").</summary>
[GenerateSerializer, Alias("pp.AccountView")]
public sealed record AccountView
{
    [Id(0)] public string AccountId { get; init; } = "";

    /// <summary>"Open" or "Closed".</summary>
    [Id(1)] public string Lifecycle { get; init; } = "";

    [Id(2)] public string TariffId { get; init; } = "";

    [Id(3)] public string TimeZone { get; init; } = "";

    [Id(4)] public int HouseholdSize { get; init; }

    [Id(5)] public BalanceView Balance { get; init; } = new();

    [Id(6)] public IReadOnlyList<AttachedMeterView> Meters { get; init; } = [];

    [Id(7)] public IReadOnlyList<ProtectionView> Protections { get; init; } = [];

    [Id(8)] public ContactDetails? Contact { get; init; }

    [Id(9)] public DateTimeOffset OpenedAt { get; init; }

    [Id(10)] public CreditPolicySpec CreditPolicy { get; init; } = CreditPolicySpec.Default;
}

/// <summary>Balance and credit state. <see cref="LastLedgerSequence"/> is the ledger entry the balance includes.</summary>
[GenerateSerializer, Alias("pp.BalanceView")]
public sealed record BalanceView
{
    [Id(0)] public MoneyAmount Balance { get; init; }

    /// <summary>CreditStatus name: InCredit, LowCredit, EmergencyCredit, Arrears, Limited, DisconnectionDeferred, DisconnectionDue, Disconnected, EnforcementCut, SafetyTripped.</summary>
    [Id(1)] public string CreditStatus { get; init; } = "";

    [Id(2)] public long LastLedgerSequence { get; init; }

    /// <summary>When the current timed status (grace, limit step, deferral) ends; null when not timed.</summary>
    [Id(3)] public DateTimeOffset? Deadline { get; init; }

    [Id(4)] public bool EmergencyCreditActive { get; init; }

    /// <summary>Energy billed in total, Wh (all meters).</summary>
    [Id(5)] public long BilledEnergyWh { get; init; }
}

/// <summary>A meter attached to an account and how far it has been billed (continuous position, Wh).</summary>
[GenerateSerializer, Alias("pp.AttachedMeterView")]
public sealed record AttachedMeterView
{
    [Id(0)] public string MeterId { get; init; } = "";

    /// <summary>Continuous register position billed up to, Wh; null until the first reading after attaching.</summary>
    [Id(1)] public long? BilledUpToWh { get; init; }
}

[GenerateSerializer, Alias("pp.ProtectionView")]
public sealed record ProtectionView
{
    [Id(0)] public ProtectionType Type { get; init; }

    [Id(1)] public DateTimeOffset Until { get; init; }

    [Id(2)] public string Reason { get; init; } = "";

    [Id(3)] public string? OperatorId { get; init; }

    [Id(4)] public string? Region { get; init; }
}

/// <summary>
/// The answer to money from outside: the ledger entries it created (first the payment itself, then any recovery
/// lines) and the balance after them. <see cref="Replayed"/> is true when this id was committed earlier with the same
/// content and this is the original result.
/// </summary>
[GenerateSerializer, Alias("pp.PaymentReceipt")]
public sealed record PaymentReceipt
{
    [Id(0)] public string AccountId { get; init; } = "";

    [Id(1)] public string PaymentId { get; init; } = "";

    [Id(2)] public PaymentRequestKind Kind { get; init; }

    [Id(3)] public MoneyAmount Amount { get; init; }

    /// <summary>The balance right after this payment's entries (not the balance now).</summary>
    [Id(4)] public MoneyAmount BalanceAfter { get; init; }

    [Id(5)] public IReadOnlyList<LedgerEntryView> Entries { get; init; } = [];

    [Id(6)] public bool Replayed { get; init; }
}

/// <summary>One ledger row for people: kind name (TopUp, Usage, StandingCharge, …), signed amount and the balance after it.</summary>
[GenerateSerializer, Alias("pp.LedgerEntryView")]
public sealed record LedgerEntryView
{
    [Id(0)] public long Sequence { get; init; }

    [Id(1)] public string Kind { get; init; } = "";

    [Id(2)] public MoneyAmount Amount { get; init; }

    [Id(3)] public MoneyAmount BalanceAfter { get; init; }

    [Id(4)] public DateTimeOffset OccurredAt { get; init; }

    [Id(5)] public string? ExternalId { get; init; }

    [Id(6)] public string? MeterId { get; init; }

    /// <summary>Usage: continuous register position billed from, Wh.</summary>
    [Id(7)] public long? RegisterFromWh { get; init; }

    /// <summary>Usage: continuous register position billed up to, Wh.</summary>
    [Id(8)] public long? RegisterToWh { get; init; }

    /// <summary>JSON details (rated lines, reason, operator).</summary>
    [Id(9)] public string? Details { get; init; }
}

/// <summary>A page of ledger entries after a sequence; <see cref="NextAfterSequence"/> continues it (null at the end).</summary>
[GenerateSerializer, Alias("pp.LedgerPage")]
public sealed record LedgerPage
{
    [Id(0)] public string AccountId { get; init; } = "";

    [Id(1)] public IReadOnlyList<LedgerEntryView> Entries { get; init; } = [];

    [Id(2)] public long? NextAfterSequence { get; init; }
}

/// <summary>A statement for [From, To): opening and closing balance and the totals by entry kind, plus the entries.</summary>
[GenerateSerializer, Alias("pp.Statement")]
public sealed record Statement
{
    [Id(0)] public string AccountId { get; init; } = "";

    [Id(1)] public DateTimeOffset From { get; init; }

    [Id(2)] public DateTimeOffset To { get; init; }

    [Id(3)] public MoneyAmount OpeningBalance { get; init; }

    [Id(4)] public MoneyAmount ClosingBalance { get; init; }

    /// <summary>Sum per entry kind name, e.g. { "TopUp": +100.00, "Usage": −42.10 }.</summary>
    [Id(5)] public IReadOnlyDictionary<string, MoneyAmount> Totals { get; init; } = new Dictionary<string, MoneyAmount>();

    [Id(6)] public IReadOnlyList<LedgerEntryView> Entries { get; init; } = [];

    /// <summary>True when the period held more entries than one statement shows (<see cref="IAccountGrain.MaxStatementEntries"/>); page the ledger instead.</summary>
    [Id(7)] public bool Truncated { get; init; }
}

/// <summary>
/// An account event: a credit-policy transition (code from CreditEventCodes, e.g. LOW_CREDIT_1, DISCONNECTED) or an
/// account action, published on the stream <see cref="AccountEventStream"/> and kept in a small ring on the account.
/// <see cref="Id"/> is unique and stable (account id + sequence) so consumers can de-duplicate.
/// </summary>
[GenerateSerializer, Alias("pp.AccountEvent")]
public sealed record AccountEvent
{
    /// <summary>"{accountId}:{EventNumber}": the de-duplication key for notifications.</summary>
    [Id(0)] public string Id { get; init; } = "";

    [Id(1)] public string AccountId { get; init; } = "";

    /// <summary>1, 2, 3 … per account.</summary>
    [Id(2)] public long EventNumber { get; init; }

    [Id(3)] public string Code { get; init; } = "";

    [Id(4)] public DateTimeOffset At { get; init; }

    /// <summary>Credit status before and after (names).</summary>
    [Id(5)] public string From { get; init; } = "";

    [Id(6)] public string To { get; init; } = "";

    [Id(7)] public int? Level { get; init; }

    [Id(8)] public decimal? Kilowatts { get; init; }

    [Id(9)] public DateTimeOffset? Until { get; init; }

    [Id(10)] public string? Reason { get; init; }

    [Id(11)] public string? OperatorId { get; init; }

    [Id(12)] public MoneyAmount? Balance { get; init; }

    [Id(13)] public decimal? DaysOfCreditLeft { get; init; }

    /// <summary>The customer's language for templates (from the account's contact), e.g. "zh-CN".</summary>
    [Id(14)] public string? Language { get; init; }
}

/// <summary>Where account events are published.</summary>
public static class AccountEventStream
{
    /// <summary>The stream provider's name (memory streams in tests, a durable provider in production).</summary>
    public const string ProviderName = "AccountEvents";

    /// <summary>The stream namespace; the stream key is the account id.</summary>
    public const string Namespace = "account-events";
}
