// A test grain that forwards a top-up from whichever silo it lives on, so concurrent callers sit on different silos.
using PrepaidPower.Contracts.Accounts;

namespace PrepaidPower.Grains.Tests.Integration;

[Alias("pp.test.ITopUpRelayGrain")]
public interface ITopUpRelayGrain : IGrainWithIntegerKey
{
    [Alias("TopUp")] Task<RelayedReceipt> TopUpAsync(string accountId, PaymentRequest request);
}

/// <summary>The receipt and the silo whose grain made the call.</summary>
[GenerateSerializer, Alias("pp.test.RelayedReceipt")]
public sealed record RelayedReceipt
{
    [Id(0)] public string Silo { get; init; } = "";

    [Id(1)] public PaymentReceipt Receipt { get; init; } = new();
}

// Random, not the default resource-optimised placement, which may put every relay on the least loaded silo.
[Orleans.Placement.RandomPlacement]
public sealed class TopUpRelayGrain : Grain, ITopUpRelayGrain
{
    public async Task<RelayedReceipt> TopUpAsync(string accountId, PaymentRequest request)
    {
        var receipt = await GrainFactory.GetGrain<IAccountGrain>(accountId).TopUpAsync(request);
        // RuntimeIdentity names the silo (address and generation) this activation runs on.
        return new RelayedReceipt { Silo = RuntimeIdentity, Receipt = receipt };
    }
}
