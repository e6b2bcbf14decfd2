using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrepaidPower.Contracts.Errors;
using PrepaidPower.Contracts.Tariffs;
using PrepaidPower.Domain.Tariffs;

namespace PrepaidPower.Grains.Tariffs;

/// <summary>One versioned tariff document. Versions may only be added for the future, so rated usage never changes price.</summary>
public sealed partial class TariffGrain(
    [PersistentState("tariff")] IPersistentState<TariffState> state,
    IOptions<PrepaidPowerGrainOptions> options,
    ILogger<TariffGrain> logger) : Grain, ITariffGrain
{
    private const int MaxDocumentLength = 1_000_000;
    private readonly TimeProvider time = options.Value.Time;
    private Tariff? parsed;

    public async Task<TariffView> CreateAsync(string documentJson, string operatorId)
    {
        RequireText(operatorId, nameof(operatorId));
        var tariff = Parse(documentJson);
        var id = this.GetPrimaryKeyString();
        if (tariff.Id != id)
        {
            throw new InvalidRequestException(ErrorCodes.TariffInvalid, $"The document's id is '{tariff.Id}' but it was sent for tariff '{id}'; send it to /tariffs/{tariff.Id} or fix the id.");
        }
        if (state.State.Revision > 0)
        {
            return state.State.Json == documentJson
                ? View(Current())
                : throw new ConflictException(ErrorCodes.TariffExists, $"Tariff '{id}' exists already with another document; add a version to change it, or use a new id.");
        }
        state.State.Json = documentJson;
        state.State.Revision = 1;
        state.State.CreatedBy = operatorId.Trim();
        await state.WriteStateAsync();
        parsed = tariff;
        await GrainFactory.GetGrain<ITariffCatalogGrain>(ITariffCatalogGrain.SingletonKey).AddAsync(id);
        LogCreated(logger, id, tariff.Versions.Length, operatorId);
        return View(tariff);
    }

    public async Task<TariffView> AddVersionAsync(string versionJson, string operatorId)
    {
        RequireText(operatorId, nameof(operatorId));
        var tariff = Current();
        TariffVersion version;
        try
        {
            version = TariffLoader.ParseVersion(versionJson ?? "", "version");
        }
        catch (TariffLoadException e)
        {
            throw new InvalidRequestException(ErrorCodes.TariffInvalid, e.Message);
        }
        Tariff extended;
        try
        {
            extended = tariff.AddVersion(version, time.GetUtcNow());
        }
        catch (TariffLoadException e)
        {
            throw new ConflictException(ErrorCodes.TariffVersionRejected, e.Message);
        }

        // Keep one JSON document of all versions: the merged text is parsed again so what is stored always loads.
        var document = JsonNode.Parse(state.State.Json)!.AsObject();
        document["versions"]!.AsArray().Add(JsonNode.Parse(versionJson!));
        var merged = document.ToJsonString();
        var reparsed = Parse(merged);
        if (reparsed.Versions.Length != extended.Versions.Length)
        {
            throw new InvalidOperationException($"Tariff '{tariff.Id}': the merged document has {reparsed.Versions.Length} versions, expected {extended.Versions.Length}.");
        }
        state.State.Json = merged;
        state.State.Revision++;
        await state.WriteStateAsync();
        parsed = reparsed;
        LogVersionAdded(logger, tariff.Id, version.EffectiveFrom, state.State.Revision, operatorId);
        return View(reparsed);
    }

    public Task<TariffView> GetAsync() => Task.FromResult(View(Current()));

    public Task<TariffDocument> GetDocumentAsync()
    {
        _ = Current();
        return Task.FromResult(new TariffDocument { TariffId = this.GetPrimaryKeyString(), Revision = state.State.Revision, Json = state.State.Json });
    }

    public Task<int> GetRevisionAsync()
    {
        _ = Current();
        return Task.FromResult(state.State.Revision);
    }

    private Tariff Current()
    {
        if (state.State.Revision == 0)
        {
            throw new NotFoundException(ErrorCodes.TariffNotFound, $"Tariff '{this.GetPrimaryKeyString()}' does not exist; upload it first (see the tariff list for the ids that do).");
        }
        return parsed ??= TariffLoader.Parse(state.State.Json, this.GetPrimaryKeyString());
    }

    private TariffView View(Tariff t) => new()
    {
        TariffId = t.Id,
        Name = t.Name,
        Currency = t.Currency.Code,
        TimeZone = t.TimeZone.Id,
        Revision = state.State.Revision,
        VersionsEffectiveFrom = t.Versions.Select(v => v.EffectiveFrom).ToArray(),
        BandNames = t.BandNames.ToArray(),
        Json = state.State.Json,
    };

    private static Tariff Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            throw new InvalidRequestException(ErrorCodes.TariffInvalid, "The tariff document is empty; send the JSON described in docs/tariffs.md.");
        }
        if (json.Length > MaxDocumentLength)
        {
            throw new InvalidRequestException(ErrorCodes.TariffInvalid, $"The tariff document has {json.Length} characters; at most {MaxDocumentLength} are accepted.");
        }
        try
        {
            return TariffLoader.Parse(json, "tariff");
        }
        catch (TariffLoadException e)
        {
            throw new InvalidRequestException(ErrorCodes.TariffInvalid, e.Message);
        }
    }

    internal static void RequireText(string? value, string name)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > 200)
        {
            throw new InvalidRequestException(ErrorCodes.InvalidField, $"{name} is required (1–200 characters): it is recorded for audit.");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Tariff {TariffId} created with {Versions} version(s) by {OperatorId}")]
    private static partial void LogCreated(ILogger logger, string tariffId, int versions, string operatorId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Tariff {TariffId}: version from {EffectiveFrom} added (revision {Revision}) by {OperatorId}")]
    private static partial void LogVersionAdded(ILogger logger, string tariffId, DateOnly effectiveFrom, int revision, string operatorId);
}

/// <summary>The tariff ids, for listing. Bounded in practice: a utility has tens of tariffs, not millions.</summary>
public sealed class TariffCatalogGrain([PersistentState("catalog")] IPersistentState<TariffCatalogState> state) : Grain, ITariffCatalogGrain
{
    public async Task AddAsync(string tariffId)
    {
        if (!state.State.TariffIds.Contains(tariffId, StringComparer.Ordinal))
        {
            state.State.TariffIds.Add(tariffId);
            state.State.TariffIds.Sort(StringComparer.Ordinal);
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<string>> ListAsync() => Task.FromResult<IReadOnlyList<string>>(state.State.TariffIds.ToArray());
}
