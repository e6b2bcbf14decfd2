using System.Globalization;
using PrepaidPower.Domain.Tariffs;

namespace PrepaidPower.Domain.Rating;

/// <summary>
/// Prices energy and standing charges with a <see cref="Tariff"/>. Pure and allocation-free on the hot path.
/// <para>
/// <b>Splitting.</b> An interval [from, to) is cut into segments wherever the band, the local day (day type,
/// season, tier period), the UTC offset (DST) or the tariff version changes. Energy goes to segments pro rata by
/// real (UTC-elapsed) time — or, when per-band register deltas are given, each band's energy goes to that band's
/// segments pro rata by time. Consumption is taken as uniform inside each share, so segments are walked in time
/// order and a tier bound is crossed at the moment the cumulative counter reaches it (chronological tiers): the
/// part before the crossing is priced in the lower tier, the rest in the next.
/// </para>
/// <para>
/// <b>Precision.</b> Time shares of an interval's energy are computed cumulatively (energy × elapsed ÷ duration,
/// floored to 1 µWh), so the parts always add up to the whole exactly and a share is exact whenever it is a whole
/// number of µWh. Everything else — tier bounds, tier splits, prices, amounts — is exact <see cref="decimal"/>.
/// Amounts are returned in exact minor units; the caller posts them through <see cref="ChargeAccumulator"/> with
/// <see cref="Tariff.Rounding"/>.
/// </para>
/// </summary>
public static class Rater
{
    private const int MaxBandsOnStack = 64;
    private const long MicroPerUnit = 1_000_000;

    /// <summary>Rates an interval without per-band registers (energy split across bands by time).</summary>
    /// <inheritdoc cref="Rate(Tariff, DateTimeOffset, DateTimeOffset, Energy, ReadOnlySpan{Energy}, in RatingAccount, Span{RatedLine})"/>
    public static RatingResult Rate(Tariff tariff, DateTimeOffset from, DateTimeOffset to, Energy energy, in RatingAccount account, Span<RatedLine> lines) =>
        Rate(tariff, from, to, energy, default, account, lines);

    /// <summary>
    /// Rates the energy consumed in [<paramref name="from"/>, <paramref name="to"/>) and writes the priced lines to
    /// <paramref name="lines"/> (one per version × tier × band touched; size it with <see cref="Tariff.MaxRatedLines"/>).
    /// </summary>
    /// <param name="tariff">The tariff.</param>
    /// <param name="from">Interval start (any offset; compared as UTC instants).</param>
    /// <param name="to">Interval end, exclusive; after <paramref name="from"/> (or equal, with zero energy).</param>
    /// <param name="energy">Energy consumed in the interval (Wh, ≥ 0).</param>
    /// <param name="bandEnergies">
    /// Empty, or per-band register deltas indexed like <see cref="Tariff.BandNames"/> (use <see cref="Tariff.BandIndex"/>),
    /// each ≥ 0 and summing to <paramref name="energy"/>. A band with energy must occur in the interval.
    /// </param>
    /// <param name="account">Tier counter, opening date and quota modifier of the account.</param>
    /// <param name="lines">Output buffer.</param>
    /// <returns>Line count, the new tier counter and the exact total in minor units.</returns>
    /// <exception cref="ArgumentException">
    /// Bad interval or energy, registers inconsistent with the total, interval before the first version or in an
    /// earlier tier period than the counter, or a buffer smaller than <see cref="Tariff.MaxRatedLines"/>.
    /// </exception>
    public static RatingResult Rate(
        Tariff tariff,
        DateTimeOffset from,
        DateTimeOffset to,
        Energy energy,
        ReadOnlySpan<Energy> bandEnergies,
        in RatingAccount account,
        Span<RatedLine> lines)
    {
        ArgumentNullException.ThrowIfNull(tariff);
        var start = from.UtcTicks;
        var end = to.UtcTicks;
        var duration = end - start;
        if (duration < 0 || (duration == 0 && energy.WattHours != 0))
        {
            throw new ArgumentException($"The interval {from:O} – {to:O} is empty or reversed; 'to' must be after 'from'.", nameof(to));
        }
        if (energy.WattHours < 0)
        {
            throw new ArgumentException($"Energy {energy} is negative; a register that went backwards is for validation (VEE), not rating.", nameof(energy));
        }
        if (lines.Length < tariff.MaxRatedLines)
        {
            throw new ArgumentException($"The line buffer holds {lines.Length} lines; tariff '{tariff.Id}' can produce {tariff.MaxRatedLines} (Tariff.MaxRatedLines).", nameof(lines));
        }
        var firstVersion = tariff.VersionIndexAt(start);
        if (firstVersion < 0)
        {
            throw new ArgumentException($"The interval starts at {from:O}, before tariff '{tariff.Id}' begins ({tariff.EffectiveFromUtc(0):O}).", nameof(from));
        }
        var bandCount = tariff.BandNames.Length;
        var byBand = !bandEnergies.IsEmpty;
        if (byBand)
        {
            CheckBandEnergies(tariff, energy, bandEnergies);
        }
        if (bandCount > MaxBandsOnStack)
        {
            throw new ArgumentException($"Tariff '{tariff.Id}' has {bandCount} bands over all versions; rating supports {MaxBandsOnStack}.", nameof(tariff));
        }

        var counter = account.Counter;
        var firstPeriod = PeriodStart(tariff.Versions[firstVersion].TierPeriod, tariff.Days.DayContaining(start).Date);
        if (firstPeriod < counter.PeriodStart)
        {
            throw new ArgumentException(
                $"The tier counter is already in the period starting {Iso(counter.PeriodStart)}, but the interval starts in the period of {Iso(firstPeriod)}; rate intervals in time order.",
                nameof(account));
        }
        if (duration == 0 || energy.WattHours == 0)
        {
            return new RatingResult(0, counter, 0m);
        }

        // Time of each band in the interval (only needed to share per-band energies).
        Span<long> bandTime = stackalloc long[bandCount];
        if (byBand)
        {
            var w = new SegmentWalker(tariff, start, end);
            while (w.Next(out var seg))
            {
                bandTime[seg.TariffBand] += seg.Duration;
            }
            for (var b = 0; b < bandCount; b++)
            {
                if (bandEnergies[b].WattHours > 0 && bandTime[b] == 0)
                {
                    throw new ArgumentException(
                        $"The '{tariff.BandNames[b]}' register moved by {bandEnergies[b]} but the interval {from:O} – {to:O} has no '{tariff.BandNames[b]}' time; " +
                        "check the meter clock, or rate the interval without per-band registers.",
                        nameof(bandEnergies));
                }
            }
        }

        Span<long> elapsed = stackalloc long[byBand ? bandCount : 1];
        Span<long> allocated = stackalloc long[byBand ? bandCount : 1];
        elapsed.Clear();
        allocated.Clear();
        Span<decimal> bounds = stackalloc decimal[TariffLoader.MaxTiers];

        var period = counter.PeriodStart;
        var periodChanged = false;
        decimal used = counter.Used.WattHours;
        var boundsVersion = -1;
        var lineCount = 0;
        var periodDate = DateOnly.MinValue;
        var periodVersion = -1;
        var segPeriod = period;

        var walker = new SegmentWalker(tariff, start, end);
        while (walker.Next(out var seg))
        {
            // This segment's energy: cumulative share in µWh minus what earlier segments got, so the parts
            // always add up to the whole exactly.
            decimal share;
            if (byBand)
            {
                var b = seg.TariffBand;
                elapsed[b] += seg.Duration;
                share = NextShare(bandEnergies[b].WattHours, elapsed[b], bandTime[b], ref allocated[b]);
            }
            else
            {
                elapsed[0] += seg.Duration;
                share = NextShare(energy.WattHours, elapsed[0], duration, ref allocated[0]);
            }

            var version = tariff.Versions[seg.VersionIndex];
            if (seg.Date != periodDate || seg.VersionIndex != periodVersion)
            {
                segPeriod = PeriodStart(version.TierPeriod, seg.Date);
                periodDate = seg.Date;
                periodVersion = seg.VersionIndex;
            }
            if (segPeriod != period)
            {
                // A new tier period starts from zero; the old one is finished.
                period = segPeriod;
                periodChanged = true;
                used = 0m;
                boundsVersion = -1;
            }
            if (boundsVersion != seg.VersionIndex)
            {
                ComputeBounds(version, period, account, bounds);
                boundsVersion = seg.VersionIndex;
            }

            var tiers = version.Tiers;
            var tier = 0;
            while (share > 0m)
            {
                while (tier < tiers.Length - 1 && used >= bounds[tier])
                {
                    tier++;
                }
                var take = share;
                if (tier < tiers.Length - 1)
                {
                    var room = bounds[tier] - used;
                    if (take > room)
                    {
                        take = room;
                    }
                }
                lineCount = AddToLine(lines, lineCount, version, seg, tier, take);
                used += take;
                share -= take;
            }
        }

        // Lines hold Wh while accumulating; turn them into kWh and exact amounts.
        var minorPerMajor = tariff.Currency.MinorPerMajor;
        var totalMinor = 0m;
        for (var i = 0; i < lineCount; i++)
        {
            var l = lines[i];
            var kwh = l.KilowattHours * 0.001m; // exact: only the scale changes
            var amount = kwh * l.Rate * minorPerMajor;
            totalMinor += amount;
            lines[i] = l with { Band = tariff.BandNames[l.BandIndex], KilowattHours = kwh, AmountMinor = amount };
        }
        // The counter is whole Wh: within one period the sum is exact; a period that started inside the
        // interval holds the time share of the energy, rounded to the Wh.
        var newUsed = periodChanged
            ? Energy.FromWattHours(decimal.ToInt64(Math.Round(used, 0, MidpointRounding.AwayFromZero)))
            : counter.Used + energy;
        return new RatingResult(lineCount, new TierCounter(period, newUsed), totalMinor);
    }

    /// <summary>
    /// The standing charge for the local calendar days (tariff zone) whose first instant lies in
    /// [<paramref name="from"/>, <paramref name="to"/>): a day is charged in full, once, when it starts — a 23-hour or
    /// 25-hour DST day costs one day. The price is that of the version in force at the day's start; days before the
    /// first version cost nothing. It accrues whatever the balance (also while it is negative).
    /// </summary>
    /// <returns>Days charged and the exact amount in minor units (post it through <see cref="ChargeAccumulator"/>).</returns>
    public static StandingChargeResult StandingCharge(Tariff tariff, DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentNullException.ThrowIfNull(tariff);
        var start = from.UtcTicks;
        var end = to.UtcTicks;
        if (end < start)
        {
            throw new ArgumentException($"The range {from:O} – {to:O} is reversed.", nameof(to));
        }
        var day = tariff.Days.DayContaining(start);
        if (day.StartUtc < start)
        {
            day = tariff.Days.Day(day.DayNumber + 1);
        }
        var days = 0;
        var amount = 0m;
        var minorPerMajor = tariff.Currency.MinorPerMajor;
        while (day.StartUtc < end)
        {
            var v = tariff.VersionIndexAt(day.StartUtc);
            if (v >= 0)
            {
                days++;
                amount += tariff.Versions[v].StandingChargePerDay * minorPerMajor;
            }
            day = tariff.Days.Day(day.DayNumber + 1);
        }
        return new StandingChargeResult(days, amount);
    }

    /// <summary>The tier-period start (local date) that contains a local date.</summary>
    public static DateOnly PeriodStart(TierPeriod period, DateOnly date) =>
        period == TierPeriod.Month ? new DateOnly(date.Year, date.Month, 1) : new DateOnly(date.Year, 1, 1);

    /// <summary>
    /// The upper bounds (Wh, whole) of the bounded tiers of a version for one period and account: the tariff bound
    /// plus the account's quota modifier (per month × months in the period), pro-rated when the account opened
    /// after the period's first day, rounded half-up to the Wh.
    /// </summary>
    public static Energy TierBound(TariffVersion version, int tierIndex, DateOnly periodStart, DateOnly openedOn, string? quotaModifier)
    {
        ArgumentNullException.ThrowIfNull(version);
        if (tierIndex < 0 || tierIndex >= version.Tiers.Length - 1)
        {
            throw new ArgumentOutOfRangeException(nameof(tierIndex), tierIndex, "Only tiers below the last have a bound.");
        }
        Span<decimal> bounds = stackalloc decimal[TariffLoader.MaxTiers];
        ComputeBounds(version, periodStart, new RatingAccount(default, openedOn, quotaModifier), bounds);
        return Energy.FromWattHours(decimal.ToInt64(bounds[tierIndex]));
    }

    private static void ComputeBounds(TariffVersion version, DateOnly periodStart, in RatingAccount account, Span<decimal> bounds)
    {
        var tiers = version.Tiers;
        var yearly = version.TierPeriod == TierPeriod.Year;
        var opened = account.OpenedOn;
        var prorate = opened > periodStart
            && opened < (yearly ? new DateOnly(periodStart.Year + 1, 1, 1) : periodStart.AddMonths(1));
        if (!prorate && account.QuotaModifier is null)
        {
            // The common case: the tariff's own bounds, already in Wh.
            for (var k = 0; k < tiers.Length - 1; k++)
            {
                bounds[k] = tiers[k].UpToWattHours;
            }
            return;
        }
        var factor = 1m;
        if (prorate)
        {
            // Remaining share of the period, counted in months (the opening month by its remaining days),
            // so opening on 1 July leaves exactly half a year (Shanghai 2012: 1,560 of 3,120 kWh).
            decimal dim = DateTime.DaysInMonth(opened.Year, opened.Month);
            var openingMonth = (dim - opened.Day + 1) / dim;
            factor = yearly ? (openingMonth + (12 - opened.Month)) / 12m : openingMonth;
        }
        var months = yearly ? 12 : 1;
        for (var k = 0; k < tiers.Length - 1; k++)
        {
            var kwh = tiers[k].UpToKilowattHours.GetValueOrDefault() + tiers[k].ExtraKwhPerMonth(account.QuotaModifier) * months;
            bounds[k] = Math.Round(kwh * 1000m * factor, 0, MidpointRounding.AwayFromZero);
        }
    }

    /// <summary>
    /// The next share of <paramref name="totalWh"/> after <paramref name="elapsed"/> of <paramref name="duration"/>
    /// ticks, in Wh with 6 decimals: the cumulative allocation is floored to 1 µWh, so shares never drift and
    /// sum to the total exactly, and decimals stay short (long repeating fractions make decimal arithmetic slow).
    /// </summary>
    private static decimal NextShare(long totalWh, long elapsed, long duration, ref long allocatedMicro)
    {
        var upToHere = elapsed == duration
            ? checked(totalWh * MicroPerUnit)
            : (long)((Int128)totalWh * MicroPerUnit * elapsed / duration);
        var share = upToHere - allocatedMicro;
        allocatedMicro = upToHere;
        // Bit patterns of the low and high halves (the project compiles checked, so say unchecked).
        return new decimal(unchecked((int)share), unchecked((int)(share >> 32)), 0, false, 6);
    }

    private static int AddToLine(Span<RatedLine> lines, int count, TariffVersion version, in Segment seg, int tier, decimal wh)
    {
        for (var i = 0; i < count; i++)
        {
            var l = lines[i];
            if (l.VersionIndex == seg.VersionIndex && l.TierIndex == tier && l.BandIndex == seg.TariffBand)
            {
                lines[i] = l with { KilowattHours = l.KilowattHours + wh };
                return count;
            }
        }
        var rate = version.Tiers[tier].Prices[seg.VersionBand];
        lines[count] = new RatedLine(seg.VersionIndex, version.EffectiveFrom, tier, seg.TariffBand, "", wh, rate, 0m);
        return count + 1;
    }

    private static void CheckBandEnergies(Tariff tariff, Energy energy, ReadOnlySpan<Energy> bandEnergies)
    {
        if (bandEnergies.Length != tariff.BandNames.Length)
        {
            throw new ArgumentException(
                $"Got {bandEnergies.Length} band registers; tariff '{tariff.Id}' has {tariff.BandNames.Length} bands ({string.Join(", ", tariff.BandNames)}), index them with Tariff.BandIndex.",
                nameof(bandEnergies));
        }
        long sum = 0;
        foreach (var e in bandEnergies)
        {
            if (e.WattHours < 0)
            {
                throw new ArgumentException($"A band register delta is negative ({e}).", nameof(bandEnergies));
            }
            sum = checked(sum + e.WattHours);
        }
        if (sum != energy.WattHours)
        {
            throw new ArgumentException(
                $"The band registers add up to {Energy.FromWattHours(sum)} but the total is {energy}; reconcile the registers (VEE) before rating.",
                nameof(bandEnergies));
        }
    }

    private static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
