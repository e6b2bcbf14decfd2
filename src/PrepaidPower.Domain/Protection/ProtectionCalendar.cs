using System.Collections.Frozen;

namespace PrepaidPower.Domain.Protection;

/// <summary>
/// When an arrears cut must not happen: a weekly profile of local windows (optionally seasonal), public holidays and
/// special days, all in one named IANA time zone, combined with an account's own protections. Membership is decided
/// on the local wall clock, so DST changes move the windows with the clock. Immutable and shared by many accounts.
/// </summary>
public sealed class ProtectionCalendar
{
    /// <summary>How far <see cref="NextUnprotected"/> searches before giving up (returns null).</summary>
    public static readonly TimeSpan SearchHorizon = TimeSpan.FromDays(400);

    private const int MaxSearchSteps = 10_000;
    private const int MaxProtectedDays = 2_000;

    private readonly SeasonalProfile[] seasons;
    private readonly FrozenDictionary<DateOnly, ProtectedDay> datedDays;
    private readonly FrozenDictionary<int, ProtectedDay> annualDays;

    private ProtectionCalendar(TimeZoneInfo zone, SeasonalProfile[] seasons, ProtectedDay[] days)
    {
        TimeZone = zone;
        this.seasons = seasons;
        // A dated day wins over an annual day on the same date, and a public holiday over a special day, for the reason text.
        datedDays = days.Where(d => d.Date is not null)
            .GroupBy(d => d.Date!.Value)
            .ToFrozenDictionary(g => g.Key, g => g.OrderBy(d => d.Kind).First());
        annualDays = days.Where(d => d.Date is null)
            .GroupBy(d => (d.Month * 100) + d.Day)
            .ToFrozenDictionary(g => g.Key, g => g.First());
        ProtectedDays = days;
    }

    public TimeZoneInfo TimeZone { get; }

    public IReadOnlyList<SeasonalProfile> Seasons => seasons;

    public IReadOnlyList<ProtectedDay> ProtectedDays { get; }

    /// <summary>A calendar with no windows and no days: only account protections defer cuts.</summary>
    public static ProtectionCalendar None(string timeZoneId) => Create(timeZoneId, WeeklyProfile.Empty);

    /// <summary>One weekly profile all year.</summary>
    public static ProtectionCalendar Create(string timeZoneId, WeeklyProfile weekly, IEnumerable<ProtectedDay>? days = null) =>
        Create(timeZoneId, [SeasonalProfile.Create(1, 1, weekly)], days);

    /// <summary>Seasonal weekly profiles (each from its start date until the next season's) plus protected days.</summary>
    /// <exception cref="ArgumentException">Unknown time zone, no season, two seasons on the same date, too many days.</exception>
    public static ProtectionCalendar Create(string timeZoneId, IEnumerable<SeasonalProfile> seasons, IEnumerable<ProtectedDay>? days = null)
    {
        ArgumentNullException.ThrowIfNull(seasons);
        if (string.IsNullOrWhiteSpace(timeZoneId))
        {
            throw new ArgumentException("A protection calendar needs an IANA time zone such as \"Asia/Shanghai\".", nameof(timeZoneId));
        }
        TimeZoneInfo zone;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(timeZoneId);
        }
        catch (TimeZoneNotFoundException)
        {
            throw new ArgumentException($"'{timeZoneId}' is not a known IANA time zone; use one like \"Europe/London\".", nameof(timeZoneId));
        }
        var seasonArray = seasons.OrderBy(s => s.Key).ToArray();
        if (seasonArray.Length == 0)
        {
            throw new ArgumentException("A protection calendar needs at least one season (use Create with a WeeklyProfile for one all year).", nameof(seasons));
        }
        var clash = seasonArray.GroupBy(s => s.Key).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
        {
            throw new ArgumentException($"Two seasons start on {clash.Key / 100}/{clash.Key % 100}.", nameof(seasons));
        }
        var dayArray = (days ?? []).ToArray();
        if (dayArray.Length > MaxProtectedDays)
        {
            throw new ArgumentException($"At most {MaxProtectedDays} protected days; {dayArray.Length} were given.", nameof(days));
        }
        return new ProtectionCalendar(zone, seasonArray, dayArray);
    }

    /// <summary>
    /// Whether <paramref name="instant"/> is protected by the calendar or by <paramref name="account"/>, why (the covering
    /// protection of highest precedence, see <see cref="ProtectionKind"/>) and until when (see <see cref="ProtectionStatus"/>).
    /// </summary>
    public ProtectionStatus Evaluate(DateTimeOffset instant, AccountProtections? account = null)
    {
        if (!TryCover(instant, account, out var kind, out var reason, out _))
        {
            return ProtectionStatus.Unprotected;
        }
        return new ProtectionStatus(true, kind, reason, NextUnprotected(instant, account));
    }

    /// <summary>
    /// The first instant at or after <paramref name="instant"/> that nothing protects; null when the search passes
    /// <see cref="SearchHorizon"/> (e.g. a profile that protects the whole week). DST-correct: local ends are mapped to
    /// the first instant whose wall clock reaches them.
    /// </summary>
    public DateTimeOffset? NextUnprotected(DateTimeOffset instant, AccountProtections? account = null)
    {
        var t = instant.ToUniversalTime();
        var limit = t + SearchHorizon;
        for (var i = 0; i < MaxSearchSteps && t <= limit; i++)
        {
            if (!TryCover(t, account, out _, out _, out var end))
            {
                return t;
            }
            // Guard against a zone rule that maps an end back onto the same instant: always move forward.
            t = end > t ? end : t.AddMinutes(1);
        }
        return null;
    }

    /// <summary>The instant <paramref name="days"/> local calendar days after <paramref name="instant"/>, same wall-clock time.</summary>
    public DateTimeOffset AddLocalDays(DateTimeOffset instant, int days) =>
        AtOrAfter(ToLocal(instant).AddDays(days), instant);

    /// <summary>The instant <paramref name="months"/> local calendar months after <paramref name="instant"/> (day clamped to month end).</summary>
    public DateTimeOffset AddLocalMonths(DateTimeOffset instant, int months) =>
        AtOrAfter(ToLocal(instant).AddMonths(months), instant);

    /// <summary>The local wall-clock time of <paramref name="instant"/> in <see cref="TimeZone"/>.</summary>
    public DateTime ToLocal(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, TimeZone).DateTime;

    /// <summary>
    /// The first instant not before <paramref name="notBefore"/> whose local wall clock reads <paramref name="local"/>:
    /// in a spring-forward gap, the instant the clock jumps past it; in a fall-back overlap, the earliest occurrence
    /// not before <paramref name="notBefore"/>.
    /// </summary>
    public DateTimeOffset AtOrAfter(DateTime local, DateTimeOffset notBefore)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        notBefore = notBefore.ToUniversalTime();
        if (TimeZone.IsInvalidTime(local))
        {
            var jump = GapEnd(local);
            return jump >= notBefore ? jump : notBefore;
        }
        IEnumerable<TimeSpan> offsets = TimeZone.IsAmbiguousTime(local)
            ? TimeZone.GetAmbiguousTimeOffsets(local)
            : [TimeZone.GetUtcOffset(local)];
        DateTimeOffset? best = null;
        foreach (var offset in offsets)
        {
            var candidate = new DateTimeOffset(local, offset).ToUniversalTime();
            if (candidate >= notBefore && (best is null || candidate < best))
            {
                best = candidate;
            }
        }
        return best ?? notBefore;
    }

    private bool TryCover(DateTimeOffset instant, AccountProtections? account, out ProtectionKind kind, out string reason, out DateTimeOffset end)
    {
        var cover = new Cover();
        if (account is not null)
        {
            foreach (var p in account.All())
            {
                if (p.CoversAt(instant))
                {
                    cover.Consider(p.Kind, p.Region is null ? p.Reason : $"{p.Region}: {p.Reason}", p.Until);
                }
            }
        }

        var local = ToLocal(instant);
        var date = DateOnly.FromDateTime(local);
        if (TryDay(date, out var day))
        {
            cover.Consider(day.Kind, day.Name, AtOrAfter(date.AddDays(1).ToDateTime(TimeOnly.MinValue), instant));
        }

        foreach (var window in ProfileWindows())
        {
            if (window.TryCover(local, StartsInSeasonOf(window), out var localEnd))
            {
                cover.Consider(ProtectionKind.WeeklyWindow, Describe(window), AtOrAfter(localEnd, instant));
            }
        }
        kind = cover.Kind;
        reason = cover.Reason ?? string.Empty;
        end = cover.End;
        return cover.Found;
    }

    private struct Cover
    {
        public bool Found;
        public ProtectionKind Kind;
        public string? Reason;
        public DateTimeOffset End;

        public void Consider(ProtectionKind kind, string reason, DateTimeOffset end)
        {
            if (!Found || kind < Kind)
            {
                Kind = kind;
                Reason = reason;
            }
            // The furthest end among overlapping protections lets NextUnprotected skip ahead in fewer steps.
            if (!Found || end > End)
            {
                End = end;
            }
            Found = true;
        }
    }

    private bool TryDay(DateOnly date, out ProtectedDay day)
    {
        if (datedDays.TryGetValue(date, out day!))
        {
            return true;
        }
        return annualDays.TryGetValue((date.Month * 100) + date.Day, out day!);
    }

    // Every window of every season may cover the date (a window is judged by the season of the day it starts on).
    private IEnumerable<ProtectedWindow> ProfileWindows() =>
        seasons.Length == 1 ? seasons[0].Profile.Windows : seasons.SelectMany(s => s.Profile.Windows).Distinct();

    private Func<DateOnly, bool> StartsInSeasonOf(ProtectedWindow window)
    {
        if (seasons.Length == 1)
        {
            return static _ => true;
        }
        return start => SeasonOf(start).Profile.Windows.Contains(window);
    }

    private SeasonalProfile SeasonOf(DateOnly date)
    {
        var key = (date.Month * 100) + date.Day;
        var current = seasons[^1];
        foreach (var s in seasons)
        {
            if (s.Key <= key)
            {
                current = s;
            }
        }
        return current;
    }

    private static string Describe(ProtectedWindow w) =>
        $"protected window {w.Day} {w.Start:HH\\:mm} for {w.Length.TotalHours:0.##} h";

    // The instant the clock jumps over a spring-forward gap that contains local. Wall time is monotonic around a gap,
    // so a binary search on the instant finds the first one whose wall clock is at or past local.
    private DateTimeOffset GapEnd(DateTime local)
    {
        var asUtc = new DateTimeOffset(local, TimeSpan.Zero);
        var lo = asUtc.AddHours(-15);
        var hi = asUtc.AddHours(15);
        while (hi - lo > TimeSpan.FromTicks(1))
        {
            var mid = lo + ((hi - lo) / 2);
            if (ToLocal(mid) >= local)
            {
                hi = mid;
            }
            else
            {
                lo = mid;
            }
        }
        return hi;
    }
}
