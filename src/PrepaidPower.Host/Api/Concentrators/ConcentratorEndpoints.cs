// Concentrators: register (or reconfigure) one, read its health and counters, poll it now.
using Microsoft.AspNetCore.Http.HttpResults;
using PrepaidPower.Contracts.Concentrators;
using PrepaidPower.Host.Errors;
using PrepaidPower.Host.Security;

namespace PrepaidPower.Host.Api.Concentrators;

/// <summary>Registers a concentrator, or replaces its configuration (the same body again changes nothing).</summary>
/// <param name="Id">The concentrator id, e.g. "CN-SH-0001".</param>
/// <param name="Endpoint">"host:port", e.g. "10.1.2.3:502".</param>
/// <param name="Layout">"gateway" (one meter per unit id 1–247) or "table" (fixed-stride blocks behind one unit id).</param>
/// <param name="ProfileId">Device profile id, e.g. "prepaidpower-sim" (docs/devices.md).</param>
/// <param name="Meters">Slot (unit id, or 0-based table block index) → meter id.</param>
/// <param name="PollPeriodSeconds">Seconds between polls, 1–86,400; default 60.</param>
/// <param name="Bands">Band registers to report in the meters' band order (sharp, peak, flat, valley); default none.</param>
/// <param name="RequestTimeoutMilliseconds">Modbus request timeout, 50–30,000 ms; default the silo's (1,000).</param>
public sealed record RegisterConcentratorBody(
    string Id,
    string Endpoint,
    string Layout,
    string ProfileId,
    IReadOnlyList<ConcentratorMeterBody>? Meters,
    int? PollPeriodSeconds = null,
    IReadOnlyList<string>? Bands = null,
    int? RequestTimeoutMilliseconds = null);

/// <param name="Slot">Gateway: the unit id 1–247. Table: the 0-based block index.</param>
/// <param name="MeterId">The registered meter at that slot.</param>
public sealed record ConcentratorMeterBody(int Slot, string MeterId);

internal static class ConcentratorEndpoints
{
    public static void MapConcentrators(this RouteGroupBuilder concentrators)
    {
        concentrators.MapPost("/", RegisterAsync).RequireAuthorization(ApiPolicies.Operate).WithName("RegisterConcentrator")
            .WithSummary("Register a concentrator and start polling it (registering again replaces its configuration)");
        concentrators.MapGet("/{concentratorId}", (string concentratorId, IGrainFactory grains) => Concentrator(grains, concentratorId).GetStatusAsync())
            .RequireAuthorization(ApiPolicies.Read).WithName("GetConcentrator")
            .WithSummary("Health (Online, Degraded, Offline) with the reason, counters, queued commands and recent alarms");
        concentrators.MapPost("/{concentratorId}/poll", (string concentratorId, IGrainFactory grains) => Concentrator(grains, concentratorId).PollNowAsync())
            .RequireAuthorization(ApiPolicies.Operate).WithName("PollConcentrator")
            .WithSummary("Poll every meter now (after a poll in progress) and return what the poll did");
    }

    private static IConcentratorGrain Concentrator(IGrainFactory grains, string id) =>
        grains.GetGrain<IConcentratorGrain>(ApiRequest.Id(id, "concentratorId"));

    private static async Task<Created<ConcentratorStatus>> RegisterAsync(RegisterConcentratorBody body, HttpContext context, IGrainFactory grains)
    {
        var id = ApiRequest.Id(body.Id, "id");
        var period = body.PollPeriodSeconds ?? 60;
        if (period is < 1 or > 86_400)
        {
            throw ApiRequestException.BadRequest("pollPeriodSeconds", $"pollPeriodSeconds {period} is out of range; use 1 to 86,400 (default 60).");
        }

        if (body.Meters is null || body.Meters.Count == 0)
        {
            throw ApiRequestException.BadRequest("meters", "meters is required: list each meter's slot and id, e.g. [{\"slot\": 1, \"meterId\": \"MTR-0001\"}].");
        }

        var status = await grains.GetGrain<IConcentratorGrain>(id).RegisterAsync(new ConcentratorRegistration
        {
            Endpoint = ApiRequest.Required(body.Endpoint, "endpoint", "\"10.1.2.3:502\""),
            Layout = ApiRequest.Required(body.Layout, "layout", "\"gateway\""),
            ProfileId = ApiRequest.Required(body.ProfileId, "profileId", "\"prepaidpower-sim\""),
            PollPeriod = TimeSpan.FromSeconds(period),
            RequestTimeout = body.RequestTimeoutMilliseconds is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
            Bands = body.Bands ?? [],
            Meters = [.. body.Meters.Select((m, i) => new ConcentratorMeter { Slot = m.Slot, MeterId = ApiRequest.Id(m.MeterId, $"meters[{i}].meterId") })],
            OperatorId = context.OperatorId(),
        });
        return TypedResults.Created($"/concentrators/{Uri.EscapeDataString(id)}", status);
    }
}
