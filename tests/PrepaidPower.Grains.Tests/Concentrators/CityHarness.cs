// A simulated city wired into a cluster: one account and meter grain per simulated meter, one concentrator grain per
// simulated concentrator, time driven by a fake clock shared with the simulator. Used by the cluster and end-to-end tests.
using Microsoft.Extensions.Time.Testing;
using PrepaidPower.Contracts;
using PrepaidPower.Contracts.Accounts;
using PrepaidPower.Contracts.Concentrators;
using PrepaidPower.Contracts.Meters;
using PrepaidPower.Modbus.Profiles;
using PrepaidPower.Simulator;

namespace PrepaidPower.Tests.Shared;

/// <summary>How the harness sets up each account.</summary>
internal sealed record CitySetup
{
    public required string TariffId { get; init; }

    /// <summary>Opening top-up of meter i's account, minor units (0 = none).</summary>
    public Func<int, long> TopUpMinor { get; init; } = _ => 1_000_000;

    public CreditPolicySpec? Policy { get; init; }

    public TimeSpan PollPeriod { get; init; } = TimeSpan.FromHours(1);

    public TimeSpan? RequestTimeout { get; init; }

    public string ProfileId { get; init; } = "prepaidpower-sim";

    /// <summary>Set-up calls in flight at once.</summary>
    public int Parallelism { get; init; } = 32;
}

internal sealed class CityHarness : IAsyncDisposable
{
    private CityHarness(IClusterClient client, FakeTimeProvider clock, RunningSimulator simulator, string prefix)
    {
        Client = client;
        Clock = clock;
        Sim = simulator;
        Prefix = prefix;
    }

    public IClusterClient Client { get; }

    public FakeTimeProvider Clock { get; }

    public RunningSimulator Sim { get; }

    public SimulatedCity City => Sim.City;

    public string Prefix { get; }

    public int MeterCount => City.MeterCount;

    public int ConcentratorCount => Sim.Endpoints.Count;

    public string MeterId(int meter) => $"{Prefix}-m{meter}";

    public string AccountId(int meter) => $"{Prefix}-a{meter}";

    public string ConcentratorId(int concentrator) => $"{Prefix}-c{concentrator}";

    public IMeterGrain Meter(int meter) => Client.GetGrain<IMeterGrain>(MeterId(meter));

    public IAccountGrain Account(int meter) => Client.GetGrain<IAccountGrain>(AccountId(meter));

    public IConcentratorGrain Concentrator(int concentrator) => Client.GetGrain<IConcentratorGrain>(ConcentratorId(concentrator));

    /// <summary>Starts the simulator on <paramref name="clock"/> (starting now) and registers everything in the cluster.</summary>
    public static async Task<CityHarness> StartAsync(IClusterClient client, FakeTimeProvider clock, SimulatorOptions options, CitySetup setup, Action<SimulatedCity>? prepare = null, string? prefix = null)
    {
        var simulator = await SimulatorHost.StartAsync(new SimulatorOptions
        {
            Meters = options.Meters,
            Concentrators = options.Concentrators,
            Layout = options.Layout,
            Seed = options.Seed,
            Mix = options.Mix,
            RolloverEvery = options.RolloverEvery,
            RolloverHeadroomWh = options.RolloverHeadroomWh,
            OverloadTripDelay = options.OverloadTripDelay,
            Profile = options.Profile,
            Start = clock.GetUtcNow(),
            TimeProvider = clock,
        });
        var harness = new CityHarness(client, clock, simulator, prefix ?? "t" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            prepare?.Invoke(simulator.City);
            await harness.RegisterAsync(setup);
        }
        catch
        {
            await harness.DisposeAsync();
            throw;
        }

        return harness;
    }

    private async Task RegisterAsync(CitySetup setup)
    {
        await ForEachAsync(Enumerable.Range(0, MeterCount), setup.Parallelism, async m =>
        {
            await Account(m).OpenAsync(new OpenAccountRequest
            {
                Currency = "CNY",
                TariffId = setup.TariffId,
                TimeZone = "Asia/Shanghai",
                CreditPolicy = setup.Policy,
                OperatorId = "op-test",
            });
            var (endPoint, address) = Sim.Locate(m);
            await Meter(m).RegisterAsync(new RegisterMeterRequest
            {
                Model = "SIM-1",
                MaxPowerKilowatts = 100m,
                ConcentratorAddress = $"{endPoint}/{Slot(m)}",
                OperatorId = "op-test",
            });
            await Meter(m).AttachAsync(new AttachMeterRequest { AccountId = AccountId(m), OperatorId = "op-test" });
            if (setup.TopUpMinor(m) is > 0 and var minor)
            {
                await TopUpAsync(m, minor, "open");
            }
        });

        for (var c = 0; c < ConcentratorCount; c++)
        {
            await Concentrator(c).RegisterAsync(Registration(c, setup));
        }
    }

    /// <summary>The registration of simulated concentrator <paramref name="c"/>.</summary>
    public ConcentratorRegistration Registration(int c, CitySetup setup)
    {
        var e = Sim.Endpoints[c];
        return new ConcentratorRegistration
        {
            Endpoint = e.EndPoint.ToString(),
            Layout = e.Info.Layout == ConcentratorLayout.Gateway ? "gateway" : "table",
            ProfileId = setup.ProfileId,
            PollPeriod = setup.PollPeriod,
            RequestTimeout = setup.RequestTimeout,
            Meters = [.. Enumerable.Range(e.Info.FirstMeter, e.Info.MeterCount).Select(m => new ConcentratorMeter { Slot = Slot(m), MeterId = MeterId(m) })],
            OperatorId = "op-test",
        };
    }

    /// <summary>Gateway: the unit id; table: the block index.</summary>
    public int Slot(int meter)
    {
        var a = City.AddressOf(meter);
        var info = Sim.Endpoints[a.Concentrator].Info;
        return a.Layout == ConcentratorLayout.Gateway ? a.UnitId : meter - info.FirstMeter;
    }

    public Task<PaymentReceipt> TopUpAsync(int meter, long minor, string tag) =>
        Account(meter).TopUpAsync(new PaymentRequest { Id = $"{AccountId(meter)}-{tag}", Amount = new MoneyAmount(minor, "CNY"), Channel = "test" });

    /// <summary>Polls every concentrator once, all at the same time.</summary>
    public async Task<PollSummary[]> PollAllAsync() =>
        await Task.WhenAll(Enumerable.Range(0, ConcentratorCount).Select(c => Concentrator(c).PollNowAsync()));

    /// <summary>Moves simulated (and domain) time forward, then polls every concentrator.</summary>
    public async Task<PollSummary[]> StepAsync(TimeSpan step)
    {
        Clock.Advance(step);
        return await PollAllAsync();
    }

    public static async Task ForEachAsync<T>(IEnumerable<T> items, int parallelism, Func<T, Task> action)
    {
        using var gate = new SemaphoreSlim(parallelism);
        await Task.WhenAll(items.Select(async item =>
        {
            await gate.WaitAsync();
            try
            {
                await action(item);
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    /// <summary>Awaits a condition with a real-time deadline (for work the cluster does on its own, e.g. a command run at once).</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out after {timeout.TotalSeconds:0} s waiting until {what}.");
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        for (var c = 0; c < ConcentratorCount; c++)
        {
            try
            {
                await Concentrator(c).UnregisterAsync("op-test");
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Best effort: the cluster may be gone already.
            }
        }

        await Sim.DisposeAsync();
    }
}
