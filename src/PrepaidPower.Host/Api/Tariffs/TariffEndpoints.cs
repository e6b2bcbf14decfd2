// Tariffs: upload a document or a new version (the tariff JSON format of docs/tariffs.md), list and read.
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using PrepaidPower.Contracts.Tariffs;
using PrepaidPower.Host.Errors;
using PrepaidPower.Host.Limits;
using PrepaidPower.Host.Security;

namespace PrepaidPower.Host.Api.Tariffs;

/// <summary>A tariff in a list: everything but the document.</summary>
public sealed record TariffSummary(string TariffId, string Name, string Currency, string TimeZone, int Revision, IReadOnlyList<DateOnly> VersionsEffectiveFrom, IReadOnlyList<string> BandNames);

internal static class TariffEndpoints
{
    public static void MapTariffs(this RouteGroupBuilder tariffs, ApiLimitsOptions limits)
    {
        tariffs.MapPost("/", UploadAsync)
            .RequireAuthorization(ApiPolicies.Operate).WithBodyLimit(limits.MaxTariffBodyBytes)
            .Accepts<JsonElement>("application/json").WithName("UploadTariff")
            .WithSummary("Upload a tariff document (docs/tariffs.md); the same document again is a no-op, another with the same id is 409");
        tariffs.MapPost("/{tariffId}/versions", AddVersionAsync)
            .RequireAuthorization(ApiPolicies.Operate).WithBodyLimit(limits.MaxTariffBodyBytes)
            .Accepts<JsonElement>("application/json").WithName("AddTariffVersion")
            .WithSummary("Add a version (one entry of \"versions\"); it must start in the future and after the last version, else 409");
        tariffs.MapGet("/", ListAsync).RequireAuthorization(ApiPolicies.Read).WithName("ListTariffs");
        tariffs.MapGet("/{tariffId}", (string tariffId, IGrainFactory grains) => grains.GetGrain<ITariffGrain>(ApiRequest.Id(tariffId, "tariffId")).GetAsync())
            .RequireAuthorization(ApiPolicies.Read).WithName("GetTariff");
    }

    private static async Task<Created<TariffView>> UploadAsync(HttpContext context, IGrainFactory grains)
    {
        var (json, root) = await ReadJsonObjectAsync(context.Request);
        var id = root.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String
            ? ApiRequest.Id(idElement.GetString(), "id")
            : throw ApiRequestException.BadRequest("id", "The tariff document has no \"id\" string; every tariff needs one, e.g. \"id\": \"shanghai-residential\" (see docs/tariffs.md).");
        var view = await grains.GetGrain<ITariffGrain>(id).CreateAsync(json, context.OperatorId());
        return TypedResults.Created($"/tariffs/{Uri.EscapeDataString(id)}", view);
    }

    private static async Task<TariffView> AddVersionAsync(string tariffId, HttpContext context, IGrainFactory grains)
    {
        var (json, _) = await ReadJsonObjectAsync(context.Request);
        return await grains.GetGrain<ITariffGrain>(ApiRequest.Id(tariffId, "tariffId")).AddVersionAsync(json, context.OperatorId());
    }

    private static async Task<IReadOnlyList<TariffSummary>> ListAsync(IGrainFactory grains)
    {
        var ids = await grains.GetGrain<ITariffCatalogGrain>(ITariffCatalogGrain.SingletonKey).ListAsync();
        var views = await Task.WhenAll(ids.Select(id => grains.GetGrain<ITariffGrain>(id).GetAsync()));
        return [.. views.Select(v => new TariffSummary(v.TariffId, v.Name, v.Currency, v.TimeZone, v.Revision, v.VersionsEffectiveFrom, v.BandNames))];
    }

    /// <summary>The body as text, after checking it is one JSON object; the grain validates the tariff itself.</summary>
    private static async Task<(string Json, JsonElement Root)> ReadJsonObjectAsync(HttpRequest request)
    {
        if (!request.HasJsonContentType())
        {
            throw new ApiRequestException(415, "Unsupported media type", "Send the tariff as JSON with Content-Type: application/json.");
        }

        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var json = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw ApiRequestException.BadRequest("body", $"The body is a JSON {document.RootElement.ValueKind}, not an object; send one tariff document (see docs/tariffs.md).");
            }

            return (json, document.RootElement.Clone());
        }
        catch (JsonException e)
        {
            throw ApiRequestException.BadRequest("body", $"The body is not valid JSON: {e.Message} Fix it and send it again.");
        }
    }
}
