// The main job's live city: simulated meters behind Modbus TCP concentrators, registered in the cluster as accounts,
// meters and concentrators so that a newcomer sees readings rated, alarms, limits, cuts and reconnections.
using System.Globalization;
using System.Text.Json;
using PrepaidPower.Contracts;
using PrepaidPower.Contracts.Accounts;
using PrepaidPower.Contracts.Concentrators;
using PrepaidPower.Contracts.Errors;
using PrepaidPower.Contracts.Meters;
using PrepaidPower.Host.Hosting;
using PrepaidPower.Modbus.Profiles;
using PrepaidPower.Simulator;

namespace PrepaidPower.Host.Seeding;

/// <summary>Starts the simulated city and registers it; each run is a fresh city whose ids carry the run's stamp.</summary>
internal static class CitySeeder
{
    public const string OperatorId = "city-seed";
    private const string TariffId = "shanghai-residential-tou";
    private const string StateFile = "city.json";

    public static async Task<(RunningSimulator Simulator, string Prefix)> StartAsync(
        IGrainFactory grains, PrepaidPowerHostOptions options, AcceleratedTimeProvider clock, ILogger logger, CancellationToken cancellationToken)
    {
        await RetirePreviousCityAsync(grains, options, logger);
        var simulator = await SimulatorHost.StartAsync(new SimulatorOptions
        {
            Meters = options.CityMeters,
            // A gateway serves at most 247 unit ids: keep at least one concentrator per 200 meters.
            Concentrators = Math.Max(options.CityConcentrators, (options.CityMeters + 199) / 200),
            Layout = SimulatedLayouts.Alternate,
            Start = clock.GetUtcNow(), // the city and the grains then share one simulated now
            Acceleration = clock.Acceleration,
            Seed = 7,
        }, cancellationToken);
        try
        {
            var prefix = "city" + clock.Start.ToString("yyMMddHHmmss", CultureInfo.InvariantCulture);
            var city = simulator.City;
            using var gate = new SemaphoreSlim(16);
            await Task.WhenAll(Enumerable.Range(0, city.MeterCount).Select(async m =>
            {
                await gate.WaitAsync(cancellationToken);
                try
                {
                    await RegisterMeterAsync(grains, simulator, prefix, m);
                }
                finally
                {
                    gate.Release();
                }
            }));
            var concentrators = new List<string>();
            for (var c = 0; c < simulator.Endpoints.Count; c++)
            {
                var e = simulator.Endpoints[c];
                var id = $"{prefix}-c{c}";
                await grains.GetGrain<IConcentratorGrain>(id).RegisterAsync(new ConcentratorRegistration
                {
                    Endpoint = e.EndPoint.ToString(),
                    Layout = e.Info.Layout == ConcentratorLayout.Gateway ? "gateway" : "table",
                    ProfileId = city.Profile.Id,
                    PollPeriod = options.CityPollPeriod,
                    Meters = [.. Enumerable.Range(e.Info.FirstMeter, e.Info.MeterCount).Select(m => new ConcentratorMeter { Slot = Slot(simulator, m), MeterId = $"{prefix}-m{m}" })],
                    OperatorId = OperatorId,
                });
                concentrators.Add(id);
            }
            await File.WriteAllTextAsync(Path.Combine(options.StateDirectory, StateFile),
                JsonSerializer.Serialize(new CityRecord(prefix, concentrators)), cancellationToken);
            HostLog.CityStarted(logger, city.MeterCount, simulator.Endpoints.Count, prefix, clock.Acceleration);
            return (simulator, prefix);
        }
        catch
        {
            await simulator.DisposeAsync();
            throw;
        }
    }

    private static async Task RegisterMeterAsync(IGrainFactory grains, RunningSimulator simulator, string prefix, int m)
    {
        var accountId = $"{prefix}-a{m}";
        var meterId = $"{prefix}-m{m}";
        var account = grains.GetGrain<IAccountGrain>(accountId);
        await account.OpenAsync(new OpenAccountRequest
        {
            Currency = "CNY",
            TariffId = TariffId,
            TimeZone = "Asia/Shanghai",
            OperatorId = OperatorId,
            CreditPolicy = DemoPolicy(m),
        });
        var (endPoint, _) = simulator.Locate(m);
        var meter = grains.GetGrain<IMeterGrain>(meterId);
        await meter.RegisterAsync(new RegisterMeterRequest
        {
            Model = simulator.City.Profile.Id,
            MaxPowerKilowatts = 100m,
            ConcentratorAddress = $"{endPoint}/{Slot(simulator, m)}",
            OperatorId = OperatorId,
        });
        await meter.AttachAsync(new AttachMeterRequest { AccountId = accountId, OperatorId = OperatorId });
        // One account in eight starts nearly empty, so cuts and reconnections show within minutes; the rest 60–150 CNY.
        var minor = m % 8 == 0 ? 300 : 6_000 + (m * 37 % 9_000);
        await account.TopUpAsync(new PaymentRequest { Id = $"{accountId}-opening", Amount = new MoneyAmount(minor, "CNY"), Channel = "city-seed", OperatorId = OperatorId });
    }

    /// <summary>
    /// The city's credit policy: the product's rules with notice and grace shortened to hours of city time, so that
    /// notices, limits, deferred and real cuts and reconnections all show within minutes; every fourth account is
    /// limited step by step (floor 1 kW) before it is cut.
    /// </summary>
    private static CreditPolicySpec DemoPolicy(int m) => new()
    {
        EmergencyCreditAutomatic = true,
        NoticePeriod = TimeSpan.FromHours(2),
        GracePeriod = TimeSpan.FromHours(1),
        ArrearsMode = m % 4 == 0 ? "LimitThenDisconnect" : "DisconnectAfterNotice",
        LimitStepDays = 1,
    };

    /// <summary>
    /// The city's customers pay: every <paramref name="period"/>, each disconnected city account is topped up with
    /// 100 CNY (a payment id per account and round, so a retry never pays twice), which reconnects it.
    /// </summary>
    public static async Task PayArrearsAsync(IGrainFactory grains, string prefix, int meters, TimeSpan period, ILogger logger, CancellationToken cancellationToken)
    {
        var round = 0;
        using var timer = new PeriodicTimer(period);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            round++;
            for (var m = 0; m < meters && !cancellationToken.IsCancellationRequested; m++)
            {
                var account = grains.GetGrain<IAccountGrain>($"{prefix}-a{m}");
                try
                {
                    if ((await account.GetBalanceAsync()).CreditStatus is "Disconnected" or "DisconnectionDue")
                    {
                        await account.TopUpAsync(new PaymentRequest { Id = $"{prefix}-a{m}-pay-{round}", Amount = new MoneyAmount(10_000, "CNY"), Channel = "city-customer", OperatorId = OperatorId });
                    }
                }
                catch (Exception e) when (e is PrepaidPowerException or TimeoutException or OrleansException)
                {
                    HostLog.SeedFailed(logger, $"{prefix}-a{m}", e.Message);
                }
            }
        }
    }

    /// <summary>Gateway: the unit id; table: the block index.</summary>
    private static int Slot(RunningSimulator simulator, int meter)
    {
        var a = simulator.City.AddressOf(meter);
        return a.Layout == ConcentratorLayout.Gateway ? a.UnitId : meter - simulator.Endpoints[a.Concentrator].Info.FirstMeter;
    }

    /// <summary>The previous run's simulator is gone: stop its concentrators polling dead ports (their accounts stay, for the record).</summary>
    private static async Task RetirePreviousCityAsync(IGrainFactory grains, PrepaidPowerHostOptions options, ILogger logger)
    {
        var file = Path.Combine(options.StateDirectory, StateFile);
        if (!File.Exists(file))
        {
            return;
        }
        try
        {
            var previous = JsonSerializer.Deserialize<CityRecord>(await File.ReadAllTextAsync(file));
            foreach (var id in previous?.Concentrators ?? [])
            {
                await grains.GetGrain<IConcentratorGrain>(id).UnregisterAsync(OperatorId);
            }
        }
        catch (Exception e) when (e is JsonException or PrepaidPowerException or IOException)
        {
            HostLog.SeedFailed(logger, file, e.Message);
        }
    }

    private sealed record CityRecord(string Prefix, IReadOnlyList<string> Concentrators);
}
