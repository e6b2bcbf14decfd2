using System.Net;
using System.Text.Json;

namespace PrepaidPower.Host.Tests;

/// <summary>The newcomer's path through the API, in memory: open, register, attach, top up, read, see balance and ledger.</summary>
[Collection(InMemoryHostCollection.Name)]
[Trait("Category", "Integration")]
public sealed class AccountFlowTests(InMemoryHostFixture host)
{
    [Fact]
    public async Task Flow_TopUpThenReadings_BillsUsageIntoTheLedger()
    {
        var summary = await Scenario.RunAsync(host.Operator, host.Cashier);

        Assert.Equal(10000, summary.TopUpMinor);
        Assert.True(summary.BalanceMinor < 10000, $"usage must have been charged: balance {summary.BalanceMinor}");
        Assert.Equal(summary.BalanceMinor, summary.Ledger[^1].GetProperty("balanceAfter").GetProperty("minor").GetInt64());
        Assert.Equal("TopUp", summary.Ledger[0].GetProperty("kind").GetString());
        Assert.Contains(summary.Ledger, e => e.GetProperty("kind").GetString() == "Usage");
        Assert.Equal(10000 + summary.Ledger.Skip(1).Sum(e => e.GetProperty("amount").GetProperty("minor").GetInt64()), summary.BalanceMinor);
    }

    [Fact]
    public async Task Statement_CoversTheTopUp()
    {
        var summary = await Scenario.RunAsync(host.Operator, host.Cashier);
        var from = DateTimeOffset.UtcNow.AddDays(-1).ToString("O");
        var to = DateTimeOffset.UtcNow.AddDays(1).ToString("O");

        var statement = await (await host.Viewer.GetAsync($"/accounts/{summary.AccountId}/statement?from={Uri.EscapeDataString(from)}&to={Uri.EscapeDataString(to)}")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(10000, statement.GetProperty("totals").GetProperty("TopUp").GetProperty("minor").GetInt64());
        Assert.Equal(summary.BalanceMinor, statement.GetProperty("closingBalance").GetProperty("minor").GetInt64());
    }
}

/// <summary>Open an account, register and attach a meter, top up 100.00, send two readings 12.5 kWh apart.</summary>
internal static class Scenario
{
    public sealed record Summary(string AccountId, string MeterId, long TopUpMinor, long BalanceMinor, IReadOnlyList<JsonElement> Ledger);

    public static async Task<Summary> RunAsync(HttpClient operatorClient, HttpClient cashier)
    {
        var account = ApiClient.NewId("ACC");
        var meter = ApiClient.NewId("MTR");
        await operatorClient.OpenAccountAsync(account);
        await operatorClient.RegisterMeterAsync(meter);
        await operatorClient.AttachAsync(meter, account);
        var receipt = await cashier.TopUpAsync(account, "100.00", ApiClient.NewId("PAY"));
        var now = DateTimeOffset.UtcNow;
        await (await operatorClient.PostJsonAsync($"/meters/{meter}/readings", $$"""{"totalWh":1000000,"receivedAt":"{{now.AddMinutes(-30):O}}"}""")).JsonAsync(HttpStatusCode.OK);
        var reading = await (await operatorClient.PostJsonAsync($"/meters/{meter}/readings", $$"""{"totalWh":1012500,"receivedAt":"{{now:O}}"}""")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(12500, reading.GetProperty("billedWh").GetInt64());
        var balance = await (await operatorClient.GetAsync($"/accounts/{account}/balance")).JsonAsync(HttpStatusCode.OK);
        var ledger = await (await operatorClient.GetAsync($"/accounts/{account}/ledger?limit=100")).JsonAsync(HttpStatusCode.OK);
        return new Summary(
            account,
            meter,
            receipt.GetProperty("amount").GetProperty("minor").GetInt64(),
            balance.GetProperty("balance").GetProperty("minor").GetInt64(),
            [.. ledger.GetProperty("entries").EnumerateArray()]);
    }
}
