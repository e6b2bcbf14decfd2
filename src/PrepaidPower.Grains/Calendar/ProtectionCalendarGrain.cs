using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrepaidPower.Contracts.Calendar;
using PrepaidPower.Contracts.Errors;
using PrepaidPower.Grains.Tariffs;

namespace PrepaidPower.Grains.Calendar;

/// <summary>
/// One shared protection calendar. Every change is checked as a whole by <see cref="ProtectionCalendarRules"/> and
/// written in one state write; a rejected or failed change leaves the stored and in-memory calendar as they were.
/// Accounts read it through each silo's <see cref="ProtectionCalendarCache"/>, not per decision.
/// </summary>
public sealed partial class ProtectionCalendarGrain(
    [PersistentState("calendar")] IPersistentState<ProtectionCalendarState> state,
    IOptions<PrepaidPowerGrainOptions> options,
    ILogger<ProtectionCalendarGrain> logger) : Grain, IProtectionCalendarGrain
{
    private readonly TimeProvider time = options.Value.Time;

    private string CalendarId => this.GetPrimaryKeyString();

    public Task<ProtectionCalendarView> GetAsync() => Task.FromResult(View());

    public Task<int> GetRevisionAsync() => Task.FromResult(state.State.Revision);

    public async Task<ProtectionCalendarView> SetAsync(ProtectionCalendarSpec calendar, string operatorId, int? expectedRevision = null)
    {
        TariffGrain.RequireText(operatorId, nameof(operatorId));
        Validate(calendar);
        if (expectedRevision is { } expected && expected != state.State.Revision)
        {
            throw new ConflictException(CalendarErrorCodes.RevisionMismatch,
                $"Calendar '{CalendarId}' is at revision {state.State.Revision}, not {expected}: someone changed it since you read it. Read it again, re-apply your change and send it with the new revision.");
        }
        var normalized = ProtectionCalendarRules.Normalize(calendar);
        if (state.State.Revision > 0 && normalized.SameAs(state.State.Calendar))
        {
            return View();
        }
        await CommitAsync(normalized, operatorId, "replaced");
        return View();
    }

    public async Task<ProtectionCalendarView> AddDaysAsync(CalendarDaysRequest days, string operatorId)
    {
        ArgumentNullException.ThrowIfNull(days);
        TariffGrain.RequireText(operatorId, nameof(operatorId));
        // The request on its own first, so fields name its own entries (publicHolidays[0].date …).
        var request = new ProtectionCalendarSpec { PublicHolidays = days.PublicHolidays ?? [], SpecialDays = days.SpecialDays ?? [] };
        Validate(request);
        if (request.PublicHolidays.Count + request.SpecialDays.Count == 0)
        {
            throw new InvalidRequestException(ErrorCodes.InvalidField, "publicHolidays: give at least one public holiday or special day to add.");
        }
        var current = Current();
        var holidays = current.PublicHolidays.ToList();
        var special = current.SpecialDays.ToList();
        var added = 0;
        foreach (var (list, kind) in new[] { (request.PublicHolidays, "public holiday"), (request.SpecialDays, "special day") })
        {
            foreach (var day in list)
            {
                var name = day.Name.Trim();
                var existing = holidays.Find(d => d.Date == day.Date) is { } h ? (Kind: "public holiday", h.Name)
                    : special.Find(d => d.Date == day.Date) is { } s ? (Kind: "special day", s.Name)
                    : default;
                if (existing.Name is not null)
                {
                    if (existing.Kind == kind && existing.Name == name)
                    {
                        continue;
                    }
                    throw new ConflictException(CalendarErrorCodes.DayExists,
                        $"Calendar '{CalendarId}' already has {day.Date:yyyy-MM-dd} as {existing.Kind} \"{existing.Name}\"; remove that day first (DELETE …/days/{day.Date:yyyy-MM-dd}) to change it.");
                }
                (kind == "public holiday" ? holidays : special).Add(day with { Name = name });
                added++;
            }
        }
        if (added == 0)
        {
            return View();
        }
        var merged = current with { PublicHolidays = holidays, SpecialDays = special };
        Validate(merged);
        await CommitAsync(ProtectionCalendarRules.Normalize(merged), operatorId, $"{added} day(s) added");
        return View();
    }

    public async Task<ProtectionCalendarView> RemoveDayAsync(DateOnly date, string operatorId)
    {
        TariffGrain.RequireText(operatorId, nameof(operatorId));
        var current = Current();
        var holidays = current.PublicHolidays.Where(d => d.Date != date).ToArray();
        var special = current.SpecialDays.Where(d => d.Date != date).ToArray();
        if (holidays.Length == current.PublicHolidays.Count && special.Length == current.SpecialDays.Count)
        {
            throw new NotFoundException(CalendarErrorCodes.DayNotFound,
                $"Calendar '{CalendarId}' has no public holiday or special day on {date:yyyy-MM-dd}; GET the calendar to see its days (annual days change with PUT).");
        }
        await CommitAsync(current with { PublicHolidays = holidays, SpecialDays = special }, operatorId, $"{date:yyyy-MM-dd} removed");
        return View();
    }

    private ProtectionCalendarSpec Current() => state.State.Revision == 0 ? ProtectionCalendarSpec.Default : state.State.Calendar;

    private static void Validate(ProtectionCalendarSpec? calendar)
    {
        if (ProtectionCalendarRules.Check(calendar) is { } problem)
        {
            throw new InvalidRequestException(ErrorCodes.InvalidField, $"{problem.Field}: {problem.Message}");
        }
    }

    private async Task CommitAsync(ProtectionCalendarSpec calendar, string operatorId, string what)
    {
        var s = state.State;
        var before = (s.Revision, s.Calendar, s.UpdatedAt, s.UpdatedBy);
        s.Revision++;
        s.Calendar = calendar;
        s.UpdatedAt = time.GetUtcNow();
        s.UpdatedBy = operatorId.Trim();
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Not stored, so not served either: the next read must not show a calendar the storage does not have.
            (s.Revision, s.Calendar, s.UpdatedAt, s.UpdatedBy) = before;
            throw;
        }
        LogChanged(logger, CalendarId, s.Revision, what, s.UpdatedBy);
    }

    private ProtectionCalendarView View() => new()
    {
        CalendarId = CalendarId,
        Revision = state.State.Revision,
        IsDefault = state.State.Revision == 0,
        UpdatedAt = state.State.UpdatedAt,
        UpdatedBy = state.State.UpdatedBy,
        Calendar = Current(),
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Protection calendar {CalendarId} revision {Revision}: {What} by {OperatorId}")]
    private static partial void LogChanged(ILogger logger, string calendarId, int revision, string what, string operatorId);
}
