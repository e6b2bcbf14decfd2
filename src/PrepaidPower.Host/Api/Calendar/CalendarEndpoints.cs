// Protection calendars: the nights, weekends, public holidays and special days on which no arrears cut happens.
using PrepaidPower.Contracts.Calendar;
using PrepaidPower.Host.Limits;
using PrepaidPower.Host.Security;

namespace PrepaidPower.Host.Api.Calendar;

internal static class CalendarEndpoints
{
    public static void MapCalendars(this RouteGroupBuilder calendars, ApiLimitsOptions limits)
    {
        calendars.MapGet("/{calendarId}", async (string calendarId, IGrainFactory grains) => CalendarJson.ToResponse(await Calendar(grains, calendarId).GetAsync()))
            .RequireAuthorization(ApiPolicies.Read).WithName("GetCalendar")
            .WithSummary("A protection calendar; every account uses \"default\" (nights 20:00–08:00 and weekends until an operator sets it)");
        calendars.MapPut("/{calendarId}", async (string calendarId, CalendarBody body, HttpContext context, IGrainFactory grains) =>
            {
                var spec = CalendarJson.ToSpec(body);
                return CalendarJson.ToResponse(await Calendar(grains, calendarId).SetAsync(spec, context.OperatorId(), body.ExpectedRevision));
            })
            .RequireAuthorization(ApiPolicies.Operate).WithBodyLimit(limits.MaxTariffBodyBytes).WithName("SetCalendar")
            .WithSummary("Replace the whole calendar (nights and weekends must be given); 409 if expectedRevision is stale");
        calendars.MapPost("/{calendarId}/days", async (string calendarId, DaysBody body, HttpContext context, IGrainFactory grains) =>
            {
                var request = CalendarJson.ToRequest(body);
                return CalendarJson.ToResponse(await Calendar(grains, calendarId).AddDaysAsync(request, context.OperatorId()));
            })
            .RequireAuthorization(ApiPolicies.Operate).WithBodyLimit(limits.MaxTariffBodyBytes).WithName("AddCalendarDays")
            .WithSummary("Add public holidays and special days; the same day again is a no-op, a date already protected under another name is 409");
        calendars.MapDelete("/{calendarId}/days/{date}", async (string calendarId, string date, HttpContext context, IGrainFactory grains) =>
            {
                var day = CalendarJson.Date(date, "date");
                return CalendarJson.ToResponse(await Calendar(grains, calendarId).RemoveDayAsync(day, context.OperatorId()));
            })
            .RequireAuthorization(ApiPolicies.Operate).WithName("RemoveCalendarDay")
            .WithSummary("Remove the public holiday or special day on a date (yyyy-MM-dd); 404 if there is none");
    }

    private static IProtectionCalendarGrain Calendar(IGrainFactory grains, string calendarId) =>
        grains.GetGrain<IProtectionCalendarGrain>(ApiRequest.Id(calendarId, "calendarId"));
}
