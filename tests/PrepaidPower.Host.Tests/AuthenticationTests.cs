using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace PrepaidPower.Host.Tests;

[Collection(InMemoryHostCollection.Name)]
[Trait("Category", "Integration")]
public sealed class AuthenticationTests(InMemoryHostFixture host)
{
    [Fact]
    public async Task Request_WithoutKey_Is401ProblemWithChallenge()
    {
        var response = await host.Anonymous.GetAsync("/accounts/ACC-X/balance");

        var problem = await response.ProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("X-Api-Key", problem.Detail());
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "ApiKey");
    }

    [Fact]
    public async Task Request_WithUnknownKey_Is401SayingTheKeyIsUnknown()
    {
        using var client = host.Client("not-a-configured-key-0000000000000");

        var problem = await (await client.GetAsync("/tariffs")).ProblemAsync(HttpStatusCode.Unauthorized);

        Assert.Contains("not known", problem.Detail());
    }

    [Fact]
    public async Task Request_WithAuthorizationApiKeyScheme_IsAccepted()
    {
        using var client = host.Client(null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", InMemoryHostFixture.ViewerKey);

        var response = await client.GetAsync("/tariffs");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("viewer", "POST", "/accounts")]
    [InlineData("viewer", "POST", "/accounts/ACC-X/top-ups")]
    [InlineData("viewer", "POST", "/meters/MTR-X/readings")]
    [InlineData("cashier", "GET", "/accounts/ACC-X/balance")]
    [InlineData("cashier", "POST", "/accounts")]
    [InlineData("cashier", "POST", "/accounts/ACC-X/refunds")]
    [InlineData("cashier", "POST", "/accounts/ACC-X/supply/cut")]
    public async Task Request_WithWrongRole_Is403NamingTheRole(string role, string method, string path)
    {
        var client = role == "viewer" ? host.Viewer : host.Cashier;
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        var problem = await (await client.SendAsync(request)).ProblemAsync(HttpStatusCode.Forbidden);

        Assert.Contains(role == "viewer" ? "Viewer" : "Cashier", problem.Detail());
    }

    [Fact]
    public async Task Cashier_TopUp_IsAllowed()
    {
        var account = ApiClient.NewId("ACC");
        await host.Operator.OpenAccountAsync(account);

        var receipt = await host.Cashier.TopUpAsync(account, "20.00", ApiClient.NewId("PAY"));

        Assert.Equal(2000, receipt.GetProperty("amount").GetProperty("minor").GetInt64());
    }

    [Fact]
    public async Task Dashboard_WithoutKey_Is401WithBasicChallenge()
    {
        var response = await host.Anonymous.GetAsync("/dashboard/");

        await response.ProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Basic");
    }

    [Fact]
    public async Task Dashboard_WithViewerKey_Is403()
    {
        var response = await host.Viewer.GetAsync("/dashboard/");

        await response.ProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Dashboard_WithOperatorKeyAsBasicPassword_IsServed()
    {
        using var client = host.Client(null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("anyone:" + InMemoryHostFixture.OperatorKey)));

        var response = await client.GetAsync("/dashboard/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task OpenApiDocument_IsServedWithoutKeyAndListsTheApi()
    {
        var response = await host.Anonymous.GetAsync("/openapi/v1.json");

        var document = await response.JsonAsync(HttpStatusCode.OK);
        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/accounts/{accountId}/top-ups", out _));
        Assert.True(paths.TryGetProperty("/meters/{meterId}/readings", out _));
        Assert.True(paths.TryGetProperty("/tariffs", out _));
        Assert.Equal("X-Api-Key", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey").GetProperty("name").GetString());
    }
}
