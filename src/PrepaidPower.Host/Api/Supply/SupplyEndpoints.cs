// Supply commands an operator gives through the account: cut, reconnect, keep supply on, clear a safety trip.
using PrepaidPower.Contracts.Accounts;
using PrepaidPower.Host.Api.Accounts;
using PrepaidPower.Host.Security;

namespace PrepaidPower.Host.Api.Supply;

/// <param name="Until">When the override ends (UTC, in the future).</param>
/// <param name="Reason">Why (audit).</param>
public sealed record KeepSupplyOnBody(DateTimeOffset Until, string Reason);

internal static class SupplyEndpoints
{
    public static void MapSupply(this RouteGroupBuilder accounts)
    {
        accounts.MapPost("/{accountId}/supply/cut", (string accountId, ReasonBody body, HttpContext context, IGrainFactory grains) =>
                AccountEndpoints.Account(grains, accountId).EnforcementCutAsync(AccountEndpoints.Action(context, body.Reason)))
            .RequireAuthorization(ApiPolicies.Operate).WithName("CutSupply")
            .WithSummary("Cut supply now (fraud, tamper, contract breach): bypasses protections; audited with the reason");
        accounts.MapPost("/{accountId}/supply/reconnect", (string accountId, ReasonBody body, HttpContext context, IGrainFactory grains) =>
                AccountEndpoints.Account(grains, accountId).LiftEnforcementAsync(AccountEndpoints.Action(context, body.Reason)))
            .RequireAuthorization(ApiPolicies.Operate).WithName("ReconnectSupply")
            .WithSummary("Lift a manual cut; the credit rules then decide (a balance below the reconnect threshold stays cut)");
        accounts.MapPut("/{accountId}/supply/keep-on", (string accountId, KeepSupplyOnBody body, HttpContext context, IGrainFactory grains) =>
                AccountEndpoints.Account(grains, accountId).AddProtectionAsync(new ProtectionRequest
                {
                    Type = ProtectionType.KeepSupplyOn,
                    Until = body.Until,
                    Reason = ApiRequest.Required(body.Reason, "reason", "\"customer in hospital until Friday\""),
                    OperatorId = context.OperatorId(),
                }))
            .RequireAuthorization(ApiPolicies.Operate).WithName("KeepSupplyOn")
            .WithSummary("Keep supply on until a time whatever the balance (no arrears cut); replaces an earlier override");
        accounts.MapDelete("/{accountId}/supply/keep-on", (string accountId, HttpContext context, IGrainFactory grains) =>
                AccountEndpoints.Account(grains, accountId).RemoveProtectionAsync(ProtectionType.KeepSupplyOn, context.OperatorId()))
            .RequireAuthorization(ApiPolicies.Operate).WithName("EndKeepSupplyOn");
        accounts.MapPost("/{accountId}/supply/clear-safety-trip", (string accountId, ReasonBody body, HttpContext context, IGrainFactory grains) =>
                AccountEndpoints.Account(grains, accountId).ClearSafetyTripAsync(AccountEndpoints.Action(context, body.Reason)))
            .RequireAuthorization(ApiPolicies.Operate).WithName("ClearSafetyTrip")
            .WithSummary("Clear a safety trip after inspection (a payment never does); give the inspection in the reason");
    }
}
