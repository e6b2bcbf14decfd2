using System.Collections.Immutable;
using System.Globalization;

namespace PrepaidPower.Domain.Tariffs;

/// <summary>
/// A tariff: a schedule of <see cref="TariffVersion"/>s (ascending effective-from dates, each in force until the
/// next) in one currency and one IANA time zone, with the rounding mode used when charges are posted.
/// Immutable and thread-safe; load it with <see cref="TariffLoader"/> and add future versions with
/// <see cref="AddVersion"/> (past postings can never change).
/// </summary>
public sealed class Tariff
{
    private readonly long[] _effectiveFromUtc;
    private readonly int[][] _bandMap; // per version: version band index → tariff band index

    internal Tariff(
        string id,
        string name,
        string description,
        Currency currency,
        TimeZoneInfo timeZone,
        MoneyRounding rounding,
        ImmutableArray<TariffVersion> versions,
        ImmutableArray<HouseholdModifier> householdModifiers = default)
        : this(id, name, description, currency, new LocalDays(timeZone), rounding, versions, householdModifiers)
    {
    }

    private Tariff(
        string id,
        string name,
        string description,
        Currency currency,
        LocalDays days,
        MoneyRounding rounding,
        ImmutableArray<TariffVersion> versions,
        ImmutableArray<HouseholdModifier> householdModifiers)
    {
        HouseholdModifiers = householdModifiers.IsDefault ? [] : householdModifiers;
        Id = id;
        Name = name;
        Description = description;
        Currency = currency;
        Days = days;
        Rounding = rounding;
        Versions = versions;
        _effectiveFromUtc = new long[versions.Length];
        _bandMap = new int[versions.Length][];
        var bands = ImmutableArray.CreateBuilder<string>();
        var modifiers = ImmutableArray.CreateBuilder<string>();
        var maxLines = 0;
        for (var v = 0; v < versions.Length; v++)
        {
            var version = versions[v];
            _effectiveFromUtc[v] = days.Day(version.EffectiveFrom).StartUtc;
            var map = new int[version.Bands.Length];
            for (var b = 0; b < map.Length; b++)
            {
                var index = bands.IndexOf(version.Bands[b]);
                if (index < 0)
                {
                    index = bands.Count;
                    bands.Add(version.Bands[b]);
                }
                map[b] = index;
            }
            _bandMap[v] = map;
            foreach (var tier in version.Tiers)
            {
                foreach (var m in tier.QuotaModifiers)
                {
                    if (!modifiers.Contains(m.Name))
                    {
                        modifiers.Add(m.Name);
                    }
                }
            }
            maxLines += version.Bands.Length * version.Tiers.Length;
        }
        BandNames = bands.ToImmutable();
        QuotaModifierNames = modifiers.ToImmutable();
        MaxRatedLines = maxLines;
    }

    public string Id { get; }

    public string Name { get; }

    public string Description { get; }

    public Currency Currency { get; }

    /// <summary>The IANA zone whose local time defines bands, days, seasons, tier periods and version starts.</summary>
    public TimeZoneInfo TimeZone => Days.Zone;

    /// <summary>How exact charges are rounded to the minor unit when posted (default HalfUp).</summary>
    public MoneyRounding Rounding { get; }

    /// <summary>Versions in ascending <see cref="TariffVersion.EffectiveFrom"/> order.</summary>
    public ImmutableArray<TariffVersion> Versions { get; }

    /// <summary>
    /// Every band name of every version, in first-seen order; stable when versions are added. Per-band register
    /// deltas passed to rating are indexed like this list (see <see cref="BandIndex"/>).
    /// </summary>
    public ImmutableArray<string> BandNames { get; }

    /// <summary>
    /// Every quota-modifier name used by any tier of any version. Rating ignores an account modifier that a
    /// version does not define (no addition), so check an account's modifier against this list when it is set.
    /// </summary>
    public ImmutableArray<string> QuotaModifierNames { get; }

    /// <summary>
    /// Which quota modifier an account gets from its household size, in ascending <see cref="HouseholdModifier.MinPersons"/>
    /// order (e.g. 5 or more persons → "large-household"). Empty when the tariff has none.
    /// </summary>
    public ImmutableArray<HouseholdModifier> HouseholdModifiers { get; }

    /// <summary>The quota modifier for a household of <paramref name="persons"/> (the largest rule it reaches), or null.</summary>
    public string? QuotaModifierForHousehold(int persons)
    {
        string? modifier = null;
        foreach (var rule in HouseholdModifiers)
        {
            if (persons >= rule.MinPersons)
            {
                modifier = rule.Modifier;
            }
        }
        return modifier;
    }

    /// <summary>The most lines one rating call can produce (Σ bands × tiers over versions); size buffers with it.</summary>
    public int MaxRatedLines { get; }

    internal LocalDays Days { get; }

    /// <summary>Index of a band name in <see cref="BandNames"/>, or −1.</summary>
    public int BandIndex(string band) => BandNames.IndexOf(band, StringComparer.Ordinal);

    /// <summary>The UTC instant at which a version starts (local midnight of its effective-from date).</summary>
    public DateTimeOffset EffectiveFromUtc(int versionIndex) => new(_effectiveFromUtc[versionIndex], TimeSpan.Zero);

    /// <summary>Index of the version in force at an instant, or −1 before the first version.</summary>
    public int VersionIndexAt(DateTimeOffset instant) => VersionIndexAt(instant.UtcTicks);

    internal int VersionIndexAt(long utcTicks)
    {
        var starts = _effectiveFromUtc;
        for (var v = starts.Length - 1; v >= 0; v--)
        {
            if (starts[v] <= utcTicks)
            {
                return v;
            }
        }
        return -1;
    }

    /// <summary>UTC ticks where the version after <paramref name="versionIndex"/> starts, or MaxValue.</summary>
    internal long NextVersionStart(int versionIndex) =>
        versionIndex + 1 < _effectiveFromUtc.Length ? _effectiveFromUtc[versionIndex + 1] : long.MaxValue;

    internal int TariffBand(int versionIndex, int versionBand) => _bandMap[versionIndex][versionBand];

    /// <summary>
    /// Returns a tariff with one more version. Only the future may change: the version must start strictly after
    /// <paramref name="now"/> (its local midnight in the tariff zone) and after every existing version, so every
    /// interval already rated keeps its price.
    /// </summary>
    /// <exception cref="TariffLoadException">The version starts at or before now, or not after the last version.</exception>
    public Tariff AddVersion(TariffVersion version, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(version);
        var start = Days.Day(version.EffectiveFrom).StartUtc;
        var problems = new List<TariffProblem>();
        if (start <= now.UtcTicks)
        {
            problems.Add(new TariffProblem(
                "effectiveFrom",
                $"{Iso(version.EffectiveFrom)} starts at {new DateTimeOffset(start, TimeSpan.Zero):u}, not after now ({now.UtcDateTime:u}); " +
                "a new version may only change the future — pick a later date"));
        }
        var last = Versions[^1];
        if (version.EffectiveFrom <= last.EffectiveFrom)
        {
            problems.Add(new TariffProblem(
                "effectiveFrom",
                $"{Iso(version.EffectiveFrom)} is not after the last version ({Iso(last.EffectiveFrom)}); versions cannot overlap or repeat a date"));
        }
        if (problems.Count > 0)
        {
            throw new TariffLoadException($"tariff '{Id}', new version", problems);
        }
        return new Tariff(Id, Name, Description, Currency, Days, Rounding, Versions.Add(version), HouseholdModifiers);
    }

    public override string ToString() => $"{Id} ({Currency}, {TimeZone.Id}, {Versions.Length} version(s))";

    private static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>A household-size rule of a tariff: households of at least <see cref="MinPersons"/> persons get the quota modifier <see cref="Modifier"/>.</summary>
/// <param name="MinPersons">Persons, 1–99.</param>
/// <param name="Modifier">A quota-modifier name used by the tariff's tiers.</param>
public sealed record HouseholdModifier(int MinPersons, string Modifier);
