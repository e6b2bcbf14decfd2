namespace PrepaidPower.Contracts.Accounts;

/// <summary>
/// Accepted energy sent by a meter grain to its account: the range [<see cref="FromWh"/>, <see cref="ToWh"/>) of the
/// meter's continuous position (never wraps, continues across exchanges). The account bills
/// <c>ToWh − billedUpTo</c> when positive and nothing otherwise, so a repeated, late or out-of-order report bills nothing
/// and a report after a lost one covers the gap.
/// </summary>
[GenerateSerializer, Immutable, Alias("pp.UsageReport")]
public sealed record UsageReport
{
    [Id(0)] public string MeterId { get; init; } = "";

    [Id(1)] public long FromWh { get; init; }

    [Id(2)] public long ToWh { get; init; }

    /// <summary>The interval on the collector's clock (UTC), for rating.</summary>
    [Id(3)] public DateTimeOffset PeriodStart { get; init; }

    [Id(4)] public DateTimeOffset PeriodEnd { get; init; }

    /// <summary>Band names of the meter's band registers (e.g. "peak", "valley"); empty when the meter has none.</summary>
    [Id(5)] public IReadOnlyList<string> BandNames { get; init; } = [];

    /// <summary>Band position deltas over the range, Wh, in <see cref="BandNames"/> order (sum = ToWh − FromWh).</summary>
    [Id(6)] public IReadOnlyList<long> BandEnergiesWh { get; init; } = [];

    /// <summary>Raw registers at both ends (audit).</summary>
    [Id(7)] public long FromRegisterWh { get; init; }

    [Id(8)] public long ToRegisterWh { get; init; }
}

/// <summary>What the account did with a <see cref="UsageReport"/>.</summary>
[GenerateSerializer, Immutable, Alias("pp.UsageBilled")]
public sealed record UsageBilled
{
    /// <summary>Energy billed by this report, Wh (0 for a duplicate, late or out-of-order report).</summary>
    [Id(0)] public long BilledWh { get; init; }

    /// <summary>Money posted, minor units (positive number; the ledger entry is negative).</summary>
    [Id(1)] public long ChargedMinor { get; init; }

    /// <summary>The account's billed-up-to for this meter after the report.</summary>
    [Id(2)] public long BilledUpToWh { get; init; }

    [Id(3)] public MoneyAmount Balance { get; init; }

    /// <summary>Orders for the reporting meter from the credit policy (the account does not call back into its caller).</summary>
    [Id(4)] public IReadOnlyList<Meters.SupplyOrderRequest> Orders { get; init; } = [];
}
