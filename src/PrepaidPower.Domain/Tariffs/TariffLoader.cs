using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PrepaidPower.Domain.Tariffs;

/// <summary>
/// Reads tariff JSON (format: docs/tariffs.md) strictly: unknown properties, duplicate keys, bad dates, unknown
/// currencies or time zones, negative prices, unsorted tiers and band schedules that do not cover each day exactly
/// once are all errors. Every problem found is reported with its JSON path in one <see cref="TariffLoadException"/>;
/// nothing is half-loaded.
/// </summary>
public static class TariffLoader
{
    /// <summary>Band name of a version without time-of-use.</summary>
    public const string AllDayBand = "all-day";

    /// <summary>Most tier blocks per version.</summary>
    public const int MaxTiers = 16;

    /// <summary>Most bands per version.</summary>
    public const int MaxBands = 32;

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = false,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowDuplicateProperties = false,
        ReadCommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    private static readonly string[] WeekdayNames = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

    /// <summary>Reads and validates a tariff file.</summary>
    /// <exception cref="TariffLoadException">The file is not a valid tariff; every problem is listed.</exception>
    public static Tariff LoadFile(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TariffLoadException($"file '{path}'", [new TariffProblem("$", $"cannot read the file: {e.Message}")]);
        }
        return Parse(json, $"file '{path}'");
    }

    /// <summary>Parses and validates a tariff document.</summary>
    /// <param name="json">The document.</param>
    /// <param name="source">Names the document in error messages (e.g. a file name).</param>
    /// <exception cref="TariffLoadException">The document is not a valid tariff; every problem is listed.</exception>
    public static Tariff Parse(string json, string source = "document")
    {
        var doc = Deserialize<TariffDocument>(json, source);
        var problems = new List<TariffProblem>();
        var tariff = Build(doc, problems);
        if (problems.Count > 0 || tariff is null)
        {
            throw new TariffLoadException(source, problems);
        }
        return tariff;
    }

    /// <summary>
    /// Parses one version object (the same shape as an entry of <c>versions</c>), e.g. to pass to
    /// <see cref="Tariff.AddVersion"/>.
    /// </summary>
    /// <exception cref="TariffLoadException">The version is not valid; every problem is listed.</exception>
    public static TariffVersion ParseVersion(string json, string source = "version")
    {
        var doc = Deserialize<VersionDocument>(json, source);
        var problems = new List<TariffProblem>();
        var version = BuildVersion(doc, "", problems);
        if (problems.Count > 0 || version is null)
        {
            throw new TariffLoadException(source, problems);
        }
        return version;
    }

    private static T Deserialize<T>(string json, string source)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options)
                ?? throw new TariffLoadException(source, [new TariffProblem("$", "the document is null; expected an object")]);
        }
        catch (JsonException e)
        {
            var path = e.Path is null or "$" ? "$" : e.Path.StartsWith("$.", StringComparison.Ordinal) ? e.Path[2..] : e.Path;
            var message = e.Message;
            var unmapped = message.IndexOf("could not be mapped", StringComparison.Ordinal);
            if (unmapped > 0)
            {
                // The serializer names our internal DTO types; say it in the file's terms instead.
                var start = message.IndexOf('\'', StringComparison.Ordinal);
                var end = start >= 0 ? message.IndexOf('\'', start + 1) : -1;
                var property = start >= 0 && end > start ? message[(start + 1)..end] : "?";
                message = $"unknown property '{property}' (names are case-sensitive camelCase; see docs/tariffs.md)";
            }
            else if (e.LineNumber is { } line)
            {
                message = $"{message} (line {line + 1})";
            }
            throw new TariffLoadException(source, [new TariffProblem(path, message)]);
        }
    }

    private static Tariff? Build(TariffDocument doc, List<TariffProblem> problems)
    {
        var id = doc.Id;
        if (string.IsNullOrWhiteSpace(id))
        {
            problems.Add(new("id", "missing; give the tariff a short identifier such as \"shanghai-residential\""));
        }
        var currency = default(Currency);
        if (doc.Currency is null)
        {
            problems.Add(new("currency", "missing; give an ISO 4217 code such as \"CNY\""));
        }
        else if (!Currency.TryFromCode(doc.Currency, out currency))
        {
            problems.Add(new("currency", $"unknown currency '{doc.Currency}'; use an ISO 4217 code in upper case, one of: {string.Join(", ", Currency.Known.Select(c => c.Code).Order(StringComparer.Ordinal))}"));
        }
        TimeZoneInfo? zone = null;
        if (doc.TimeZone is null)
        {
            problems.Add(new("timeZone", "missing; give an IANA time zone such as \"Asia/Shanghai\""));
        }
        else
        {
            try
            {
                zone = TimeZoneInfo.FindSystemTimeZoneById(doc.TimeZone);
            }
            catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                problems.Add(new("timeZone", $"unknown time zone '{doc.TimeZone}'; use an IANA id such as \"Europe/London\""));
            }
        }
        var rounding = MoneyRounding.HalfUp;
        if (doc.Rounding is not null && !TryRounding(doc.Rounding, out rounding))
        {
            problems.Add(new("rounding", $"unknown rounding '{doc.Rounding}'; use one of HalfUp (default), HalfEven, Down, Up"));
        }
        var versions = ImmutableArray.CreateBuilder<TariffVersion>();
        if (doc.Versions is null || doc.Versions.Count == 0)
        {
            problems.Add(new("versions", "missing or empty; a tariff needs at least one version"));
        }
        else
        {
            DateOnly? previous = null;
            for (var i = 0; i < doc.Versions.Count; i++)
            {
                var path = $"versions[{i}]";
                var v = doc.Versions[i];
                if (v is null)
                {
                    problems.Add(new(path, "is null; expected a version object"));
                    continue;
                }
                var built = BuildVersion(v, path + ".", problems);
                if (built is null)
                {
                    continue;
                }
                if (previous is { } p && built.EffectiveFrom <= p)
                {
                    problems.Add(new(path + ".effectiveFrom",
                        $"{Iso(built.EffectiveFrom)} is not after the previous version's {Iso(p)}; list versions in ascending order, one per date (versions cannot overlap)"));
                }
                previous = built.EffectiveFrom;
                versions.Add(built);
            }
        }
        var household = BuildHouseholdModifiers(doc, versions, problems);
        if (problems.Count > 0 || zone is null || id is null)
        {
            return null;
        }
        return new Tariff(id, doc.Name ?? id, doc.Description ?? "", currency, zone, rounding, versions.ToImmutable(), household);
    }

    private static ImmutableArray<HouseholdModifier> BuildHouseholdModifiers(
        TariffDocument doc, ImmutableArray<TariffVersion>.Builder versions, List<TariffProblem> problems)
    {
        if (doc.HouseholdModifiers is null)
        {
            return [];
        }
        var known = versions.SelectMany(v => v.Tiers).SelectMany(t => t.QuotaModifiers).Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        var rules = ImmutableArray.CreateBuilder<HouseholdModifier>();
        var previous = 0;
        for (var i = 0; i < doc.HouseholdModifiers.Count; i++)
        {
            var path = $"householdModifiers[{i}]";
            var rule = doc.HouseholdModifiers[i];
            if (rule is null)
            {
                problems.Add(new(path, "is null; expected { \"minPersons\": 5, \"modifier\": \"large-household\" }"));
                continue;
            }
            if (rule.MinPersons is not (>= 1 and <= 99))
            {
                problems.Add(new(path + ".minPersons", $"{(rule.MinPersons?.ToString(CultureInfo.InvariantCulture) ?? "missing")}; give a household size from 1 to 99"));
                continue;
            }
            if (rule.MinPersons <= previous)
            {
                problems.Add(new(path + ".minPersons", $"{rule.MinPersons} is not above the previous rule's {previous}; list rules by ascending size"));
            }
            if (rule.Modifier is null || !known.Contains(rule.Modifier))
            {
                problems.Add(new(path + ".modifier", $"'{rule.Modifier}' is not a quota modifier of any tier; use one of: {string.Join(", ", known.Order(StringComparer.Ordinal))}"));
                continue;
            }
            previous = rule.MinPersons.Value;
            rules.Add(new HouseholdModifier(rule.MinPersons.Value, rule.Modifier));
        }
        return rules.ToImmutable();
    }

    private static bool TryRounding(string text, out MoneyRounding rounding)
    {
        foreach (var mode in Enum.GetValues<MoneyRounding>())
        {
            if (string.Equals(mode.ToString(), text, StringComparison.Ordinal))
            {
                rounding = mode;
                return true;
            }
        }
        rounding = MoneyRounding.HalfUp;
        return false;
    }

    private static TariffVersion? BuildVersion(VersionDocument v, string path, List<TariffProblem> problems)
    {
        var start = problems.Count;
        DateOnly effectiveFrom = default;
        if (v.EffectiveFrom is null)
        {
            problems.Add(new(path + "effectiveFrom", "missing; give the local date the version starts, e.g. \"2024-10-01\""));
        }
        else if (!TryDate(v.EffectiveFrom, out effectiveFrom))
        {
            problems.Add(new(path + "effectiveFrom", $"'{v.EffectiveFrom}' is not a date; write yyyy-MM-dd, e.g. \"2024-10-01\""));
        }

        var standing = 0m;
        if (v.StandingChargePerDay is { } sc)
        {
            standing = NonNegative(sc, path + "standingChargePerDay", problems) ?? 0m;
        }

        // Time of use: bands, calendar and seasons.
        ImmutableArray<string> bands;
        ImmutableArray<string> dayTypes;
        Season[] seasons;
        int[] weekdayDayType;
        FrozenDictionary<DateOnly, int> specialDays;
        if (v.TimeOfUse is null)
        {
            bands = [AllDayBand];
            dayTypes = ["workday", "weekend"];
            var allDay = new DaySchedule([0], [0]);
            seasons = [new Season("all-year", 1, 1, [allDay, allDay])];
            weekdayDayType = [1, 0, 0, 0, 0, 0, 1];
            specialDays = FrozenDictionary<DateOnly, int>.Empty;
        }
        else
        {
            BuildTimeOfUse(v.TimeOfUse, path + "timeOfUse.", problems, out bands, out dayTypes, out seasons, out weekdayDayType, out specialDays);
        }

        // Tiers and prices.
        var tierPeriod = TierPeriod.Year;
        if (v.TierPeriod is not null)
        {
            switch (v.TierPeriod)
            {
                case "year":
                    tierPeriod = TierPeriod.Year;
                    break;
                case "month":
                    tierPeriod = TierPeriod.Month;
                    break;
                default:
                    problems.Add(new(path + "tierPeriod", $"'{v.TierPeriod}' is not a tier period; use \"year\" (default) or \"month\""));
                    break;
            }
        }
        var tiers = ImmutableArray.CreateBuilder<TierBlock>();
        if (v.Tiers is not null)
        {
            if (v.Price is not null || v.Prices is not null)
            {
                problems.Add(new(path + "tiers", "give prices either in each tier or at version level (price/prices), not both"));
            }
            if (v.Tiers.Count == 0)
            {
                problems.Add(new(path + "tiers", "is empty; give at least one tier, or leave tiers out and set price/prices"));
            }
            else if (v.Tiers.Count > MaxTiers)
            {
                problems.Add(new(path + "tiers", $"has {v.Tiers.Count} tiers; at most {MaxTiers} are supported"));
            }
            decimal? previousUpTo = null;
            for (var t = 0; t < v.Tiers.Count; t++)
            {
                var tp = $"{path}tiers[{t}]";
                var tier = v.Tiers[t];
                if (tier is null)
                {
                    problems.Add(new(tp, "is null; expected a tier object"));
                    continue;
                }
                var last = t == v.Tiers.Count - 1;
                decimal? upTo = null;
                if (tier.UpTo is { } u)
                {
                    if (last)
                    {
                        problems.Add(new(tp + ".upTo", "the last tier must be open-ended; remove upTo (everything above the previous bound is in it)"));
                    }
                    else if (Number(u, tp + ".upTo", problems) is { } value)
                    {
                        if (value <= 0m)
                        {
                            problems.Add(new(tp + ".upTo", $"{Text(value)} kWh must be positive"));
                        }
                        else if (value * 1000m != decimal.Truncate(value * 1000m))
                        {
                            problems.Add(new(tp + ".upTo", $"{Text(value)} kWh is finer than 1 Wh; use at most three decimals"));
                        }
                        else if (previousUpTo is { } prev && value <= prev)
                        {
                            problems.Add(new(tp + ".upTo", $"{Text(value)} kWh is not above the previous tier's {Text(prev)} kWh; list tiers in ascending order"));
                        }
                        upTo = value;
                        previousUpTo = value;
                    }
                }
                else if (!last)
                {
                    problems.Add(new(tp + ".upTo", "missing; every tier but the last needs its upper bound in kWh per period"));
                }
                var modifiers = ImmutableArray.CreateBuilder<QuotaModifier>();
                if (tier.QuotaModifiers is not null)
                {
                    if (last)
                    {
                        problems.Add(new(tp + ".quotaModifiers", "the last tier has no bound to raise; move the modifier to a bounded tier"));
                    }
                    foreach (var (name, value) in tier.QuotaModifiers)
                    {
                        if (NonNegative(value, $"{tp}.quotaModifiers.{name}", problems) is { } extra)
                        {
                            modifiers.Add(new QuotaModifier(name, extra));
                        }
                    }
                }
                var prices = Prices(tier.Price, tier.Prices, bands, tp, problems);
                tiers.Add(new TierBlock(upTo, prices, modifiers.ToImmutable()));
            }
        }
        else
        {
            if (v.TierPeriod is not null)
            {
                problems.Add(new(path + "tierPeriod", "set without tiers; remove it or add tiers"));
            }
            var prices = Prices(v.Price, v.Prices, bands, path.TrimEnd('.'), problems);
            tiers.Add(new TierBlock(null, prices, []));
        }

        if (problems.Count > start)
        {
            return null;
        }
        return new TariffVersion(effectiveFrom, standing, bands, dayTypes, seasons, weekdayDayType, specialDays, tierPeriod, tiers.ToImmutable());
    }

    private static ImmutableArray<decimal> Prices(
        JsonElement? price, Dictionary<string, JsonElement>? prices, ImmutableArray<string> bands, string path, List<TariffProblem> problems)
    {
        var prefix = path.Length == 0 ? "" : path + ".";
        var result = new decimal[bands.IsDefault ? 0 : bands.Length];
        if (price is not null && prices is not null)
        {
            problems.Add(new(prefix + "price", "give either price (one for every band) or prices (per band), not both"));
            return [.. result];
        }
        if (price is { } single)
        {
            var value = NonNegative(single, prefix + "price", problems) ?? 0m;
            Array.Fill(result, value);
            return [.. result];
        }
        if (prices is null)
        {
            problems.Add(new(prefix + "prices", "missing; give \"price\" (per kWh, every band) or \"prices\": { band: price }"));
            return [.. result];
        }
        var seen = new bool[result.Length];
        foreach (var (band, value) in prices)
        {
            var index = bands.IsDefault ? -1 : bands.IndexOf(band, StringComparer.Ordinal);
            if (index < 0)
            {
                problems.Add(new($"{prefix}prices.{band}", $"'{band}' is not a band of this version ({(bands.IsDefault ? "" : string.Join(", ", bands))})"));
                continue;
            }
            seen[index] = true;
            result[index] = NonNegative(value, $"{prefix}prices.{band}", problems) ?? 0m;
        }
        for (var b = 0; b < seen.Length; b++)
        {
            if (!seen[b])
            {
                problems.Add(new(prefix + "prices", $"no price for band '{bands[b]}'; every band needs a price"));
            }
        }
        return [.. result];
    }

    private static void BuildTimeOfUse(
        TimeOfUseDocument tou,
        string path,
        List<TariffProblem> problems,
        out ImmutableArray<string> bands,
        out ImmutableArray<string> dayTypes,
        out Season[] seasons,
        out int[] weekdayDayType,
        out FrozenDictionary<DateOnly, int> specialDays)
    {
        var bandList = new List<string>();
        if (tou.Bands is null || tou.Bands.Count == 0)
        {
            problems.Add(new(path + "bands", "missing or empty; name the bands, e.g. [\"peak\", \"valley\"]"));
        }
        else
        {
            if (tou.Bands.Count > MaxBands)
            {
                problems.Add(new(path + "bands", $"has {tou.Bands.Count} bands; at most {MaxBands} are supported"));
            }
            for (var i = 0; i < tou.Bands.Count; i++)
            {
                var name = tou.Bands[i];
                if (string.IsNullOrWhiteSpace(name))
                {
                    problems.Add(new($"{path}bands[{i}]", "a band needs a non-empty name"));
                }
                else if (bandList.Contains(name, StringComparer.Ordinal))
                {
                    problems.Add(new($"{path}bands[{i}]", $"'{name}' is listed twice"));
                }
                else
                {
                    bandList.Add(name);
                }
            }
        }
        bands = [.. bandList];

        // Calendar: which day type each date has.
        var dayTypeList = new List<string>();
        int DayTypeIndex(string name)
        {
            var i = dayTypeList.IndexOf(name);
            if (i < 0)
            {
                dayTypeList.Add(name);
                i = dayTypeList.Count - 1;
            }
            return i;
        }
        var w = tou.Weekdays ?? new WeekdaysDocument();
        string?[] given = [w.Sunday, w.Monday, w.Tuesday, w.Wednesday, w.Thursday, w.Friday, w.Saturday];
        weekdayDayType = new int[7];
        // Index weekdays first (Monday first) so "workday" and "weekend" come first in DayTypes.
        foreach (var d in new[] { 1, 2, 3, 4, 5, 6, 0 })
        {
            var name = given[d] ?? (d is 0 or 6 ? "weekend" : "workday");
            if (name.Length == 0)
            {
                problems.Add(new($"{path}weekdays.{WeekdayNames[d]}", "a day type needs a non-empty name"));
            }
            weekdayDayType[d] = DayTypeIndex(name);
        }
        var special = new Dictionary<DateOnly, int>();
        var referencedBy = new Dictionary<string, string>(StringComparer.Ordinal);
        if (tou.PublicHolidays is { Count: > 0 } holidays)
        {
            var holiday = DayTypeIndex("holiday");
            referencedBy.TryAdd("holiday", path + "publicHolidays");
            for (var i = 0; i < holidays.Count; i++)
            {
                var hp = $"{path}publicHolidays[{i}]";
                if (!TryDate(holidays[i], out var date))
                {
                    problems.Add(new(hp, $"'{holidays[i]}' is not a date; write yyyy-MM-dd"));
                }
                else if (!special.TryAdd(date, holiday))
                {
                    problems.Add(new(hp, $"{Iso(date)} is listed twice"));
                }
            }
        }
        if (tou.SpecialDays is not null)
        {
            for (var i = 0; i < tou.SpecialDays.Count; i++)
            {
                var sp = $"{path}specialDays[{i}]";
                var s = tou.SpecialDays[i];
                if (s is null)
                {
                    problems.Add(new(sp, "is null; expected { \"date\": ..., \"dayType\": ... }"));
                    continue;
                }
                if (string.IsNullOrWhiteSpace(s.DayType))
                {
                    problems.Add(new(sp + ".dayType", "missing; name the day type this date follows, e.g. \"workday\""));
                    continue;
                }
                if (!TryDate(s.Date, out var date))
                {
                    problems.Add(new(sp + ".date", $"'{s.Date}' is not a date; write yyyy-MM-dd"));
                }
                else if (!special.TryAdd(date, DayTypeIndex(s.DayType)))
                {
                    problems.Add(new(sp + ".date", $"{Iso(date)} is already a public holiday or special day; list each date once"));
                }
                referencedBy.TryAdd(s.DayType, sp + ".dayType");
            }
        }
        dayTypes = [.. dayTypeList];
        specialDays = special.ToFrozenDictionary();

        // Seasons: a band schedule per day type.
        var seasonList = new List<Season>();
        if (tou.Seasons is null || tou.Seasons.Count == 0)
        {
            problems.Add(new(path + "seasons", "missing or empty; give at least one season with its day-type schedules"));
        }
        else
        {
            var starts = new HashSet<int>();
            for (var i = 0; i < tou.Seasons.Count; i++)
            {
                var sp = $"{path}seasons[{i}]";
                var s = tou.Seasons[i];
                if (s is null)
                {
                    problems.Add(new(sp, "is null; expected a season object"));
                    continue;
                }
                int month = 1, day = 1;
                if (s.StartsOn is null)
                {
                    if (tou.Seasons.Count > 1)
                    {
                        problems.Add(new(sp + ".startsOn", "missing; with several seasons each needs its start as MM-dd"));
                    }
                }
                else if (!TryMonthDay(s.StartsOn, out month, out day))
                {
                    problems.Add(new(sp + ".startsOn", $"'{s.StartsOn}' is not a month and day; write MM-dd, e.g. \"07-01\" (29 February is not allowed)"));
                }
                if (!starts.Add(month * 100 + day))
                {
                    problems.Add(new(sp + ".startsOn", "another season starts on the same day"));
                }
                if (s.DayTypes is null || s.DayTypes.Count == 0)
                {
                    problems.Add(new(sp + ".dayTypes", "missing or empty; give a schedule per day type (or \"default\")"));
                    continue;
                }
                var schedules = new Dictionary<string, DaySchedule>(StringComparer.Ordinal);
                foreach (var (dayType, ranges) in s.DayTypes)
                {
                    if (BuildSchedule(ranges, $"{sp}.dayTypes.{dayType}", bandList, problems) is { } schedule)
                    {
                        schedules[dayType] = schedule;
                    }
                }
                var byDayType = new DaySchedule[dayTypeList.Count];
                for (var d = 0; d < dayTypeList.Count; d++)
                {
                    var name = dayTypeList[d];
                    if (schedules.TryGetValue(name, out var schedule) || schedules.TryGetValue("default", out schedule))
                    {
                        byDayType[d] = schedule;
                    }
                    else if (s.DayTypes.ContainsKey(name) || s.DayTypes.ContainsKey("default"))
                    {
                        // The schedule itself was invalid and is already reported.
                    }
                    else
                    {
                        var user = referencedBy.TryGetValue(name, out var where) ? where : path + "weekdays";
                        problems.Add(new(sp + ".dayTypes",
                            $"no schedule for day type '{name}' (used by {user}) and no \"default\"; add one"));
                    }
                }
                seasonList.Add(new Season(s.Name ?? $"season {i + 1}", month, day, byDayType));
            }
        }
        seasons = [.. seasonList.OrderBy(x => x.StartKey)];
    }

    private static DaySchedule? BuildSchedule(List<BandRangeDocument?>? ranges, string path, List<string> bands, List<TariffProblem> problems)
    {
        if (ranges is null || ranges.Count == 0)
        {
            problems.Add(new(path, "empty; give ranges { \"band\", \"from\", \"to\" } that cover 00:00–24:00 exactly once"));
            return null;
        }
        var start = problems.Count;
        var owner = new int[1440];
        var ownerRange = new int[1440];
        Array.Fill(owner, -1);
        for (var i = 0; i < ranges.Count; i++)
        {
            var rp = $"{path}[{i}]";
            var r = ranges[i];
            if (r is null)
            {
                problems.Add(new(rp, "is null; expected { \"band\", \"from\", \"to\" }"));
                continue;
            }
            var band = r.Band is null ? -1 : bands.IndexOf(r.Band);
            if (band < 0)
            {
                problems.Add(new(rp + ".band", $"'{r.Band}' is not one of the bands ({string.Join(", ", bands)})"));
            }
            var fromOk = TryClock(r.From, allow24: false, out var from);
            if (!fromOk)
            {
                problems.Add(new(rp + ".from", $"'{r.From}' is not a time of day; write HH:mm from 00:00 to 23:59"));
            }
            var toOk = TryClock(r.To, allow24: true, out var to);
            if (!toOk)
            {
                problems.Add(new(rp + ".to", $"'{r.To}' is not a time of day; write HH:mm from 00:00 to 24:00 (a \"to\" at or before \"from\" runs past midnight)"));
            }
            if (!fromOk || !toOk || band < 0)
            {
                continue;
            }
            if (from == to)
            {
                problems.Add(new(rp, $"from {r.From} to {r.To} is empty; for a whole day write 00:00 to 24:00"));
                continue;
            }
            // to ≤ from wraps past midnight (22:00–06:00).
            var length = to > from ? to - from : 1440 - from + to;
            var reported = false;
            for (var k = 0; k < length; k++)
            {
                var m = (from + k) % 1440;
                if (owner[m] >= 0)
                {
                    if (!reported)
                    {
                        problems.Add(new(rp, $"{r.From}–{r.To} ({r.Band}) overlaps {path}[{ownerRange[m]}] ({bands[owner[m]]}) at {Clock(m)}; each minute must be in exactly one band"));
                        reported = true;
                    }
                    continue;
                }
                owner[m] = band;
                ownerRange[m] = i;
            }
        }
        if (problems.Count > start)
        {
            return null;
        }
        for (var m = 0; m < 1440; m++)
        {
            if (owner[m] < 0)
            {
                var end = m;
                while (end < 1440 && owner[end] < 0)
                {
                    end++;
                }
                problems.Add(new(path, $"{Clock(m)}–{Clock(end)} is not covered by any band; the ranges must cover 00:00–24:00 exactly once"));
                m = end;
            }
        }
        if (problems.Count > start)
        {
            return null;
        }
        var startsList = new List<short>();
        var bandList = new List<byte>();
        for (var m = 0; m < 1440; m++)
        {
            if (m == 0 || owner[m] != owner[m - 1])
            {
                startsList.Add((short)m);
                bandList.Add((byte)owner[m]);
            }
        }
        return new DaySchedule([.. startsList], [.. bandList]);
    }

    private static decimal? Number(JsonElement e, string path, List<TariffProblem> problems)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Number when decimal.TryParse(e.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out var n):
                return n;
            case JsonValueKind.String when decimal.TryParse(e.GetString(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var s):
                return s;
            default:
                problems.Add(new(path, $"{e.GetRawText()} is not a decimal number; write it as a JSON number or a string like \"0.617\""));
                return null;
        }
    }

    private static decimal? NonNegative(JsonElement e, string path, List<TariffProblem> problems)
    {
        var n = Number(e, path, problems);
        if (n < 0m)
        {
            problems.Add(new(path, $"{Text(n.Value)} is negative; prices and quantities must be zero or more"));
            return null;
        }
        return n;
    }

    private static bool TryDate(string? text, out DateOnly date) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    private static bool TryMonthDay(string text, out int month, out int day)
    {
        month = day = 0;
        if (text.Length != 5 || text[2] != '-'
            || !int.TryParse(text.AsSpan(0, 2), NumberStyles.None, CultureInfo.InvariantCulture, out month)
            || !int.TryParse(text.AsSpan(3, 2), NumberStyles.None, CultureInfo.InvariantCulture, out day))
        {
            return false;
        }
        // A non-leap year: 02-29 would make the season start move between years.
        return month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(2001, month);
    }

    private static bool TryClock(string? text, bool allow24, out int minute)
    {
        minute = 0;
        if (text is null || text.Length != 5 || text[2] != ':'
            || !int.TryParse(text.AsSpan(0, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var h)
            || !int.TryParse(text.AsSpan(3, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var m))
        {
            return false;
        }
        minute = h * 60 + m;
        return m < 60 && (h < 24 || (allow24 && h == 24 && m == 0));
    }

    private static string Clock(int minute) =>
        $"{(minute / 60).ToString("00", CultureInfo.InvariantCulture)}:{(minute % 60).ToString("00", CultureInfo.InvariantCulture)}";

    private static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Text(decimal d) => d.ToString(CultureInfo.InvariantCulture);
}
