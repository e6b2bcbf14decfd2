// The device profiles the simulator ships with.
using System.Reflection;
using PrepaidPower.Modbus.Profiles;

namespace PrepaidPower.Simulator;

/// <summary>Built-in profiles, loaded from the embedded sample files through the strict loader.</summary>
public static class DeviceProfiles
{
    private static readonly Lazy<DeviceProfile> SimulatorProfile = new(() => Load("prepaidpower-sim.json"));

    /// <summary>The simulator's own register map: samples/devices/prepaidpower-sim.json (both layouts, relay, limit, events).</summary>
    public static DeviceProfile Simulator => SimulatorProfile.Value;

    private static DeviceProfile Load(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded profile {name} is missing from the simulator assembly.");
        using var reader = new StreamReader(stream);
        return DeviceProfileLoader.Parse(reader.ReadToEnd(), $"embedded '{name}'");
    }
}
