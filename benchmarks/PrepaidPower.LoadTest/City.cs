using PrepaidPower.Contracts;
using PrepaidPower.Contracts.Accounts;
using PrepaidPower.Contracts.Concentrators;
using PrepaidPower.Contracts.Meters;
using PrepaidPower.Modbus.Profiles;
using PrepaidPower.Simulator;

namespace PrepaidPower.LoadTest;

/// <summary>The simulated city's ids and registrations in the cluster (the same shape as the tests' CityHarness).</summary>
internal sealed class City(IGrainFactory grains, RunningSimulator sim, string prefix)
{
    public RunningSimulator Sim => sim;

    public string MeterId(int m) => $"{prefix}-m{m}";

    public string AccountId(int m) => $"{prefix}-a{m}";

    public IMeterGrain Meter(int m) => grains.GetGrain<IMeterGrain>(MeterId(m));

    public IAccountGrain Account(int m) => grains.GetGrain<IAccountGrain>(AccountId(m));

    public IConcentratorGrain Concentrator(int c) => grains.GetGrain<IConcentratorGrain>($"{prefix}-c{c}");

    public async Task RegisterAsync(int m, long openingMinor)
    {
        await Account(m).OpenAsync(new OpenAccountRequest
        {
            Currency = "CNY",
            TariffId = "shanghai-residential",
            TimeZone = "Asia/Shanghai",
            // No notice or grace (and no protected windows in the harness): the reading that exhausts the credit makes
            // the cut due at once, so the cutoff latency measures the platform, not the policy.
            CreditPolicy = new CreditPolicySpec { NoticePeriod = TimeSpan.Zero, GracePeriod = TimeSpan.Zero, EmergencyCreditLimitMinor = 0 },
            OperatorId = "loadtest",
        });
        var (endPoint, _) = sim.Locate(m);
        await Meter(m).RegisterAsync(new RegisterMeterRequest
        {
            Model = "SIM-1",
            MaxPowerKilowatts = 100m,
            ConcentratorAddress = $"{endPoint}/{Slot(m)}",
            OperatorId = "loadtest",
        });
        await Meter(m).AttachAsync(new AttachMeterRequest { AccountId = AccountId(m), OperatorId = "loadtest" });
        await TopUpAsync(m, openingMinor, "open");
    }

    public ConcentratorRegistration Registration(int c, TimeSpan pollPeriod)
    {
        var e = sim.Endpoints[c];
        return new ConcentratorRegistration
        {
            Endpoint = e.EndPoint.ToString(),
            Layout = e.Info.Layout == ConcentratorLayout.Gateway ? "gateway" : "table",
            ProfileId = sim.City.Profile.Id,
            PollPeriod = pollPeriod,
            Meters = [.. Enumerable.Range(e.Info.FirstMeter, e.Info.MeterCount).Select(m => new ConcentratorMeter { Slot = Slot(m), MeterId = MeterId(m) })],
            OperatorId = "loadtest",
        };
    }

    /// <summary>Gateway: the unit id; table: the block index.</summary>
    public int Slot(int m)
    {
        var a = sim.City.AddressOf(m);
        var info = sim.Endpoints[a.Concentrator].Info;
        return a.Layout == ConcentratorLayout.Gateway ? a.UnitId : m - info.FirstMeter;
    }

    public Task<PaymentReceipt> TopUpAsync(int m, long minor, string tag) =>
        Account(m).TopUpAsync(new PaymentRequest { Id = $"{AccountId(m)}-{tag}", Amount = new MoneyAmount(minor, "CNY"), Channel = "loadtest", OperatorId = "loadtest" });

    public async Task<PollSummary[]> PollAllAsync() =>
        await Task.WhenAll(Enumerable.Range(0, sim.Endpoints.Count).Select(c => Concentrator(c).PollNowAsync()));
}
