using PrepaidPower.Domain.Tariffs;

namespace PrepaidPower.Domain.Rating;

/// <summary>
/// The per-account tier state: the local start date of the current tier period (1 January or the 1st of a month
/// in the tariff zone) and the energy used in it so far, in whole Wh. <c>default</c> means "nothing used yet";
/// the first rating starts a fresh period. Persist it with the account (it is all the tier state there is).
/// </summary>
public readonly record struct TierCounter(DateOnly PeriodStart, Energy Used);

/// <summary>
/// What rating needs to know about the account.
/// </summary>
/// <param name="Counter">Tier state before the interval.</param>
/// <param name="OpenedOn">
/// Local date the account opened. Tier bounds of the period that contains this date (when it is not the period's
/// first day) are pro-rated by the part of the period left (see docs/tariffs.md); <c>default</c> = no pro-rating.
/// </param>
/// <param name="QuotaModifier">
/// Name of a quota modifier of the tariff's tiers (e.g. "large-household"), or null. A name a version does not
/// define adds nothing there; validate it against <see cref="Tariff.QuotaModifierNames"/> when it is set.
/// </param>
public readonly record struct RatingAccount(TierCounter Counter, DateOnly OpenedOn = default, string? QuotaModifier = null);

/// <summary>
/// One priced part of an interval: energy of one band in one tier of one version. Amounts are exact (not rounded):
/// <see cref="AmountMinor"/> = <see cref="KilowattHours"/> × <see cref="Rate"/> × minor units per major unit.
/// Post the sum through <see cref="ChargeAccumulator"/>.
/// </summary>
/// <param name="VersionIndex">Index into <see cref="Tariff.Versions"/>.</param>
/// <param name="VersionEffectiveFrom">That version's effective-from date.</param>
/// <param name="TierIndex">Index into the version's tiers (0 = first block).</param>
/// <param name="BandIndex">Index into <see cref="Tariff.BandNames"/>.</param>
/// <param name="Band">Band name.</param>
/// <param name="KilowattHours">Energy in kWh, full decimal precision (may have fractions of a Wh from splitting).</param>
/// <param name="Rate">Price in major units per kWh.</param>
/// <param name="AmountMinor">Exact amount in minor units (fen, pence), not rounded.</param>
public readonly record struct RatedLine(
    int VersionIndex,
    DateOnly VersionEffectiveFrom,
    int TierIndex,
    int BandIndex,
    string Band,
    decimal KilowattHours,
    decimal Rate,
    decimal AmountMinor);

/// <summary>Result of rating one interval.</summary>
/// <param name="LineCount">Lines written to the caller's buffer.</param>
/// <param name="Counter">The tier counter after the interval (persist it).</param>
/// <param name="TotalMinor">Exact sum of the lines' amounts in minor units; pass it to <see cref="ChargeAccumulator.Post"/>.</param>
public readonly record struct RatingResult(int LineCount, TierCounter Counter, decimal TotalMinor);

/// <summary>Result of a standing-charge calculation.</summary>
/// <param name="Days">Local days charged.</param>
/// <param name="AmountMinor">Exact amount in minor units (daily charge × days, per version in force at each day's start).</param>
public readonly record struct StandingChargeResult(int Days, decimal AmountMinor);
