using System.Collections.Frozen;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrepaidPower.Modbus.Profiles;

namespace PrepaidPower.Grains.Concentrators;

/// <summary>
/// The device profiles a silo knows, by id: the built-in ones (samples/devices, embedded in this assembly), then
/// <see cref="ConcentratorOptions.ProfileFolder"/>, then <see cref="ConcentratorOptions.Profiles"/>; a later source
/// replaces an earlier profile of the same id. Loaded once per silo with the strict loader; a bad file fails the first
/// use with every problem named. Every silo must be given the same profiles (they are configuration, like tariffs'
/// code): a concentrator reactivated on another silo looks its profile up there.
/// </summary>
public sealed partial class DeviceProfileCatalog
{
    private readonly Lazy<FrozenDictionary<string, DeviceProfile>> _profiles;

    public DeviceProfileCatalog(IOptions<ConcentratorOptions> options, ILogger<DeviceProfileCatalog> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        _profiles = new Lazy<FrozenDictionary<string, DeviceProfile>>(() => Load(o, logger));
    }

    /// <summary>Every known profile id, sorted.</summary>
    public IReadOnlyList<string> Ids => [.. _profiles.Value.Keys.Order(StringComparer.Ordinal)];

    public bool TryGet(string id, out DeviceProfile profile) => _profiles.Value.TryGetValue(id, out profile!);

    private static FrozenDictionary<string, DeviceProfile> Load(ConcentratorOptions options, ILogger logger)
    {
        var profiles = new Dictionary<string, DeviceProfile>(StringComparer.Ordinal);
        var assembly = typeof(DeviceProfileCatalog).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("profiles/", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var profile = LoadEmbedded(assembly, name);
            profiles[profile.Id] = profile;
        }

        if (options.ProfileFolder is { } folder)
        {
            if (!Directory.Exists(folder))
            {
                throw new DirectoryNotFoundException($"ConcentratorOptions.ProfileFolder '{folder}' does not exist; create it or leave the option empty to use the built-in profiles only.");
            }

            var fromFolder = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var file in Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
            {
                var profile = DeviceProfileLoader.LoadFile(file);
                if (fromFolder.TryGetValue(profile.Id, out var other))
                {
                    throw new InvalidDataException($"Device profile id '{profile.Id}' is defined twice in '{folder}': {Path.GetFileName(other)} and {Path.GetFileName(file)}; give each model and firmware its own id.");
                }

                fromFolder[profile.Id] = file;
                if (profiles.ContainsKey(profile.Id))
                {
                    LogReplaced(logger, profile.Id, file);
                }

                profiles[profile.Id] = profile;
            }
        }

        foreach (var profile in options.Profiles)
        {
            profiles[profile.Id] = profile;
        }

        LogLoaded(logger, profiles.Count, string.Join(", ", profiles.Keys.Order(StringComparer.Ordinal)));
        return profiles.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static DeviceProfile LoadEmbedded(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded device profile {name} is missing.");
        using var reader = new StreamReader(stream);
        return DeviceProfileLoader.Parse(reader.ReadToEnd(), $"built-in '{name}'");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Device profile {ProfileId} replaced by {File}")]
    private static partial void LogReplaced(ILogger logger, string profileId, string file);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} device profiles: {Ids}")]
    private static partial void LogLoaded(ILogger logger, int count, string ids);
}
