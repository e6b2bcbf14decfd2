using System.Net;
using System.Text.Json.Nodes;

namespace PrepaidPower.Host.Tests;

[Collection(InMemoryHostCollection.Name)]
[Trait("Category", "Integration")]
public sealed class LimitsTests(InMemoryHostFixture host)
{
    [Fact]
    public async Task TopUp_BodyOver64KiB_Is413AndNothingIsWritten()
    {
        var account = ApiClient.NewId("ACC");
        await host.Operator.OpenAccountAsync(account);
        var note = new string('x', 70 * 1024);

        var response = await host.Operator.PostJsonAsync($"/accounts/{account}/top-ups", $$"""{"amount":"10.00","currency":"CNY","channel":"counter","note":"{{note}}"}""", ApiClient.NewId("PAY"));

        await response.ProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        var (balance, entries, _) = await host.Operator.MoneyStateAsync(account);
        Assert.Equal(0, balance);
        Assert.Equal(0, entries);
    }

    [Fact]
    public async Task TariffUpload_Of100KiB_IsAcceptedAndOver256KiB_Is413()
    {
        var sample = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "samples", "tariffs", "uk-prepayment-single-rate.json")))!;
        var id = ApiClient.NewId("big-tariff").ToLowerInvariant();
        sample["id"] = id;
        sample["description"] = new string('d', 100 * 1024);

        var accepted = await host.Operator.PostJsonAsync("/tariffs", sample.ToJsonString());
        sample["id"] = id + "-too-big";
        sample["description"] = new string('d', 300 * 1024);
        var rejected = await host.Operator.PostJsonAsync("/tariffs", sample.ToJsonString());

        await accepted.JsonAsync(HttpStatusCode.Created);
        await rejected.ProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        await (await host.Operator.GetAsync($"/tariffs/{id}-too-big")).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Requests_BeyondTheKeysBurst_Are429WithRetryAfter()
    {
        using var limited = host.Client(InMemoryHostFixture.LimitedKey);
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? rejected = null;
        for (var i = 0; i < InMemoryHostFixture.LimitedBurst + 3; i++)
        {
            var response = await limited.GetAsync("/tariffs");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                rejected ??= response;
            }
        }

        Assert.All(statuses.Take(InMemoryHostFixture.LimitedBurst), s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.NotNull(rejected);
        await rejected.ProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.NotNull(rejected.Headers.RetryAfter);

        // Another key has its own bucket.
        Assert.Equal(HttpStatusCode.OK, (await host.Viewer.GetAsync("/tariffs")).StatusCode);
    }
}
