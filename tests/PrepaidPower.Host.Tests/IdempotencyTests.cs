using System.Net;

namespace PrepaidPower.Host.Tests;

[Collection(InMemoryHostCollection.Name)]
[Trait("Category", "Integration")]
public sealed class IdempotencyTests(InMemoryHostFixture host)
{
    private const string Body = """{"amount":"100.00","currency":"CNY","channel":"wechat"}""";

    [Fact]
    public async Task TopUp_SameKeySameBody_ReturnsTheOriginalEntryAndWritesOnce()
    {
        var account = ApiClient.NewId("ACC");
        await host.Operator.OpenAccountAsync(account);
        var payment = ApiClient.NewId("PAY");

        var first = await host.Cashier.PostJsonAsync($"/accounts/{account}/top-ups", Body, payment);
        var second = await host.Cashier.PostJsonAsync($"/accounts/{account}/top-ups", Body, payment);

        var original = await first.JsonAsync(HttpStatusCode.Created);
        var replay = await second.JsonAsync(HttpStatusCode.OK);
        Assert.True(second.Headers.Contains("Idempotent-Replayed"));
        Assert.False(original.GetProperty("replayed").GetBoolean());
        Assert.True(replay.GetProperty("replayed").GetBoolean());
        Assert.Equal(original.GetProperty("entries").GetRawText(), replay.GetProperty("entries").GetRawText());
        Assert.Equal(original.GetProperty("balanceAfter").GetRawText(), replay.GetProperty("balanceAfter").GetRawText());
        var (balance, entries, _) = await host.Operator.MoneyStateAsync(account);
        Assert.Equal(10000, balance);
        Assert.Equal(1, entries);
    }

    [Fact]
    public async Task TopUp_SameKeyDifferentBody_Is409AndWritesNothing()
    {
        var account = ApiClient.NewId("ACC");
        await host.Operator.OpenAccountAsync(account);
        var payment = ApiClient.NewId("PAY");
        await (await host.Cashier.PostJsonAsync($"/accounts/{account}/top-ups", Body, payment)).JsonAsync(HttpStatusCode.Created);
        var before = await host.Operator.MoneyStateAsync(account);

        var response = await host.Cashier.PostJsonAsync($"/accounts/{account}/top-ups", """{"amount":"200.00","currency":"CNY","channel":"wechat"}""", payment);

        var problem = await response.ProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains(payment, problem.Detail());
        Assert.Equal(before, await host.Operator.MoneyStateAsync(account));
    }

    [Fact]
    public async Task TopUp_SameKeySentConcurrently_WritesOneEntry()
    {
        var account = ApiClient.NewId("ACC");
        await host.Operator.OpenAccountAsync(account);
        var payment = ApiClient.NewId("PAY");

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => host.Cashier.PostJsonAsync($"/accounts/{account}/top-ups", Body, payment)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"got {(int)r.StatusCode}"));
        var (balance, entries, _) = await host.Operator.MoneyStateAsync(account);
        Assert.Equal(10000, balance);
        Assert.Equal(1, entries);
    }
}
