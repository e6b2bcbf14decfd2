using System.Net;

namespace PrepaidPower.Host.Tests;

/// <summary>Every rejected request answers problem+json with a reason, and writes nothing: balance and ledger are compared before and after.</summary>
[Collection(InMemoryHostCollection.Name)]
[Trait("Category", "Integration")]
public sealed class BadInputTests(InMemoryHostFixture host)
{
    public static TheoryData<string, string, string> BadTopUps => new()
    {
        { "negative", """{"amount":"-5.00","currency":"CNY","channel":"counter"}""", "negative" },
        { "zero", """{"amount":"0.00","currency":"CNY","channel":"counter"}""", "zero" },
        { "absurd", """{"amount":"50000000.00","currency":"CNY","channel":"counter"}""", "largest" },
        { "too many decimals", """{"amount":"10.001","currency":"CNY","channel":"counter"}""", "decimals" },
        { "too many decimals as number", """{"amount":10.001,"currency":"CNY","channel":"counter"}""", "decimals" },
        { "exponent", """{"amount":1e3,"currency":"CNY","channel":"counter"}""", "not an amount" },
        { "not a number", """{"amount":"ten","currency":"CNY","channel":"counter"}""", "not an amount" },
        { "unknown currency", """{"amount":"10.00","currency":"XYZ","channel":"counter"}""", "ISO 4217" },
        { "wrong currency", """{"amount":"10.00","currency":"GBP","channel":"counter"}""", "CNY" },
        { "unknown field", """{"amount":"10.00","currency":"CNY","channel":"counter","tip":"1.00"}""", "tip" },
        { "missing field", """{"amount":"10.00","currency":"CNY"}""", "channel" },
        { "malformed JSON", """{"amount":"10.00","currency":"CNY",""", "JSON" },
        { "array body", """[1,2,3]""", "JSON" },
        { "empty channel", """{"amount":"10.00","currency":"CNY","channel":" "}""", "channel" },
    };

    [Theory]
    [MemberData(nameof(BadTopUps))]
    public async Task TopUp_WithBadBody_Is400WithReasonAndWritesNothing(string name, string body, string reasonMentions)
    {
        var account = await AccountWithOneTopUpAsync();
        var before = await host.Operator.MoneyStateAsync(account);

        var response = await host.Cashier.PostJsonAsync($"/accounts/{account}/top-ups", body, ApiClient.NewId("PAY"));

        var problem = await response.ProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.Detail().Contains(reasonMentions, StringComparison.OrdinalIgnoreCase), $"{name}: '{problem.Detail()}' should mention '{reasonMentions}'");
        Assert.Equal(before, await host.Operator.MoneyStateAsync(account));
    }

    [Fact]
    public async Task TopUp_WithoutIdempotencyKey_Is400AndWritesNothing()
    {
        var account = await AccountWithOneTopUpAsync();
        var before = await host.Operator.MoneyStateAsync(account);

        var response = await host.Cashier.PostJsonAsync($"/accounts/{account}/top-ups", """{"amount":"10.00","currency":"CNY","channel":"counter"}""");

        var problem = await response.ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("Idempotency-Key", problem.Detail());
        Assert.Equal(before, await host.Operator.MoneyStateAsync(account));
    }

    [Fact]
    public async Task TopUp_AsPlainText_Is415()
    {
        var account = await AccountWithOneTopUpAsync();

        var response = await host.Cashier.PostJsonAsync($"/accounts/{account}/top-ups", "amount=10", ApiClient.NewId("PAY"), "text/plain");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task Refund_WithoutReason_Is400AndWritesNothing()
    {
        var account = await AccountWithOneTopUpAsync();
        var before = await host.Operator.MoneyStateAsync(account);

        var response = await host.Operator.PostJsonAsync($"/accounts/{account}/refunds", """{"amount":"5.00","currency":"CNY","reason":""}""", ApiClient.NewId("REF"));

        Assert.Contains("reason", (await response.ProblemAsync(HttpStatusCode.BadRequest)).Detail());
        Assert.Equal(before, await host.Operator.MoneyStateAsync(account));
    }

    [Fact]
    public async Task TopUp_ToUnknownAccount_Is404AndCreatesNoAccount()
    {
        var account = ApiClient.NewId("NOPE");

        var response = await host.Cashier.PostJsonAsync($"/accounts/{account}/top-ups", """{"amount":"10.00","currency":"CNY","channel":"counter"}""", ApiClient.NewId("PAY"));

        await response.ProblemAsync(HttpStatusCode.NotFound);
        await (await host.Operator.GetAsync($"/accounts/{account}")).ProblemAsync(HttpStatusCode.NotFound);
        await (await host.Operator.GetAsync($"/accounts/{account}/balance")).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("GET", "/meters/{meter}")]
    [InlineData("GET", "/meters/{meter}/supply")]
    [InlineData("POST", "/meters/{meter}/attach")]
    [InlineData("POST", "/meters/{meter}/readings")]
    [InlineData("GET", "/tariffs/{meter}")]
    public async Task UnknownMeterOrTariff_Is404(string method, string path)
    {
        var meter = ApiClient.NewId("NOPE");
        var account = await AccountWithOneTopUpAsync();
        var body = path.EndsWith("attach", StringComparison.Ordinal) ? $$"""{"accountId":"{{account}}"}""" : """{"totalWh":1000}""";
        using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{meter}", meter, StringComparison.Ordinal));
        if (method == "POST")
        {
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        }

        await (await host.Operator.SendAsync(request)).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Empty((await (await host.Operator.GetAsync($"/accounts/{account}")).JsonAsync(HttpStatusCode.OK)).GetProperty("meters").EnumerateArray());
    }

    [Fact]
    public async Task Meter_AttachedToASecondAccount_Is409AndStaysOnTheFirst()
    {
        var first = await AccountWithOneTopUpAsync();
        var second = await AccountWithOneTopUpAsync();
        var meter = ApiClient.NewId("MTR");
        await host.Operator.RegisterMeterAsync(meter);
        await host.Operator.AttachAsync(meter, first);

        var response = await host.Operator.PostJsonAsync($"/meters/{meter}/attach", $$"""{"accountId":"{{second}}"}""");

        var problem = await response.ProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains(first, problem.Detail());
        var view = await (await host.Operator.GetAsync($"/meters/{meter}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(first, view.GetProperty("accountId").GetString());
        Assert.Empty((await (await host.Operator.GetAsync($"/accounts/{second}")).JsonAsync(HttpStatusCode.OK)).GetProperty("meters").EnumerateArray());
    }

    [Fact]
    public async Task Account_OpenedAgainWithAnotherBody_Is409()
    {
        var account = await AccountWithOneTopUpAsync();

        var response = await host.Operator.PostJsonAsync("/accounts", $$"""{"id":"{{account}}","currency":"CNY","tariffId":"{{ApiClient.Tariff}}","timeZone":"Asia/Shanghai","householdSize":6}""");

        await response.ProblemAsync(HttpStatusCode.Conflict);
        var view = await (await host.Operator.GetAsync($"/accounts/{account}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, view.GetProperty("householdSize").GetInt32());
    }

    [Fact]
    public async Task TariffVersion_StartingInThePast_Is409AndTheTariffIsUnchanged()
    {
        var before = await (await host.Operator.GetAsync($"/tariffs/{ApiClient.Tariff}")).JsonAsync(HttpStatusCode.OK);

        var response = await host.Operator.PostJsonAsync($"/tariffs/{ApiClient.Tariff}/versions", """{"effectiveFrom":"2020-01-01","price":"0.5"}""");

        Assert.True(response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.BadRequest, $"got {(int)response.StatusCode}");
        await response.ProblemAsync(response.StatusCode);
        var after = await (await host.Operator.GetAsync($"/tariffs/{ApiClient.Tariff}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(before.GetProperty("revision").GetInt32(), after.GetProperty("revision").GetInt32());
    }

    [Fact]
    public async Task Exchange_WithFinalBelowTheLastReading_IsRejectedAndBillsNothing()
    {
        var account = await AccountWithOneTopUpAsync();
        var meter = ApiClient.NewId("MTR");
        await host.Operator.RegisterMeterAsync(meter);
        await host.Operator.AttachAsync(meter, account);
        await (await host.Operator.PostJsonAsync($"/meters/{meter}/readings", """{"totalWh":1000000}""")).JsonAsync(HttpStatusCode.OK);
        var before = await host.Operator.MoneyStateAsync(account);

        var response = await host.Operator.PostJsonAsync($"/meters/{meter}/exchange", """{"oldFinalWh":900000,"newStartWh":0,"at":"2026-01-01T00:00:00Z"}""");

        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Conflict, $"got {(int)response.StatusCode}");
        await response.ProblemAsync(response.StatusCode);
        Assert.Equal(before, await host.Operator.MoneyStateAsync(account));
        var view = await (await host.Operator.GetAsync($"/meters/{meter}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, view.GetProperty("exchangeCount").GetInt64());
    }

    [Fact]
    public async Task Ledger_WithLimitOutOfRange_Is400()
    {
        var account = await AccountWithOneTopUpAsync();

        var problem = await (await host.Viewer.GetAsync($"/accounts/{account}/ledger?limit=100000")).ProblemAsync(HttpStatusCode.BadRequest);

        Assert.Contains("limit", problem.Detail());
    }

    [Fact]
    public async Task Statement_WithMalformedDate_Is400()
    {
        var account = await AccountWithOneTopUpAsync();

        await (await host.Viewer.GetAsync($"/accounts/{account}/statement?from=yesterday&to=2026-01-01T00:00:00Z")).ProblemAsync(HttpStatusCode.BadRequest);
    }

    private async Task<string> AccountWithOneTopUpAsync()
    {
        var account = ApiClient.NewId("ACC");
        await host.Operator.OpenAccountAsync(account);
        await host.Cashier.TopUpAsync(account, "100.00", ApiClient.NewId("PAY"));
        return account;
    }
}
