using System.CommandLine;
using PrepaidPower.Host;
using PrepaidPower.Host.Hosting;

namespace PrepaidPower.Cli;

/// <summary>`prepaidpower run`: one process with an Orleans silo, the REST API and the dashboard, until Ctrl+C.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var inMemory = new Option<bool>("--in-memory") { Description = "Keep everything in memory (nothing is saved; for a quick look)." };
        var postgres = new Option<string?>("--postgres") { Description = "Use an existing PostgreSQL server: an Npgsql connection string." };
        var httpPort = new Option<int?>("--http-port") { Description = $"HTTP port for the API and dashboard on 127.0.0.1 (default {PrepaidPowerHostOptions.DefaultHttpPort} + instance − 1)." };
        var siloPort = new Option<int?>("--silo-port") { Description = $"Orleans silo-to-silo port (default {PrepaidPowerHostOptions.DefaultSiloPort} + instance − 1)." };
        var gatewayPort = new Option<int?>("--gateway-port") { Description = $"Orleans client gateway port (default {PrepaidPowerHostOptions.DefaultGatewayPort} + instance − 1)." };
        var instance = new Option<int>("--instance") { Description = "Which process of this machine's cluster this is, 1–99 (shifts the default ports; 2+ join instance 1's managed PostgreSQL).", DefaultValueFactory = _ => 1 };
        var clusterId = new Option<string>("--cluster-id") { Description = "Orleans cluster id: processes with the same id form one cluster.", DefaultValueFactory = _ => "prepaidpower-local" };
        var serviceId = new Option<string>("--service-id") { Description = "Orleans service id: the key of stored state; keep it stable.", DefaultValueFactory = _ => "prepaidpower" };
        var noSamples = new Option<bool>("--no-samples") { Description = "Do not upload the sample tariffs at start." };
        var noCity = new Option<bool>("--no-city") { Description = "Start no simulated city (register real concentrators through the API instead)." };
        var cityMeters = new Option<int>("--city-meters") { Description = "Meters of the simulated city started with instance 1.", DefaultValueFactory = _ => 2000 };
        var cityConcentrators = new Option<int>("--city-concentrators") { Description = "Concentrators of the simulated city (gateway and table layouts alternate).", DefaultValueFactory = _ => 4 };
        var speed = new Option<double>("--speed") { Description = "Simulated seconds per real second in the city (the grains' clock follows it).", DefaultValueFactory = _ => 60 };

        var command = new Command("run", "Run a silo with the REST API and the Orleans dashboard on localhost (Ctrl+C stops it).")
        {
            inMemory, postgres, httpPort, siloPort, gatewayPort, instance, clusterId, serviceId, noSamples, noCity, cityMeters, cityConcentrators, speed,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(inMemory) && result.GetValue(postgres) is not null)
            {
                result.AddError("Give --in-memory or --postgres, not both.");
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var connectionString = parse.GetValue(postgres);
            var options = new PrepaidPowerHostOptions
            {
                Storage = parse.GetValue(inMemory) ? StorageMode.InMemory : connectionString is not null ? StorageMode.ExternalPostgres : StorageMode.ManagedPostgres,
                PostgresConnectionString = connectionString,
                HttpPort = parse.GetValue(httpPort),
                SiloPort = parse.GetValue(siloPort),
                GatewayPort = parse.GetValue(gatewayPort),
                Instance = parse.GetValue(instance),
                ClusterId = parse.GetValue(clusterId)!,
                ServiceId = parse.GetValue(serviceId)!,
                SeedSamples = !parse.GetValue(noSamples),
                // The city runs in instance 1 only: every silo of a city cluster would need the same accelerated clock.
                CityMeters = parse.GetValue(noCity) || parse.GetValue(noSamples) || parse.GetValue(instance) != 1 ? 0 : parse.GetValue(cityMeters),
                CityConcentrators = parse.GetValue(cityConcentrators),
                CitySpeed = parse.GetValue(speed),
            };
            try
            {
                options.Validate();
            }
            catch (ArgumentException e)
            {
                await Console.Error.WriteLineAsync($"run: {e.Message}");
                return 2;
            }

            try
            {
                return await PrepaidPowerHost.RunAsync(options, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return 130;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The top of the command: say what failed in one line (the log above has the details).
                await Console.Error.WriteLineAsync($"run: could not start or run the host: {e.GetType().Name}: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
