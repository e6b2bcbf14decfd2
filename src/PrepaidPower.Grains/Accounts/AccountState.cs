using PrepaidPower.Contracts.Accounts;

namespace PrepaidPower.Grains.Accounts;

/// <summary>
/// The account snapshot: a cache of what the ledger says (balance, billed-up-to per meter, tier counter, charge
/// accumulator) up to <see cref="LastSequence"/>, plus settings and the credit state. Small and fixed-size apart from
/// the few attached meters, the protections (at most three) and a bounded ring of recent events.
/// </summary>
[GenerateSerializer, Alias("pp.AccountState")]
public sealed class AccountState
{
    [Id(0)] public bool Opened { get; set; }

    [Id(1)] public bool Closed { get; set; }

    [Id(2)] public string OpenRequestHash { get; set; } = "";

    [Id(3)] public DateTimeOffset OpenedAt { get; set; }

    [Id(4)] public string Currency { get; set; } = "";

    [Id(5)] public string TariffId { get; set; } = "";

    [Id(6)] public string TimeZone { get; set; } = "";

    [Id(7)] public int HouseholdSize { get; set; } = 1;

    [Id(8)] public ContactDetails? Contact { get; set; }

    [Id(9)] public CreditPolicySpec Policy { get; set; } = CreditPolicySpec.Default;

    /// <summary>Balance in minor units after ledger entry <see cref="LastSequence"/>.</summary>
    [Id(10)] public long BalanceMinor { get; set; }

    /// <summary>The last ledger sequence this snapshot includes (0 = none).</summary>
    [Id(11)] public long LastSequence { get; set; }

    [Id(12)] public List<MeterBilling> Meters { get; set; } = [];

    [Id(13)] public DateOnly TierPeriodStart { get; set; }

    [Id(14)] public long TierUsedWh { get; set; }

    /// <summary>Exact total of all charges (usage and standing), minor units.</summary>
    [Id(15)] public decimal ChargesExactMinor { get; set; }

    /// <summary>Posted (rounded) total of all charges, minor units.</summary>
    [Id(16)] public long ChargesPostedMinor { get; set; }

    /// <summary>Standing charges are posted for the local days that start before this instant.</summary>
    [Id(17)] public DateTimeOffset StandingChargedThrough { get; set; }

    [Id(18)] public long BilledEnergyWh { get; set; }

    [Id(19)] public CreditStateData? Credit { get; set; }

    /// <summary>Account events published so far (the next event is number + 1).</summary>
    [Id(20)] public long EventNumber { get; set; }

    [Id(21)] public List<AccountEvent> RecentEvents { get; set; } = [];

    /// <summary>When the newest ledger entry occurred (statements of empty periods).</summary>
    [Id(22)] public DateTimeOffset LastEntryAt { get; set; }

    /// <summary>A credit-deadline reminder is registered.</summary>
    [Id(23)] public bool ReminderSet { get; set; }
}

/// <summary>One attached meter and the continuous register position it has been billed up to (null before its first usage).</summary>
[GenerateSerializer, Alias("pp.MeterBilling")]
public sealed class MeterBilling
{
    [Id(0)] public string MeterId { get; set; } = "";

    [Id(1)] public long? BilledUpToWh { get; set; }
}

/// <summary>The domain <see cref="Domain.Credit.CreditState"/> in storable form (primitives only).</summary>
[GenerateSerializer, Alias("pp.CreditStateData")]
public sealed class CreditStateData
{
    [Id(0)] public int Status { get; set; }

    [Id(1)] public long BalanceMinor { get; set; }

    [Id(2)] public DateTimeOffset Since { get; set; }

    [Id(3)] public int AlarmLevel { get; set; }

    [Id(4)] public bool DaysLeftWarned { get; set; }

    [Id(5)] public bool EmergencyCreditOffered { get; set; }

    [Id(6)] public bool EmergencyCreditActive { get; set; }

    [Id(7)] public bool EmergencyCreditExhausted { get; set; }

    [Id(8)] public DateTimeOffset? NoticeServedAt { get; set; }

    [Id(9)] public int LimitStep { get; set; } = -1;

    [Id(10)] public DateTimeOffset? Deadline { get; set; }

    [Id(11)] public int? HeldFrom { get; set; }

    [Id(12)] public string? EnforcementReason { get; set; }

    [Id(13)] public string? SafetyCause { get; set; }

    [Id(14)] public List<ProtectionView> Protections { get; set; } = [];
}
