using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using PrepaidPower.Contracts.Tariffs;
using PrepaidPower.Domain.Tariffs;

namespace PrepaidPower.Grains.Tariffs;

/// <summary>
/// Parsed tariffs shared by every account on a silo, keyed by (tariff id, revision), so a million accounts parse each
/// tariff once. The current revision of an id is re-checked with its tariff grain at most every
/// <see cref="PrepaidPowerGrainOptions.TariffRevisionCheck"/>.
/// </summary>
public sealed class TariffCache(IGrainFactory grains, IOptions<PrepaidPowerGrainOptions> options)
{
    private readonly ConcurrentDictionary<(string Id, int Revision), Tariff> parsed = new();
    private readonly ConcurrentDictionary<string, (int Revision, DateTimeOffset CheckedAt)> current = new(StringComparer.Ordinal);
    private readonly TimeProvider clock = TimeProvider.System;

    /// <summary>The current tariff for an id.</summary>
    /// <exception cref="Contracts.Errors.NotFoundException">No such tariff.</exception>
    public async Task<Tariff> GetAsync(string tariffId)
    {
        var now = clock.GetUtcNow();
        if (current.TryGetValue(tariffId, out var known)
            && now - known.CheckedAt < options.Value.TariffRevisionCheck
            && parsed.TryGetValue((tariffId, known.Revision), out var cached))
        {
            return cached;
        }
        var grain = grains.GetGrain<ITariffGrain>(tariffId);
        var revision = await grain.GetRevisionAsync();
        if (!parsed.TryGetValue((tariffId, revision), out var tariff))
        {
            var document = await grain.GetDocumentAsync();
            tariff = TariffLoader.Parse(document.Json, tariffId);
            parsed[(tariffId, document.Revision)] = tariff;
            revision = document.Revision;
        }
        current[tariffId] = (revision, now);
        return tariff;
    }
}
