// Accounts: open, read, close, tariff, household size, contact, protections, balance, ledger, statement, events.
using Microsoft.AspNetCore.Http.HttpResults;
using PrepaidPower.Contracts.Accounts;
using PrepaidPower.Host.Errors;
using PrepaidPower.Host.Security;

namespace PrepaidPower.Host.Api.Accounts;

internal static class AccountEndpoints
{
    public const int DefaultLedgerPage = 100;
    public const int MaxEvents = 32;

    public static void MapAccounts(this RouteGroupBuilder accounts)
    {
        accounts.MapPost("/", OpenAsync).RequireAuthorization(ApiPolicies.Operate).WithName("OpenAccount")
            .WithSummary("Open an account (the same body again returns it; another body for the same id is 409)");
        accounts.MapGet("/{accountId}", (string accountId, IGrainFactory grains) => Account(grains, accountId).GetAsync())
            .RequireAuthorization(ApiPolicies.Read).WithName("GetAccount");
        accounts.MapPost("/{accountId}/close", (string accountId, ReasonBody body, HttpContext context, IGrainFactory grains) =>
                Account(grains, accountId).CloseAsync(Action(context, body.Reason)))
            .RequireAuthorization(ApiPolicies.Operate).WithName("CloseAccount").WithSummary("Close an account: no more top-ups; the ledger stays");
        accounts.MapPut("/{accountId}/tariff", (string accountId, ChangeTariffBody body, HttpContext context, IGrainFactory grains) =>
                Account(grains, accountId).ChangeTariffAsync(ApiRequest.Id(body.TariffId, "tariffId"), context.OperatorId()))
            .RequireAuthorization(ApiPolicies.Operate).WithName("ChangeTariff").WithSummary("Switch the account's tariff from now on");
        accounts.MapPut("/{accountId}/household-size", (string accountId, HouseholdSizeBody body, HttpContext context, IGrainFactory grains) =>
                Account(grains, accountId).SetHouseholdSizeAsync(HouseholdSize(body.HouseholdSize), context.OperatorId()))
            .RequireAuthorization(ApiPolicies.Operate).WithName("SetHouseholdSize");
        accounts.MapPut("/{accountId}/contact", (string accountId, ContactDetails body, HttpContext context, IGrainFactory grains) =>
                Account(grains, accountId).SetContactAsync(body, context.OperatorId()))
            .RequireAuthorization(ApiPolicies.Operate).WithName("SetContact").WithSummary("Where reminders go (phone, e-mail, push id, language)");
        accounts.MapPut("/{accountId}/protections/{type}", (string accountId, ProtectionType type, ProtectionBody body, HttpContext context, IGrainFactory grains) =>
                Account(grains, accountId).AddProtectionAsync(Protection(type, body, context)))
            .RequireAuthorization(ApiPolicies.Operate).WithName("AddProtection")
            .WithSummary("Protect from arrears cuts until a time: KeepSupplyOn (operator override), Medical, WeatherHold");
        accounts.MapDelete("/{accountId}/protections/{type}", (string accountId, ProtectionType type, HttpContext context, IGrainFactory grains) =>
                Account(grains, accountId).RemoveProtectionAsync(type, context.OperatorId()))
            .RequireAuthorization(ApiPolicies.Operate).WithName("RemoveProtection");
        accounts.MapGet("/{accountId}/balance", (string accountId, IGrainFactory grains) => Account(grains, accountId).GetBalanceAsync())
            .RequireAuthorization(ApiPolicies.Read).WithName("GetBalance");
        accounts.MapGet("/{accountId}/ledger", (string accountId, long? after, int? limit, IGrainFactory grains) =>
                Account(grains, accountId).GetLedgerAsync(After(after), ApiRequest.Limit(limit, IAccountGrain.MaxPageSize, DefaultLedgerPage)))
            .RequireAuthorization(ApiPolicies.Read).WithName("GetLedger")
            .WithSummary("Ledger entries after a sequence (paged: pass nextAfterSequence as ?after= for the next page)");
        accounts.MapGet("/{accountId}/statement", (string accountId, DateTimeOffset? from, DateTimeOffset? to, IGrainFactory grains) =>
                Statement(grains, accountId, from, to))
            .RequireAuthorization(ApiPolicies.Read).WithName("GetStatement")
            .WithSummary("Opening and closing balance, totals by kind and the entries for [from, to)");
        accounts.MapGet("/{accountId}/events", (string accountId, int? limit, IGrainFactory grains) =>
                Account(grains, accountId).GetRecentEventsAsync(ApiRequest.Limit(limit, MaxEvents, MaxEvents)))
            .RequireAuthorization(ApiPolicies.Read).WithName("GetAccountEvents").WithSummary("Recent account events, newest last");
        accounts.MapPost("/{accountId}/emergency-credit", (string accountId, IGrainFactory grains) => Account(grains, accountId).ActivateEmergencyCreditAsync())
            .RequireAuthorization(ApiPolicies.Operate).WithName("ActivateEmergencyCredit");
    }

    internal static IAccountGrain Account(IGrainFactory grains, string accountId) =>
        grains.GetGrain<IAccountGrain>(ApiRequest.Id(accountId, "accountId"));

    internal static OperatorAction Action(HttpContext context, string? reason) => new()
    {
        OperatorId = context.OperatorId(),
        Reason = ApiRequest.Required(reason, "reason", "\"tamper found on site visit 2026-03-02\""),
    };

    private static async Task<Created<AccountView>> OpenAsync(OpenAccountBody body, HttpContext context, IGrainFactory grains)
    {
        var id = ApiRequest.Id(body.Id, "id");
        var request = new OpenAccountRequest
        {
            Currency = ApiRequest.Required(body.Currency, "currency", "\"CNY\""),
            TariffId = ApiRequest.Id(body.TariffId, "tariffId"),
            TimeZone = ApiRequest.Required(body.TimeZone, "timeZone", "\"Asia/Shanghai\""),
            HouseholdSize = HouseholdSize(body.HouseholdSize),
            Contact = body.Contact,
            CreditPolicy = body.CreditPolicy,
            OperatorId = context.OperatorId(),
        };
        var view = await grains.GetGrain<IAccountGrain>(id).OpenAsync(request);
        return TypedResults.Created($"/accounts/{Uri.EscapeDataString(id)}", view);
    }

    private static int HouseholdSize(int size) =>
        size is >= 1 and <= 99 ? size : throw ApiRequestException.BadRequest("householdSize", $"householdSize {size} is out of range; use 1 to 99 persons.");

    private static long After(long? after) =>
        after is null or >= 0 ? after ?? 0 : throw ApiRequestException.BadRequest("after", $"after {after} is negative; use 0 for the first page, then the page's nextAfterSequence.");

    private static ProtectionRequest Protection(ProtectionType type, ProtectionBody body, HttpContext context) => new()
    {
        Type = type,
        Until = body.Until,
        Reason = ApiRequest.Required(body.Reason, "reason", "\"heat wave warning\""),
        OperatorId = context.OperatorId(),
        Region = body.Region,
    };

    private static Task<Statement> Statement(IGrainFactory grains, string accountId, DateTimeOffset? from, DateTimeOffset? to)
    {
        if (from is null || to is null)
        {
            throw ApiRequestException.BadRequest(from is null ? "from" : "to", "Give the period as ?from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z (to exclusive).");
        }

        if (to <= from)
        {
            throw ApiRequestException.BadRequest("to", $"to ({to:O}) must be after from ({from:O}).");
        }

        return Account(grains, accountId).GetStatementAsync(from.Value, to.Value);
    }
}
