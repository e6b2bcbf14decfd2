using System.CommandLine;
using PrepaidPower.Modbus.Profiles;
using PrepaidPower.Simulator;

namespace PrepaidPower.Cli;

/// <summary>`prepaidpower simulate`: a city of simulated meters behind Modbus TCP concentrators on loopback, until Ctrl+C.</summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var meters = new Option<int>("--meters") { Description = "Number of meters.", DefaultValueFactory = _ => 1000 };
        var concentrators = new Option<int>("--concentrators") { Description = "Number of concentrators (one TCP port each).", DefaultValueFactory = _ => 4 };
        var layout = new Option<SimulatedLayouts>("--layout") { Description = "Gateway (one meter per unit id), Table (one unit id, register blocks) or Alternate.", DefaultValueFactory = _ => SimulatedLayouts.Alternate };
        var profile = new Option<FileInfo?>("--profile") { Description = "Device profile JSON (default: the simulator's own, samples/devices/prepaidpower-sim.json)." };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the consumption curves.", DefaultValueFactory = _ => 1 };
        var speed = new Option<double>("--speed") { Description = "Simulated seconds per real second.", DefaultValueFactory = _ => 1 };
        var basePort = new Option<int>("--base-port") { Description = "First TCP port (concentrator i listens on base + i); 0 picks free ports.", DefaultValueFactory = _ => 0 };
        var manifest = new Option<FileInfo?>("--manifest") { Description = "Write the endpoints and meter addresses as JSON to this file." };
        var truth = new Option<FileInfo?>("--truth") { Description = "On stop, write every meter's true consumption as JSON to this file." };
        var command = new Command("simulate", "Run a simulated city of meters behind Modbus TCP concentrators on 127.0.0.1 (Ctrl+C stops it).")
        {
            meters, concentrators, layout, profile, seed, speed, basePort, manifest, truth,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var options = new SimulatorOptions
                {
                    Meters = parse.GetValue(meters),
                    Concentrators = parse.GetValue(concentrators),
                    Layout = parse.GetValue(layout),
                    Profile = parse.GetValue(profile) is { } file ? DeviceProfileLoader.LoadFile(file.FullName) : null,
                    Seed = parse.GetValue(seed),
                    Acceleration = parse.GetValue(speed),
                    BasePort = parse.GetValue(basePort),
                    ManifestPath = parse.GetValue(manifest)?.FullName,
                    TruthPath = parse.GetValue(truth)?.FullName,
                };
                options.Validate();
                await SimulatorHost.RunAsync(options, cancellationToken);
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or DeviceProfileLoadException or IOException)
            {
                await Console.Error.WriteLineAsync($"simulate: {e.Message}");
                return 2;
            }
        });
        return command;
    }
}
