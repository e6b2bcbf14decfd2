using System.Globalization;
using System.Text.Json;
using PrepaidPower.Domain;
using PrepaidPower.Domain.Payments;
using PrepaidPower.Domain.Rating;
using PrepaidPower.Domain.Tariffs;

namespace PrepaidPower.Cli.Quote;

/// <summary>
/// Prices a clean series of readings with a tariff: energy per version × tier × band, standing charges per local
/// day and time-based debt recovery, posted in the currency's minor unit with the tariff's rounding so that the
/// lines add up to the total exactly.
/// </summary>
internal static class QuoteCalculator
{
    public static void Write(Utf8JsonWriter json, Tariff tariff, IReadOnlyList<QuoteReading> readings, AccountFile account, string readingsName)
    {
        var bandIndexes = MapBands(tariff, readings[0], readingsName);
        var modifier = tariff.QuotaModifierForHousehold(account.HouseholdSize);
        var counter = account.TierUsage is { } t ? new TierCounter(t.PeriodStart, Energy.FromKilowattHours(t.UsedKwh)) : default;
        var opened = account.AccountOpened ?? default;

        // Energy lines aggregated by (version, tier, band, rate), in first-seen order.
        var lines = new List<(DateOnly Version, int Tier, string Band, decimal Rate, decimal Kwh, decimal ExactMinor)>();
        var buffer = new RatedLine[tariff.MaxRatedLines];
        var bands = new Energy[tariff.BandNames.Length];
        var energy = Energy.Zero;
        for (var i = 1; i < readings.Count; i++)
        {
            var (prev, cur) = (readings[i - 1], readings[i]);
            var delta = cur.Total - prev.Total;
            energy += delta;
            Array.Clear(bands);
            foreach (var (name, index) in bandIndexes)
            {
                bands[index] = cur.Bands[name] - prev.Bands[name];
            }
            RatingResult result;
            try
            {
                result = Rater.Rate(tariff, prev.Timestamp, cur.Timestamp, delta, bandIndexes.Count > 0 ? bands : default,
                    new RatingAccount(counter, opened, modifier), buffer);
            }
            catch (ArgumentException e)
            {
                throw new InputFileException(readingsName, cur.Line, 0, $"cannot price the interval from line {prev.Line}: {e.Message}");
            }
            counter = result.Counter;
            foreach (var line in buffer.AsSpan(0, result.LineCount))
            {
                var at = lines.FindIndex(l => l.Version == line.VersionEffectiveFrom && l.Tier == line.TierIndex && l.Band == line.Band && l.Rate == line.Rate);
                if (at < 0)
                {
                    lines.Add((line.VersionEffectiveFrom, line.TierIndex, line.Band, line.Rate, line.KilowattHours, line.AmountMinor));
                }
                else
                {
                    var l = lines[at];
                    lines[at] = l with { Kwh = l.Kwh + line.KilowattHours, ExactMinor = l.ExactMinor + line.AmountMinor };
                }
            }
        }

        var from = readings[0].Timestamp;
        var to = readings[^1].Timestamp;
        var currency = tariff.Currency;
        var accumulator = new ChargeAccumulator(0, 0, tariff.Rounding);
        var totalMinor = 0L;

        json.WriteStartObject();
        json.WriteString("tariff", tariff.Id);
        json.WriteString("currency", currency.Code);
        json.WriteString("from", TimeZoneInfo.ConvertTime(from, tariff.TimeZone).ToString("O", CultureInfo.InvariantCulture));
        json.WriteString("to", TimeZoneInfo.ConvertTime(to, tariff.TimeZone).ToString("O", CultureInfo.InvariantCulture));
        json.WriteString("energyKwh", energy.KilowattHours.ToString("0.000", CultureInfo.InvariantCulture));
        json.WriteStartArray("lines");
        foreach (var l in lines)
        {
            var posted = accumulator.Post(l.ExactMinor);
            totalMinor += posted;
            json.WriteStartObject();
            json.WriteString("kind", "energy");
            json.WriteString("version", l.Version.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            json.WriteNumber("tier", l.Tier + 1);
            json.WriteString("band", l.Band);
            json.WriteString("kWh", Trim(l.Kwh));
            json.WriteString("rate", Trim(l.Rate));
            json.WriteString("amount", Money.FromMinor(posted, currency).ToAmountString());
            json.WriteEndObject();
        }
        for (var v = 0; v < tariff.Versions.Length; v++)
        {
            var vFrom = Max(from, tariff.EffectiveFromUtc(v));
            var vTo = v + 1 < tariff.Versions.Length ? Min(to, tariff.EffectiveFromUtc(v + 1)) : to;
            if (vFrom >= vTo || tariff.Versions[v].StandingChargePerDay == 0)
            {
                continue;
            }
            var standing = Rater.StandingCharge(tariff, vFrom, vTo);
            if (standing.Days == 0)
            {
                continue;
            }
            var posted = accumulator.Post(standing.AmountMinor);
            totalMinor += posted;
            json.WriteStartObject();
            json.WriteString("kind", "standingCharge");
            json.WriteString("version", tariff.Versions[v].EffectiveFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            json.WriteNumber("days", standing.Days);
            json.WriteString("ratePerDay", Trim(tariff.Versions[v].StandingChargePerDay));
            json.WriteString("amount", Money.FromMinor(posted, currency).ToAmountString());
            json.WriteEndObject();
        }
        foreach (var debt in account.Debts.Where(d => d.Method == DebtRecoveryMethod.Time))
        {
            var register = DebtRegister.TimeBased(debt.Id, debt.Label ?? debt.Id, ParseMoney(debt.Outstanding, currency, "outstanding", debt.Id),
                ParseMoney(debt.Amount!, currency, "amount", debt.Id), debt.Per == DebtPeriod.Week ? Domain.Payments.DebtPeriod.Week : Domain.Payments.DebtPeriod.Day);
            var accrual = PaymentAllocator.AccrueTimeDebt(register, from, to, tariff.TimeZone);
            if (accrual.Due.IsZero)
            {
                continue;
            }
            totalMinor += accrual.Due.MinorUnits;
            json.WriteStartObject();
            json.WriteString("kind", "debtRecovery");
            json.WriteString("debt", debt.Id);
            json.WriteNumber("periods", accrual.Periods);
            json.WriteString("amount", accrual.Due.ToAmountString());
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteString("total", Money.FromMinor(totalMinor, currency).ToAmountString());
        if (counter.PeriodStart != default)
        {
            json.WriteStartObject("tierUsage");
            json.WriteString("periodStart", counter.PeriodStart.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            json.WriteString("usedKwh", counter.Used.KilowattHours.ToString("0.000", CultureInfo.InvariantCulture));
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

    private static Dictionary<string, int> MapBands(Tariff tariff, QuoteReading first, string readingsName)
    {
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        var column = 3;
        foreach (var name in first.Bands.Keys)
        {
            var index = tariff.BandIndex(name);
            if (index < 0)
            {
                throw new InputFileException(readingsName, 1, column,
                    $"band column '{name}' is not a band of tariff '{tariff.Id}'; its bands are: {string.Join(", ", tariff.BandNames)}");
            }
            map[name] = index;
            column++;
        }
        return map;
    }

    private static Money ParseMoney(string text, Currency currency, string field, string debtId) =>
        Money.TryParse(text, currency, out var money, out var error)
            ? money
            : throw new InputFileException("account", 0, 0, $"debt '{debtId}' {field}: {error}");

    // Shows a decimal without trailing zeros (0.6170 → "0.617"); kWh shares from splitting keep up to µWh.
    private static string Trim(decimal value) => value.ToString("0.#########", CultureInfo.InvariantCulture);

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a >= b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a <= b ? a : b;
}
