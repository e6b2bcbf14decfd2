using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrepaidPower.Contracts.Calendar;
using PrepaidPower.Domain.Protection;

namespace PrepaidPower.Grains.Calendar;

/// <summary>
/// Protection calendars shared by every account on a silo, built once per (calendar id, revision, time zone). The
/// current revision of an id is re-checked with its calendar grain at most every
/// <see cref="PrepaidPowerGrainOptions.ProtectionCalendarCheck"/> of the grains' clock, so an account's decision costs a
/// dictionary lookup, not a grain call. When a revision changes, the calendars built from older ones are dropped.
/// </summary>
public sealed partial class ProtectionCalendarCache(IGrainFactory grains, IOptions<PrepaidPowerGrainOptions> options, ILogger<ProtectionCalendarCache> logger)
{
    private readonly ConcurrentDictionary<string, Known> current = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Id, int Revision, string Zone), ProtectionCalendar> built = new();

    /// <summary>
    /// The calendar <paramref name="calendarId"/> for an account in IANA zone <paramref name="timeZoneId"/>, as of the
    /// last check. <paramref name="recheck"/> asks the calendar grain now whatever the interval (before an arrears cut).
    /// The same instance is returned until the revision changes, so callers can compare by reference.
    /// </summary>
    public async ValueTask<ProtectionCalendar> GetAsync(string calendarId, string timeZoneId, bool recheck = false)
    {
        var known = await CurrentAsync(calendarId, recheck);
        return built.GetOrAdd((calendarId, known.View.Revision, timeZoneId), static (key, spec) => ProtectionCalendarRules.Build(spec, key.Zone), known.View.Calendar);
    }

    /// <summary>The calendar view as of the last check (revision and content).</summary>
    public async ValueTask<ProtectionCalendarView> GetViewAsync(string calendarId, bool recheck = false) => (await CurrentAsync(calendarId, recheck)).View;

    private async ValueTask<Known> CurrentAsync(string calendarId, bool recheck)
    {
        var now = options.Value.Time.GetUtcNow();
        var fresh = current.TryGetValue(calendarId, out var known)
            && now >= known.CheckedAt && now - known.CheckedAt < options.Value.ProtectionCalendarCheck;
        if (fresh && !recheck)
        {
            return known!;
        }
        var grain = grains.GetGrain<IProtectionCalendarGrain>(calendarId);
        ProtectionCalendarView view;
        try
        {
            var revision = await grain.GetRevisionAsync();
            view = known?.View.Revision == revision ? known.View : await grain.GetAsync();
        }
        catch (Exception e) when (known is not null && e is not OperationCanceledException)
        {
            // A calendar grain that cannot be reached must not stop billing: keep deciding with the last calendar seen
            // (it was correct when last checked) and try again at the next decision.
            LogRefreshFailed(logger, e, calendarId, known.View.Revision);
            return known;
        }
        // Revisions only grow: a slower concurrent refresh must not put an older calendar back.
        var next = current.AddOrUpdate(
            calendarId,
            static (_, fetched) => fetched,
            static (_, existing, fetched) => existing.View.Revision > fetched.View.Revision ? existing : fetched,
            new Known(view, now));
        foreach (var key in built.Keys.Where(k => k.Id == calendarId && k.Revision < next.View.Revision))
        {
            built.TryRemove(key, out _);
        }
        return next;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Protection calendar {CalendarId}: revision check failed; still using revision {Revision}")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception, string calendarId, int revision);

    private sealed record Known(ProtectionCalendarView View, DateTimeOffset CheckedAt);
}
