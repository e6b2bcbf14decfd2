namespace PrepaidPower.Contracts.Accounts;

/// <summary>Opens an account. Every field is checked; nothing is written when one is wrong.</summary>
[GenerateSerializer, Alias("pp.OpenAccountRequest")]
public sealed record OpenAccountRequest
{
    /// <summary>ISO 4217 code; must equal the tariff's currency.</summary>
    [Id(0)] public string Currency { get; init; } = "";

    /// <summary>Id of a tariff uploaded to the catalogue.</summary>
    [Id(1)] public string TariffId { get; init; } = "";

    /// <summary>IANA zone of the account (protected windows, weekly debt caps), e.g. "Asia/Shanghai".</summary>
    [Id(2)] public string TimeZone { get; init; } = "";

    /// <summary>Overrides of the default credit policy; null = <see cref="CreditPolicySpec.Default"/> in the account's currency.</summary>
    [Id(3)] public CreditPolicySpec? CreditPolicy { get; init; }

    /// <summary>Persons in the household, 1–99 (5 or more selects a tariff's "large-household" quota modifier).</summary>
    [Id(4)] public int HouseholdSize { get; init; } = 1;

    /// <summary>How to reach the customer for reminders; null = no reminders.</summary>
    [Id(5)] public ContactDetails? Contact { get; init; }

    /// <summary>Operator who opened it (audit).</summary>
    [Id(6)] public string OperatorId { get; init; } = "";
}

/// <summary>Where reminders go. At least one channel; language is a BCP 47 tag such as "zh-CN" or "en".</summary>
[GenerateSerializer, Alias("pp.ContactDetails")]
public sealed record ContactDetails
{
    [Id(0)] public string? Phone { get; init; }

    [Id(1)] public string? Email { get; init; }

    /// <summary>App push token or user id.</summary>
    [Id(2)] public string? PushId { get; init; }

    [Id(3)] public string Language { get; init; } = "zh-CN";
}

/// <summary>
/// The credit policy in API form: money as minor units of the account's currency, periods as durations.
/// <see cref="Default"/> is the product default; every property left null keeps the default's value.
/// </summary>
[GenerateSerializer, Alias("pp.CreditPolicySpec")]
public sealed record CreditPolicySpec
{
    /// <summary>Low-balance alarm levels (minor units), strictly descending. Default: 20.00 and 5.00 major units.</summary>
    [Id(0)] public IReadOnlyList<long>? AlarmLevelsMinor { get; init; }

    /// <summary>Warn when the days-of-credit forecast reaches this. Default 3 days.</summary>
    [Id(1)] public decimal? DaysLeftWarning { get; init; }

    /// <summary>Emergency credit limit in minor units; 0 = none. Default 10.00 major units, offered at 5.00, customer-activated.</summary>
    [Id(2)] public long? EmergencyCreditLimitMinor { get; init; }

    [Id(3)] public long? EmergencyCreditAvailableAtOrBelowMinor { get; init; }

    [Id(4)] public bool? EmergencyCreditAutomatic { get; init; }

    /// <summary>Arrears start at or below this (minor units). Default 0.</summary>
    [Id(5)] public long? DisconnectionThresholdMinor { get; init; }

    /// <summary>Supply returns at or above this (minor units). Default 1.00 major unit.</summary>
    [Id(6)] public long? ReconnectThresholdMinor { get; init; }

    /// <summary>"DisconnectAfterNotice" (default), "LimitThenDisconnect" or "LimitOnly".</summary>
    [Id(7)] public string? ArrearsMode { get; init; }

    /// <summary>Written notice before an arrears cut. Default 3 days.</summary>
    [Id(8)] public TimeSpan? NoticePeriod { get; init; }

    /// <summary>Grace after the notice before the first restriction. Default 3 days.</summary>
    [Id(9)] public TimeSpan? GracePeriod { get; init; }

    /// <summary>Limit steps in kW, strictly descending (limiting modes only). Default 5, 3.</summary>
    [Id(10)] public IReadOnlyList<decimal>? LimitStepsKilowatts { get; init; }

    /// <summary>Basic-supply floor in kW (limiting modes only). Default 1.</summary>
    [Id(11)] public decimal? LimitFloorKilowatts { get; init; }

    /// <summary>Days each limit step holds (limiting modes only). Default 30.</summary>
    [Id(12)] public int? LimitStepDays { get; init; }

    /// <summary>The product default (all nulls).</summary>
    public static CreditPolicySpec Default { get; } = new();
}

/// <summary>Which per-account protection.</summary>
[GenerateSerializer, Alias("pp.ProtectionType")]
public enum ProtectionType
{
    /// <summary>An operator's time-boxed "keep supply on" override; needs reason and operator.</summary>
    KeepSupplyOn = 1,

    /// <summary>Medical or vulnerability protection until a date; needs reason.</summary>
    Medical = 2,

    /// <summary>A weather hold for a region; needs region and reason.</summary>
    WeatherHold = 3,
}

/// <summary>Grants a protection from arrears cuts until <see cref="Until"/> (exclusive, must be in the future); replaces one of the same type.</summary>
[GenerateSerializer, Alias("pp.ProtectionRequest")]
public sealed record ProtectionRequest
{
    [Id(0)] public ProtectionType Type { get; init; }

    [Id(1)] public DateTimeOffset Until { get; init; }

    [Id(2)] public string Reason { get; init; } = "";

    [Id(3)] public string OperatorId { get; init; } = "";

    /// <summary>Weather holds only.</summary>
    [Id(4)] public string? Region { get; init; }
}

/// <summary>
/// Money from outside: a top-up (<see cref="PaymentRequestKind.TopUp"/>, positive), a refund (positive amount, taken
/// from the balance) or an adjustment (either sign). <see cref="Id"/> is the caller's idempotency key: the same id with
/// the same content returns the original receipt; the same id with other content is a conflict, and nothing is written.
/// </summary>
[GenerateSerializer, Alias("pp.PaymentRequest")]
public sealed record PaymentRequest
{
    /// <summary>Payment id, refund id or adjustment id; 1–100 printable characters, unique across all accounts.</summary>
    [Id(0)] public string Id { get; init; } = "";

    /// <summary>Minor units and currency (must be the account's).</summary>
    [Id(1)] public MoneyAmount Amount { get; init; }

    /// <summary>Top-ups: the channel (e.g. "wechat", "counter", "bank"). Refunds/adjustments: the reason.</summary>
    [Id(2)] public string Channel { get; init; } = "";

    /// <summary>Refunds and adjustments: the reason (required). Top-ups: optional note.</summary>
    [Id(3)] public string? Reason { get; init; }

    /// <summary>Refunds and adjustments: the operator (required).</summary>
    [Id(4)] public string? OperatorId { get; init; }

    /// <summary>When the money was received; default = now.</summary>
    [Id(5)] public DateTimeOffset? ReceivedAt { get; init; }
}

/// <summary>Which kind of outside money a <see cref="PaymentRequest"/> is.</summary>
[GenerateSerializer, Alias("pp.PaymentRequestKind")]
public enum PaymentRequestKind
{
    TopUp = 1,
    Refund = 2,
    Adjustment = 3,
}

/// <summary>An operator action with a mandatory operator id and reason (cuts, lifts, clears, closing).</summary>
[GenerateSerializer, Alias("pp.OperatorAction")]
public sealed record OperatorAction
{
    [Id(0)] public string OperatorId { get; init; } = "";

    [Id(1)] public string Reason { get; init; } = "";
}
