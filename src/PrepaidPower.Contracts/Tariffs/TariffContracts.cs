namespace PrepaidPower.Contracts.Tariffs;

/// <summary>
/// A tariff in the catalogue, keyed by tariff id (the document's "id"). Holds the JSON document (docs/tariffs.md) and a
/// revision that grows with every accepted version; accounts rate with a parsed copy cached per silo by (id, revision).
/// </summary>
[Alias("pp.ITariffGrain")]
public interface ITariffGrain : IGrainWithStringKey
{
    /// <summary>Creates the tariff from a full JSON document whose "id" equals the grain key. The same document again is a no-op; another is a conflict.</summary>
    [Alias("Create")] Task<TariffView> CreateAsync(string documentJson, string operatorId);

    /// <summary>
    /// Adds a version (JSON of one "versions" entry). Rejected (409) when it starts at or before now or not after the
    /// last version; invalid JSON is 400.
    /// </summary>
    [Alias("AddVersion")] Task<TariffView> AddVersionAsync(string versionJson, string operatorId);

    [Alias("Get")] Task<TariffView> GetAsync();

    /// <summary>The document and revision; accounts use it to fill their silo-local cache.</summary>
    [Alias("GetDocument")] Task<TariffDocument> GetDocumentAsync();

    /// <summary>The current revision (cheap; accounts compare it with their cached copy).</summary>
    [Alias("GetRevision")] Task<int> GetRevisionAsync();
}

/// <summary>The list of tariff ids (there are few). Key: <see cref="SingletonKey"/>.</summary>
[Alias("pp.ITariffCatalogGrain")]
public interface ITariffCatalogGrain : IGrainWithStringKey
{
    public const string SingletonKey = "catalog";

    [Alias("Add")] Task AddAsync(string tariffId);

    [Alias("List")] Task<IReadOnlyList<string>> ListAsync();
}

[GenerateSerializer, Alias("pp.TariffDocument")]
public sealed record TariffDocument
{
    [Id(0)] public string TariffId { get; init; } = "";

    /// <summary>1 after creation, +1 per added version.</summary>
    [Id(1)] public int Revision { get; init; }

    [Id(2)] public string Json { get; init; } = "";
}

/// <summary>A tariff summary for operators.</summary>
[GenerateSerializer, Alias("pp.TariffView")]
public sealed record TariffView
{
    [Id(0)] public string TariffId { get; init; } = "";

    [Id(1)] public string Name { get; init; } = "";

    [Id(2)] public string Currency { get; init; } = "";

    [Id(3)] public string TimeZone { get; init; } = "";

    [Id(4)] public int Revision { get; init; }

    [Id(5)] public IReadOnlyList<DateOnly> VersionsEffectiveFrom { get; init; } = [];

    [Id(6)] public IReadOnlyList<string> BandNames { get; init; } = [];

    /// <summary>The JSON document.</summary>
    [Id(7)] public string Json { get; init; } = "";
}
