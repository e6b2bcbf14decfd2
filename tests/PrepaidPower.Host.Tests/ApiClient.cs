// Small helpers the API tests share: send JSON, read problem+json, and the standard set-up of an account.
using System.Net;
using System.Text;
using System.Text.Json;

namespace PrepaidPower.Host.Tests;

internal static class ApiClient
{
    public const string Tariff = "shanghai-residential";

    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, string json, string? idempotencyKey = null, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, contentType) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> PutJsonAsync(this HttpClient client, string path, string json) =>
        client.PutAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected} but got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Asserts an RFC 9457 problem with the status, and returns its detail (which must say something).</summary>
    public static async Task<JsonElement> ProblemAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected} but got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        Assert.True(problem.GetProperty("detail").GetString() is { Length: > 20 }, $"The problem should say what was wrong: {body}");
        return problem;
    }

    public static string Detail(this JsonElement problem) => problem.GetProperty("detail").GetString()!;

    public static async Task OpenAccountAsync(this HttpClient client, string accountId, string currency = "CNY")
    {
        var response = await client.PostJsonAsync("/accounts", $$"""{"id":"{{accountId}}","currency":"{{currency}}","tariffId":"{{Tariff}}","timeZone":"Asia/Shanghai"}""");
        await response.JsonAsync(HttpStatusCode.Created);
    }

    public static async Task<JsonElement> TopUpAsync(this HttpClient client, string accountId, string amount, string paymentId, HttpStatusCode expected = HttpStatusCode.Created)
    {
        var response = await client.PostJsonAsync($"/accounts/{accountId}/top-ups", $$"""{"amount":"{{amount}}","currency":"CNY","channel":"counter"}""", paymentId);
        return await response.JsonAsync(expected);
    }

    public static async Task RegisterMeterAsync(this HttpClient client, string meterId)
    {
        var response = await client.PostJsonAsync("/meters", $$"""{"id":"{{meterId}}","model":"test","maxPowerKilowatts":20,"concentratorAddress":"127.0.0.1:502/1"}""");
        await response.JsonAsync(HttpStatusCode.Created);
    }

    public static async Task AttachAsync(this HttpClient client, string meterId, string accountId)
    {
        var response = await client.PostJsonAsync($"/meters/{meterId}/attach", $$"""{"accountId":"{{accountId}}"}""");
        await response.JsonAsync(HttpStatusCode.OK);
    }

    /// <summary>The balance in minor units and the number of ledger entries: what "nothing was written" compares.</summary>
    public static async Task<(long BalanceMinor, int LedgerEntries, string LedgerJson)> MoneyStateAsync(this HttpClient client, string accountId)
    {
        var balance = await (await client.GetAsync($"/accounts/{accountId}/balance")).JsonAsync(HttpStatusCode.OK);
        var ledgerResponse = await client.GetAsync($"/accounts/{accountId}/ledger?limit=500");
        var ledger = await ledgerResponse.JsonAsync(HttpStatusCode.OK);
        var entries = ledger.GetProperty("entries");
        return (balance.GetProperty("balance").GetProperty("minor").GetInt64(), entries.GetArrayLength(), entries.GetRawText());
    }
}
