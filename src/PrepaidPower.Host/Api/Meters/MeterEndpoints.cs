// Meters: register, read, attach/detach, exchange, readings, held readings and supply state.
using Microsoft.AspNetCore.Http.HttpResults;
using PrepaidPower.Contracts.Meters;
using PrepaidPower.Host.Errors;
using PrepaidPower.Host.Security;

namespace PrepaidPower.Host.Api.Meters;

internal static class MeterEndpoints
{
    public static void MapMeters(this RouteGroupBuilder meters)
    {
        meters.MapPost("/", RegisterAsync).RequireAuthorization(ApiPolicies.Operate).WithName("RegisterMeter")
            .WithSummary("Register a meter (the same body again returns it; another body for the same id is 409)");
        meters.MapGet("/{meterId}", (string meterId, IGrainFactory grains) => Meter(grains, meterId).GetAsync())
            .RequireAuthorization(ApiPolicies.Read).WithName("GetMeter");
        meters.MapPost("/{meterId}/attach", (string meterId, AttachMeterBody body, HttpContext context, IGrainFactory grains) =>
                Meter(grains, meterId).AttachAsync(new AttachMeterRequest { AccountId = ApiRequest.Id(body.AccountId, "accountId"), OperatorId = context.OperatorId() }))
            .RequireAuthorization(ApiPolicies.Operate).WithName("AttachMeter")
            .WithSummary("Attach the meter to an account; billing starts at its current position (409 when attached elsewhere)");
        meters.MapPost("/{meterId}/detach", (string meterId, HttpContext context, IGrainFactory grains) => Meter(grains, meterId).DetachAsync(context.OperatorId()))
            .RequireAuthorization(ApiPolicies.Operate).WithName("DetachMeter");
        meters.MapPost("/{meterId}/exchange", (string meterId, ExchangeMeterBody body, HttpContext context, IGrainFactory grains) =>
                Meter(grains, meterId).ExchangeAsync(new MeterExchangeRequest
                {
                    OldFinalWh = NonNegative(body.OldFinalWh, "oldFinalWh"),
                    NewStartWh = NonNegative(body.NewStartWh, "newStartWh"),
                    OldFinalBandsWh = body.OldFinalBandsWh ?? [],
                    NewStartBandsWh = body.NewStartBandsWh ?? [],
                    At = body.At,
                    NewModel = body.NewModel,
                    OperatorId = context.OperatorId(),
                }))
            .RequireAuthorization(ApiPolicies.Operate).WithName("ExchangeMeter")
            .WithSummary("Record a physical meter exchange (a final register below the last accepted one is 400)");
        meters.MapPost("/{meterId}/readings", (string meterId, ReadingBody body, IGrainFactory grains, TimeProvider clock) =>
            {
                var received = body.ReceivedAt ?? clock.GetUtcNow();
                return Meter(grains, meterId).ReportReadingAsync(new ReadingReport
                {
                    TotalWh = NonNegative(body.TotalWh, "totalWh"),
                    MeterTime = body.MeterTime ?? received,
                    ReceivedAt = received,
                    BandsWh = body.BandsWh ?? [],
                });
            })
            .RequireAuthorization(ApiPolicies.Operate).WithName("ReportReading")
            .WithSummary("Report a cumulative reading (manual entry and tests; concentrators report the same way)");
        meters.MapGet("/{meterId}/held-readings", (string meterId, IGrainFactory grains) => Meter(grains, meterId).GetHeldReadingsAsync())
            .RequireAuthorization(ApiPolicies.Read).WithName("GetHeldReadings").WithSummary("Readings held for review, oldest first");
        meters.MapGet("/{meterId}/supply", (string meterId, IGrainFactory grains) => Meter(grains, meterId).GetSupplyAsync())
            .RequireAuthorization(ApiPolicies.Read).WithName("GetSupply").WithSummary("Relay state and the command waiting for the concentrator");
    }

    private static IMeterGrain Meter(IGrainFactory grains, string meterId) =>
        grains.GetGrain<IMeterGrain>(ApiRequest.Id(meterId, "meterId"));

    private static async Task<Created<MeterView>> RegisterAsync(RegisterMeterBody body, HttpContext context, IGrainFactory grains)
    {
        var id = ApiRequest.Id(body.Id, "id");
        if (body.MaxPowerKilowatts is <= 0 or > 1_000_000)
        {
            throw ApiRequestException.BadRequest("maxPowerKilowatts", $"maxPowerKilowatts {body.MaxPowerKilowatts} is out of range; give the meter's or connection's maximum power, more than 0 and at most 1,000,000 kW.");
        }

        var view = await grains.GetGrain<IMeterGrain>(id).RegisterAsync(new RegisterMeterRequest
        {
            Model = ApiRequest.Required(body.Model, "model", "\"Acrel DTSD1352\""),
            MaxPowerKilowatts = body.MaxPowerKilowatts,
            ConcentratorAddress = ApiRequest.Required(body.ConcentratorAddress, "concentratorAddress", "\"10.1.2.3:502/7\""),
            RegisterMaximumWh = body.RegisterMaximumWh,
            RegisterStepWh = body.RegisterStepWh,
            BandNames = body.BandNames ?? [],
            OperatorId = context.OperatorId(),
        });
        return TypedResults.Created($"/meters/{Uri.EscapeDataString(id)}", view);
    }

    private static long NonNegative(long value, string field) =>
        value >= 0 ? value : throw ApiRequestException.BadRequest(field, $"{field} {value} is negative; registers count up from 0 Wh.");
}
