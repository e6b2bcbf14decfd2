using Orleans.Concurrency;

namespace PrepaidPower.Contracts.Calendar;

/// <summary>
/// A shared protected-days calendar: weekly windows (nights, weekends, any local day/time), public holidays and special
/// days, in local wall-clock terms; each account applies it in its own time zone. Key: calendar id; every account uses
/// <see cref="DefaultId"/>. A calendar never set has the humane default <see cref="ProtectionCalendarSpec.Default"/>
/// (revision 0). Every change is validated as a whole and written atomically, or rejected with nothing written.
/// </summary>
[Alias("pp.IProtectionCalendarGrain")]
public interface IProtectionCalendarGrain : IGrainWithStringKey
{
    /// <summary>The calendar id every account uses.</summary>
    public const string DefaultId = "default";

    /// <summary>The calendar, its revision and who last changed it.</summary>
    [Alias("Get"), ReadOnly] Task<ProtectionCalendarView> GetAsync();

    /// <summary>The current revision (cheap; silos compare it with their cached copy). 0 = never set (the default).</summary>
    [Alias("GetRevision"), ReadOnly] Task<int> GetRevisionAsync();

    /// <summary>
    /// Replaces the whole calendar. Invalid content is <see cref="Errors.InvalidRequestException"/> naming the field;
    /// a stale <paramref name="expectedRevision"/> is <see cref="Errors.ConflictException"/>. The same content again
    /// changes nothing (same revision).
    /// </summary>
    [Alias("Set")] Task<ProtectionCalendarView> SetAsync(ProtectionCalendarSpec calendar, string operatorId, int? expectedRevision = null);

    /// <summary>
    /// Adds dated public holidays and special days, keeping everything else. A day already there with the same kind and
    /// name is left as it is; a date that is already protected under another name or kind is a conflict.
    /// </summary>
    [Alias("AddDays")] Task<ProtectionCalendarView> AddDaysAsync(CalendarDaysRequest days, string operatorId);

    /// <summary>Removes the public holiday or special day on <paramref name="date"/> (404 when there is none).</summary>
    [Alias("RemoveDay")] Task<ProtectionCalendarView> RemoveDayAsync(DateOnly date, string operatorId);
}

/// <summary>Stable reason codes of calendar rejections (besides <see cref="Errors.ErrorCodes.InvalidField"/>).</summary>
public static class CalendarErrorCodes
{
    /// <summary>The calendar changed since the revision the caller read (409).</summary>
    public const string RevisionMismatch = "CALENDAR_REVISION_MISMATCH";

    /// <summary>The date is already a protected day with another name or kind (409).</summary>
    public const string DayExists = "CALENDAR_DAY_EXISTS";

    /// <summary>No public holiday or special day on that date (404).</summary>
    public const string DayNotFound = "CALENDAR_DAY_NOT_FOUND";
}
