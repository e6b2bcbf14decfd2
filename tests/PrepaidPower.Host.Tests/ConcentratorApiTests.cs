using System.Net;

namespace PrepaidPower.Host.Tests;

/// <summary>POST /concentrators and GET /concentrators/{id}: registration, status, and bad input as problem+json.</summary>
[Collection(InMemoryHostCollection.Name)]
[Trait("Category", "Integration")]
public sealed class ConcentratorApiTests(InMemoryHostFixture host)
{
    [Fact]
    public async Task Register_ThenGet_ShowsConfigurationAndHealth()
    {
        var id = ApiClient.NewId("CN");
        // Port 1 on loopback answers nobody: the concentrator registers and would go offline when polled.
        var created = await host.Operator.PostJsonAsync("/concentrators", $$"""
            {"id":"{{id}}","endpoint":"127.0.0.1:1","layout":"table","profileId":"prepaidpower-sim","pollPeriodSeconds":3600,
             "meters":[{"slot":0,"meterId":"MTR-A"},{"slot":1,"meterId":"MTR-B"}]}
            """);
        var status = await created.JsonAsync(HttpStatusCode.Created);
        var fetched = await (await host.Viewer.GetAsync($"/concentrators/{id}")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal($"/concentrators/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal(2, status.GetProperty("meterCount").GetInt32());
        Assert.Equal(("table", "Offline", "not polled yet"), (fetched.GetProperty("layout").GetString(), fetched.GetProperty("health").GetString(), fetched.GetProperty("healthReason").GetString()));
        Assert.Equal(0, fetched.GetProperty("counters").GetProperty("reads").GetInt64());
    }

    [Fact]
    public async Task Register_BadBody_Is400NamingTheProblem_UnknownIs404()
    {
        var id = ApiClient.NewId("CN");
        var response = await host.Operator.PostJsonAsync("/concentrators", $$"""
            {"id":"{{id}}","endpoint":"nowhere","layout":"gateway","profileId":"prepaidpower-sim","meters":[{"slot":0,"meterId":"MTR-A"}]}
            """);

        var problem = await response.ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("endpoint 'nowhere' is not host:port", problem.Detail(), StringComparison.Ordinal);
        Assert.Contains("slot 0 is outside 1–247", problem.Detail(), StringComparison.Ordinal);
        await (await host.Viewer.GetAsync($"/concentrators/{id}")).ProblemAsync(HttpStatusCode.NotFound);
        await (await host.Viewer.PostJsonAsync("/concentrators", "{}")).ProblemAsync(HttpStatusCode.Forbidden);
    }
}
