// Money from outside: top-ups (cashier or operator), refunds and adjustments (operator), all idempotent by the
// Idempotency-Key header and committed to the ledger before they are answered.
using Microsoft.Extensions.Options;
using PrepaidPower.Contracts.Accounts;
using PrepaidPower.Host.Limits;
using PrepaidPower.Host.Security;

namespace PrepaidPower.Host.Api.Money;

internal static class MoneyEndpoints
{
    /// <summary>Set on a response that repeats an earlier result for the same Idempotency-Key and body.</summary>
    public const string ReplayedHeader = "Idempotent-Replayed";

    public static void MapMoney(this RouteGroupBuilder accounts)
    {
        accounts.MapPost("/{accountId}/top-ups", TopUpAsync)
            .RequireAuthorization(ApiPolicies.TopUp)
            .WithName("TopUp")
            .WithSummary("Top up an account (Idempotency-Key = payment id)")
            .WithDescription("201 with the ledger entries on first receipt; 200 with the same entries when the same key is sent again with the same body; 409 when the key was used for a different body (nothing written).");
        accounts.MapPost("/{accountId}/refunds", (string accountId, CorrectionBody body, HttpContext context, IGrainFactory grains, IOptions<ApiLimitsOptions> limits) =>
                CorrectAsync(accountId, body, context, limits.Value, allowNegative: false, request => grains.GetGrain<IAccountGrain>(accountId).RefundAsync(request)))
            .RequireAuthorization(ApiPolicies.Operate)
            .WithName("Refund")
            .WithSummary("Refund money to the customer (positive amount; lowers the balance; Idempotency-Key = refund id)");
        accounts.MapPost("/{accountId}/adjustments", (string accountId, CorrectionBody body, HttpContext context, IGrainFactory grains, IOptions<ApiLimitsOptions> limits) =>
                CorrectAsync(accountId, body, context, limits.Value, allowNegative: true, request => grains.GetGrain<IAccountGrain>(accountId).AdjustAsync(request)))
            .RequireAuthorization(ApiPolicies.Operate)
            .WithName("Adjust")
            .WithSummary("Correct the balance by a signed amount (Idempotency-Key = adjustment id)");
    }

    private static async Task<IResult> TopUpAsync(string accountId, TopUpBody body, HttpContext context, IGrainFactory grains, IOptions<ApiLimitsOptions> limits)
    {
        ApiRequest.Id(accountId, "accountId");
        var paymentId = context.IdempotencyKey();
        var request = new PaymentRequest
        {
            Id = paymentId,
            Amount = AmountRules.Parse(body.Amount, body.Currency, limits.Value.MaxAmount, allowNegative: false),
            Channel = ApiRequest.Required(body.Channel, "channel", "\"wechat\""),
            Reason = body.Note,
            OperatorId = context.OperatorId(),
            ReceivedAt = body.ReceivedAt,
        };
        return Receipt(context, await grains.GetGrain<IAccountGrain>(accountId).TopUpAsync(request));
    }

    private static async Task<IResult> CorrectAsync(
        string accountId, CorrectionBody body, HttpContext context, ApiLimitsOptions limits, bool allowNegative, Func<PaymentRequest, Task<PaymentReceipt>> commit)
    {
        ApiRequest.Id(accountId, "accountId");
        var id = context.IdempotencyKey();
        var reason = ApiRequest.Required(body.Reason, "reason", "\"duplicate payment 2026-03-01\"");
        var request = new PaymentRequest
        {
            Id = id,
            Amount = AmountRules.Parse(body.Amount, body.Currency, limits.MaxAmount, allowNegative),
            Channel = "operator",
            Reason = reason,
            OperatorId = context.OperatorId(),
        };
        return Receipt(context, await commit(request));
    }

    private static IResult Receipt(HttpContext context, PaymentReceipt receipt)
    {
        if (receipt.Replayed)
        {
            context.Response.Headers[ReplayedHeader] = "true";
            return TypedResults.Ok(receipt);
        }

        return TypedResults.Created($"/accounts/{Uri.EscapeDataString(receipt.AccountId)}/ledger?after={receipt.Entries[0].Sequence - 1}&limit={receipt.Entries.Count}", receipt);
    }
}
