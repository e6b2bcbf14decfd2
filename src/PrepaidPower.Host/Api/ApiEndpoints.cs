using Microsoft.Extensions.Options;
using PrepaidPower.Host.Api.Accounts;
using PrepaidPower.Host.Api.Calendar;
using PrepaidPower.Host.Api.Concentrators;
using PrepaidPower.Host.Api.Meters;
using PrepaidPower.Host.Api.Money;
using PrepaidPower.Host.Api.Supply;
using PrepaidPower.Host.Api.Tariffs;
using PrepaidPower.Host.Limits;

namespace PrepaidPower.Host.Api;

/// <summary><c>app.MapPrepaidPowerApi()</c>: the REST API, one route group per feature (see docs/api.md).</summary>
public static class ApiEndpoints
{
    public static IEndpointRouteBuilder MapPrepaidPowerApi(this IEndpointRouteBuilder app)
    {
        var limits = app.ServiceProvider.GetRequiredService<IOptions<ApiLimitsOptions>>().Value;

        var accounts = app.MapGroup("/accounts").WithTags("Accounts");
        accounts.MapAccounts();
        accounts.MapMoney();
        accounts.MapSupply();

        app.MapGroup("/meters").WithTags("Meters").MapMeters();
        app.MapGroup("/concentrators").WithTags("Concentrators").MapConcentrators();
        app.MapGroup("/tariffs").WithTags("Tariffs").MapTariffs(limits);
        app.MapGroup("/calendars").WithTags("Calendars").MapCalendars(limits);
        return app;
    }
}
