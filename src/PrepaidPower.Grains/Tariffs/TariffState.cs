namespace PrepaidPower.Grains.Tariffs;

/// <summary>The stored tariff: the JSON document (all versions) and its revision. Small: a tariff has a handful of versions.</summary>
[GenerateSerializer, Alias("pp.TariffState")]
public sealed class TariffState
{
    [Id(0)] public string Json { get; set; } = "";

    /// <summary>0 = not created; 1 after creation; +1 per added version.</summary>
    [Id(1)] public int Revision { get; set; }

    [Id(2)] public string CreatedBy { get; set; } = "";
}

/// <summary>The catalogue's list of tariff ids.</summary>
[GenerateSerializer, Alias("pp.TariffCatalogState")]
public sealed class TariffCatalogState
{
    [Id(0)] public List<string> TariffIds { get; set; } = [];
}
