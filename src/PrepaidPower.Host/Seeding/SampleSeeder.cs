// Gives a newcomer something to try: the sample tariffs from samples/tariffs, uploaded when the catalogue lacks them.
using System.Text.Json;
using PrepaidPower.Contracts.Errors;
using PrepaidPower.Contracts.Tariffs;
using PrepaidPower.Host.Hosting;

namespace PrepaidPower.Host.Seeding;

internal static class SampleSeeder
{
    public const string OperatorId = "sample-seed";

    /// <summary>Uploads every <c>samples/tariffs/*.json</c> whose id is not in the catalogue yet; returns the ids uploaded.</summary>
    public static async Task<IReadOnlyList<string>> SeedAsync(IServiceProvider services, PrepaidPowerHostOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        var samples = FindSamples(options);
        if (samples is null)
        {
            HostLog.NoSamples(logger, options.WorkingDirectory);
            return [];
        }

        var grains = (IGrainFactory)services.GetService(typeof(IGrainFactory))!;
        var seeded = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(samples, "tariffs"), "*.json").Order(StringComparer.Ordinal))
        {
            var json = await File.ReadAllTextAsync(file, cancellationToken);
            string? id;
            try
            {
                using var document = JsonDocument.Parse(json);
                id = document.RootElement.TryGetProperty("id", out var element) ? element.GetString() : null;
            }
            catch (JsonException e)
            {
                HostLog.SeedFailed(logger, file, e.Message);
                continue;
            }

            if (id is null)
            {
                HostLog.SeedFailed(logger, file, "no \"id\"");
                continue;
            }

            var tariff = grains.GetGrain<ITariffGrain>(id);
            try
            {
                await tariff.GetAsync();
                continue;
            }
            catch (NotFoundException)
            {
                // Not there yet: upload it below.
            }

            try
            {
                await tariff.CreateAsync(json, OperatorId);
                seeded.Add(id);
                HostLog.SeededTariff(logger, id, file);
            }
            catch (PrepaidPowerException e)
            {
                HostLog.SeedFailed(logger, file, e.Message);
            }
        }

        return seeded;
    }

    /// <summary>The samples folder: the option, beside the binaries (copied at build), or up from the working directory (a repo checkout).</summary>
    internal static string? FindSamples(PrepaidPowerHostOptions options)
    {
        if (options.SamplesDirectory is not null)
        {
            return Directory.Exists(Path.Combine(options.SamplesDirectory, "tariffs")) ? Path.GetFullPath(options.SamplesDirectory) : null;
        }

        var beside = Path.Combine(AppContext.BaseDirectory, "samples");
        if (Directory.Exists(Path.Combine(beside, "tariffs")))
        {
            return beside;
        }

        for (var dir = new DirectoryInfo(Path.GetFullPath(options.WorkingDirectory)); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "samples");
            if (Directory.Exists(Path.Combine(candidate, "tariffs")))
            {
                return candidate;
            }
        }

        return null;
    }
}
