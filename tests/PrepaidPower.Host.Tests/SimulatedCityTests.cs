using PrepaidPower.Contracts.Accounts;
using PrepaidPower.Contracts.Concentrators;
using PrepaidPower.Host.Hosting;

namespace PrepaidPower.Host.Tests;

/// <summary>The main job's live city: simulated concentrators polled over real Modbus TCP and their accounts billed.</summary>
[Trait("Category", "Integration")]
public sealed class SimulatedCityTests : IAsyncLifetime
{
    private readonly string _workingDirectory = Directory.CreateTempSubdirectory("city-host-").FullName;
    private PrepaidPowerRunningHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await PrepaidPowerHost.StartAsync(new PrepaidPowerHostOptions
        {
            Storage = StorageMode.InMemory,
            WorkingDirectory = _workingDirectory,
            HttpPort = 0,
            SiloPort = 0,
            GatewayPort = 0,
            ClusterId = "city-tests",
            CityMeters = 24,
            CityConcentrators = 2,
            CitySpeed = 600,
            CityPollPeriod = TimeSpan.FromSeconds(1),
        });

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_workingDirectory, recursive: true);
    }

    [Fact]
    public async Task Run_WithCity_ConcentratorsOnlineAndEveryMeterBilledFromItsRegisters()
    {
        var city = Assert.IsType<PrepaidPower.Simulator.RunningSimulator>(_host.City);
        var grains = (IGrainFactory)_host.Services.GetService(typeof(IGrainFactory))!;
        var record = await File.ReadAllTextAsync(Path.Combine(_workingDirectory, ".prepaidpower", "city.json"));
        var prefix = System.Text.Json.JsonDocument.Parse(record).RootElement.GetProperty("Prefix").GetString()!;

        // Await (with a deadline, no fixed sleep) two polls per concentrator and energy billed on every account.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var statuses = await Task.WhenAll(Enumerable.Range(0, 2).Select(c => grains.GetGrain<IConcentratorGrain>($"{prefix}-c{c}").GetStatusAsync()));
            var balances = await Task.WhenAll(Enumerable.Range(0, city.City.MeterCount).Select(m => grains.GetGrain<IAccountGrain>($"{prefix}-a{m}").GetBalanceAsync()));
            if (statuses.All(s => s.Counters.ReadingsReported >= 2 * s.MeterCount && s.Health == "Online")
                && balances.All(b => b.BilledEnergyWh > 0))
            {
                foreach (var (b, m) in balances.Select((b, m) => (b, m)))
                {
                    // Billed energy never exceeds what the simulated meter truly used (the last poll may lag the truth).
                    Assert.True(b.BilledEnergyWh <= city.City.GetTruth(m).TrueWh, $"account {m} billed {b.BilledEnergyWh} Wh of {city.City.GetTruth(m).TrueWh}");
                }
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, "the city's concentrators did not come online and bill every meter within 60 s: "
                + string.Join("; ", statuses.Select(s => $"{s.ConcentratorId} {s.Health} {s.HealthReason} readings={s.Counters.ReadingsReported}")));
            await Task.Delay(200);
        }
    }
}
