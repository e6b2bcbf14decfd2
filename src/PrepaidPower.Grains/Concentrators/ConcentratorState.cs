using PrepaidPower.Contracts.Concentrators;

namespace PrepaidPower.Grains.Concentrators;

/// <summary>
/// A concentrator's stored configuration: endpoint, layout, profile, poll period and the meter map (sorted by slot;
/// at most <see cref="IConcentratorGrain.MaxMeters"/> entries, ~20 bytes each). Counters, health and the command queue
/// live in the activation only.
/// </summary>
[GenerateSerializer, Alias("pp.ConcentratorState")]
public sealed class ConcentratorState
{
    [Id(0)] public bool Registered { get; set; }

    [Id(1)] public string Endpoint { get; set; } = "";

    /// <summary>"gateway" or "table".</summary>
    [Id(2)] public string Layout { get; set; } = "";

    [Id(3)] public string ProfileId { get; set; } = "";

    [Id(4)] public TimeSpan PollPeriod { get; set; }

    [Id(5)] public TimeSpan? RequestTimeout { get; set; }

    [Id(6)] public List<string> Bands { get; set; } = [];

    [Id(7)] public List<ConcentratorMeter> Meters { get; set; } = [];

    [Id(8)] public string RegisteredBy { get; set; } = "";

    [Id(9)] public DateTimeOffset RegisteredAt { get; set; }
}
