// Starts a simulated city on loopback ports: the in-process API for tests and benchmarks, and the `prepaidpower simulate` loop.
using System.Globalization;
using System.Net;
using System.Text.Json;
using PrepaidPower.Modbus.Profiles;

namespace PrepaidPower.Simulator;

/// <summary>A concentrator's endpoint once listening.</summary>
public sealed record ConcentratorEndpoint(ConcentratorInfo Info, IPEndPoint EndPoint);

/// <summary>Starts simulated cities.</summary>
public static class SimulatorHost
{
    /// <summary>Builds the city and opens one listening socket per concentrator. Dispose the result to stop.</summary>
    /// <exception cref="ArgumentException">An option is invalid (the message names it).</exception>
    public static async Task<RunningSimulator> StartAsync(SimulatorOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var city = new SimulatedCity(options);
        var servers = new List<ConcentratorServer>(city.Concentrators.Count);
        try
        {
            for (var c = 0; c < city.Concentrators.Count; c++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var port = options.BasePort == 0 ? 0 : options.BasePort + c;
                servers.Add(new ConcentratorServer(city, c, new IPEndPoint(options.ListenAddress, port)));
            }
        }
        catch
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }

        return new RunningSimulator(city, servers);
    }

    /// <summary>
    /// Runs a city until <paramref name="cancellationToken"/> is cancelled: prints the endpoints to
    /// <see cref="SimulatorOptions.Output"/>, writes the manifest and, on stop, the truth dump if their paths are set.
    /// Returns normally on cancellation.
    /// </summary>
    public static async Task RunAsync(SimulatorOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var output = options.Output ?? Console.Out;
        var simulator = await StartAsync(options, cancellationToken).ConfigureAwait(false);
        await using (simulator.ConfigureAwait(false))
        {
            var city = simulator.City;
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Simulated city: {city.MeterCount} meters behind {simulator.Endpoints.Count} concentrators, profile '{city.Profile.Id}', simulated start {city.Clock.Start:O}, {city.Clock.Acceleration}× real time, seed {options.Seed}.")).ConfigureAwait(false);
            foreach (var e in simulator.Endpoints)
            {
                var i = e.Info;
                var addressing = i.Layout == ConcentratorLayout.Gateway
                    ? $"unit ids {GatewayLayout.FirstUnitId}–{GatewayLayout.FirstUnitId + i.MeterCount - 1}"
                    : $"unit id {i.TableUnitId}, blocks of {i.Stride} registers from {i.FirstBlockAddress}";
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"  concentrator {i.Index}: {e.EndPoint} {i.Layout.ToString().ToLowerInvariant()}, meters {i.FirstMeter}–{i.FirstMeter + i.MeterCount - 1} ({addressing})")).ConfigureAwait(false);
            }

            if (options.ManifestPath is { } manifest)
            {
                await using var file = File.Create(manifest);
                simulator.WriteManifestJson(file);
                await output.WriteLineAsync($"Manifest written to {manifest}.").ConfigureAwait(false);
            }

            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping is the normal end of a run.
            }

            if (options.TruthPath is { } truth)
            {
                await using var file = File.Create(truth);
                city.WriteTruthJson(file);
                await output.WriteLineAsync($"Truth written to {truth}.").ConfigureAwait(false);
            }
        }
    }
}

/// <summary>A running simulated city: the model (<see cref="City"/>: faults, events, truth) and its listening endpoints.</summary>
public sealed class RunningSimulator : IAsyncDisposable
{
    private readonly List<ConcentratorServer> _servers;

    internal RunningSimulator(SimulatedCity city, List<ConcentratorServer> servers)
    {
        City = city;
        _servers = servers;
        Endpoints = [.. city.Concentrators.Select((info, c) => new ConcentratorEndpoint(info, servers[c].LocalEndPoint))];
    }

    public SimulatedCity City { get; }

    /// <summary>One per concentrator, in index order.</summary>
    public IReadOnlyList<ConcentratorEndpoint> Endpoints { get; }

    /// <summary>Where meter <paramref name="meter"/> is reached: endpoint, unit id and block address.</summary>
    public (IPEndPoint EndPoint, MeterAddress Address) Locate(int meter)
    {
        var address = City.AddressOf(meter);
        return (Endpoints[address.Concentrator].EndPoint, address);
    }

    /// <summary>Writes the concentrator manifest (format: docs/simulator.md) for a poller in another process.</summary>
    public void WriteManifestJson(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("profile", City.Profile.Id);
        json.WriteString("simulatedStart", City.Clock.Start);
        json.WriteNumber("acceleration", City.Clock.Acceleration);
        json.WriteNumber("meters", City.MeterCount);
        json.WriteStartArray("concentrators");
        foreach (var e in Endpoints)
        {
            json.WriteStartObject();
            json.WriteNumber("index", e.Info.Index);
            json.WriteString("layout", e.Info.Layout == ConcentratorLayout.Gateway ? "gateway" : "table");
            json.WriteString("host", e.EndPoint.Address.ToString());
            json.WriteNumber("port", e.EndPoint.Port);
            json.WriteNumber("firstMeter", e.Info.FirstMeter);
            json.WriteNumber("meterCount", e.Info.MeterCount);
            if (e.Info.TableUnitId is { } unit)
            {
                json.WriteNumber("unitId", unit);
                json.WriteNumber("firstBlockAddress", e.Info.FirstBlockAddress!.Value);
                json.WriteNumber("stride", e.Info.Stride!.Value);
            }
            else
            {
                json.WriteNumber("firstUnitId", GatewayLayout.FirstUnitId);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
