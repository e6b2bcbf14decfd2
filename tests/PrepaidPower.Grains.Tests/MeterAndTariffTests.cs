using PrepaidPower.Contracts.Errors;
using PrepaidPower.Contracts.Meters;
using PrepaidPower.Contracts.Tariffs;
using PrepaidPower.Domain.Ledger;

namespace PrepaidPower.Grains.Tests;

[Collection(ClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class MeterAndTariffTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Attach_MeterOnAnotherAccount_ConflictAndUnchanged()
    {
        var a = new Scenario(fixture);
        var b = new Scenario(fixture);
        await a.OpenAsync();
        await b.OpenAsync();
        await a.RegisterAndAttachAsync();

        var e = await Assert.ThrowsAsync<ConflictException>(() => a.Meter.AttachAsync(new AttachMeterRequest { AccountId = b.AccountId, OperatorId = "op-1" }));
        var again = await a.Meter.AttachAsync(new AttachMeterRequest { AccountId = a.AccountId, OperatorId = "op-1" });

        Assert.Equal(ErrorCodes.MeterAttachedElsewhere, e.Code);
        Assert.Equal(a.AccountId, again.AccountId);
        Assert.Empty((await b.Account.GetAsync()).Meters);
    }

    [Fact]
    public async Task Attach_UnknownAccount_NotFoundAndMeterStaysFree()
    {
        var s = new Scenario(fixture);
        await s.Meter.RegisterAsync(new RegisterMeterRequest { Model = "m", MaxPowerKilowatts = 10, ConcentratorAddress = "c", OperatorId = "op" });

        var e = await Assert.ThrowsAsync<NotFoundException>(() => s.Meter.AttachAsync(new AttachMeterRequest { AccountId = "missing-" + s.AccountId, OperatorId = "op" }));

        Assert.Equal(ErrorCodes.AccountNotFound, e.Code);
        Assert.Null((await s.Meter.GetAsync()).AccountId);
    }

    [Fact]
    public async Task Exchange_FinalBelowAccepted_RejectedAndNothingBilled_ThenValidExchangeBillsFinalAdvance()
    {
        var s = new Scenario(fixture);
        await s.OpenAsync();
        await s.RegisterAndAttachAsync();
        await s.TopUpAsync("pay-" + s.AccountId, 10_000);
        var day = Scenario.NextLocalMidnight();
        await s.ReadAsync(day.AddHours(6), 800_000);
        await s.ReadAsync(day.AddHours(7), 802_000);

        var low = await Assert.ThrowsAsync<InvalidRequestException>(() => s.Meter.ExchangeAsync(new MeterExchangeRequest { OldFinalWh = 801_000, NewStartWh = 0, At = day.AddHours(7.5), OperatorId = "op-4" }));
        Assert.Equal(ErrorCodes.ExchangeRejected, low.Code);
        Assert.Equal(2, (await s.LedgerAsync()).Count);

        Scenario.ClockTo(day.AddHours(8));
        await s.Meter.ExchangeAsync(new MeterExchangeRequest { OldFinalWh = 803_000, NewStartWh = 10, At = day.AddHours(8), OperatorId = "op-4" });
        var next = await s.ReadAsync(day.AddHours(9), 1_010); // the new meter advanced 1 kWh

        Assert.Equal(1_000, next.BilledWh);
        var entries = await s.LedgerAsync();
        Assert.Equal(804_000, LedgerReplay.BilledUpTo(entries)[s.MeterId]); // 2 + 1 (final) + 1 kWh, in continuous position
        // 4 kWh of peak at 0.617 = 2.468 exact, posted 1.23 + 0.62 + 0.62 = 2.47 (rounded once overall).
        Assert.Equal(10_000 - 247, (await s.Account.GetBalanceAsync()).Balance.Minor);
    }

    [Fact]
    public async Task Tariff_AddVersion_PastOrOverlapRejected_FutureAccepted()
    {
        var tariffs = fixture.Client.GetGrain<ITariffGrain>(ClusterFixture.ShanghaiTou);
        const string Version = """{ "effectiveFrom": "DATE", "price": "0.6" }""";

        var past = await Assert.ThrowsAsync<ConflictException>(() => tariffs.AddVersionAsync(Version.Replace("DATE", "2020-01-01", StringComparison.Ordinal), "op-5"));
        var bad = await Assert.ThrowsAsync<InvalidRequestException>(() => tariffs.AddVersionAsync("{ \"effectiveFrom\": 5 }", "op-5"));
        var list = await fixture.Client.GetGrain<ITariffCatalogGrain>(ITariffCatalogGrain.SingletonKey).ListAsync();

        Assert.Equal(ErrorCodes.TariffVersionRejected, past.Code);
        Assert.Equal(ErrorCodes.TariffInvalid, bad.Code);
        Assert.Contains(ClusterFixture.ShanghaiTou, list);
        var view = await tariffs.GetAsync();
        Assert.Equal(("CNY", "Asia/Shanghai"), (view.Currency, view.TimeZone));
        Assert.Equal(["peak", "valley"], view.BandNames);
    }

    [Fact]
    public async Task Tariff_NewTariffWithFutureVersion_RevisionGrowsAndDocumentStillLoads()
    {
        var id = "flat-" + Guid.NewGuid().ToString("N")[..8];
        var grain = fixture.Client.GetGrain<ITariffGrain>(id);
        var doc = $$"""{ "id": "{{id}}", "currency": "CNY", "timeZone": "Asia/Shanghai", "versions": [ { "effectiveFrom": "2020-01-01", "price": "0.5" } ] }""";
        await grain.CreateAsync(doc, "op-6");
        var future = DateOnly.FromDateTime(ClusterFixture.Time.GetUtcNow().UtcDateTime).AddDays(10).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        var view = await grain.AddVersionAsync($$"""{ "effectiveFrom": "{{future}}", "price": "0.55" }""", "op-6");
        var overlap = await Assert.ThrowsAsync<ConflictException>(() => grain.AddVersionAsync($$"""{ "effectiveFrom": "{{future}}", "price": "0.56" }""", "op-6"));
        var exists = await Assert.ThrowsAsync<ConflictException>(() => grain.CreateAsync(doc.Replace("0.5", "0.7", StringComparison.Ordinal), "op-6"));

        Assert.Equal(2, view.Revision);
        Assert.Equal(2, view.VersionsEffectiveFrom.Count);
        Assert.Equal(ErrorCodes.TariffVersionRejected, overlap.Code);
        Assert.Equal(ErrorCodes.TariffExists, exists.Code);
        Assert.Equal(2, (await grain.GetDocumentAsync()).Revision);
        await Assert.ThrowsAsync<NotFoundException>(() => fixture.Client.GetGrain<ITariffGrain>("none-" + id).GetAsync());
    }

    [Fact]
    public async Task Reading_Spike_HeldAndKeptForReview()
    {
        var s = new Scenario(fixture);
        await s.OpenAsync();
        await s.RegisterAndAttachAsync();
        var day = Scenario.NextLocalMidnight();
        await s.ReadAsync(day.AddHours(6), 100_000);

        var spike = await s.ReadAsync(day.AddHours(6.25), 5_000_000); // 4,900 kWh in 15 min on a 50 kW meter

        Assert.Equal(("Held", "Spike", 0L), (spike.Outcome, spike.HoldReason, spike.BilledWh));
        var held = Assert.Single(await s.Meter.GetHeldReadingsAsync());
        Assert.Equal(5_000_000, held.Reading.TotalWh);
        Assert.Empty(await s.LedgerAsync());
    }
}
