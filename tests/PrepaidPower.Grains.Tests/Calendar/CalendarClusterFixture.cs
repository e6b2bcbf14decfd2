using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using PrepaidPower.Contracts;
using PrepaidPower.Contracts.Accounts;
using PrepaidPower.Contracts.Calendar;
using PrepaidPower.Contracts.Meters;
using PrepaidPower.Contracts.Tariffs;
using PrepaidPower.Domain.Ledger;
using PrepaidPower.Grains.Calendar;
using PrepaidPower.Persistence.Ledger;

namespace PrepaidPower.Grains.Tests.Calendar;

/// <summary>
/// A one-silo cluster whose accounts use the shared protection calendar as shipped (no override, the default calendar
/// never set at start), with its own fake clock so its tests can move to a Saturday night without disturbing the main
/// cluster. One instance per collection: <see cref="CalendarCollection"/> changes the default calendar,
/// <see cref="DefaultCalendarCollection"/> never does.
/// </summary>
public sealed class CalendarClusterFixture : IAsyncLifetime
{
    public const string ShanghaiTou = "shanghai-residential-tou";
    public const string ClockKey = "CalendarTests:Clock";

    public static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    /// <summary>The silo configurator is created by type, so it finds this fixture's clock and ledger here by key.</summary>
    private static readonly ConcurrentDictionary<string, (FakeTimeProvider Time, InMemoryLedgerStore Ledger)> Instances = new();

    private readonly string key = Guid.NewGuid().ToString("N");

    /// <summary>Starts at Tuesday 2025-07-01 00:00 in Shanghai; only ever moves forward.</summary>
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 6, 30, 16, 0, 0, TimeSpan.Zero));

    public InMemoryLedgerStore Ledger { get; } = new();

    public TestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public IProtectionCalendarGrain DefaultCalendar => Client.GetGrain<IProtectionCalendarGrain>(IProtectionCalendarGrain.DefaultId);

    /// <summary>The cache of the (only) silo, where every account lives.</summary>
    public ProtectionCalendarCache Cache => ((InProcessSiloHandle)Cluster.Primary!).SiloHost!.Services.GetRequiredService<ProtectionCalendarCache>();

    public async Task InitializeAsync()
    {
        Instances[key] = (Time, Ledger);
        var builder = new TestClusterBuilder(1);
        builder.Properties[ClockKey] = key;
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        var json = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "tariffs", ShanghaiTou + ".json"));
        await Client.GetGrain<ITariffGrain>(ShanghaiTou).CreateAsync(json, "op-test");
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        Instances.TryRemove(key, out _);
    }

    /// <summary>The next <paramref name="day"/> at local (Shanghai) <paramref name="hour"/>, at least two days from now, as UTC.</summary>
    public DateTimeOffset Next(DayOfWeek day, double hour)
    {
        var date = TimeZoneInfo.ConvertTime(Time.GetUtcNow(), Shanghai).Date.AddDays(2);
        while (date.DayOfWeek != day)
        {
            date = date.AddDays(1);
        }
        return new DateTimeOffset(date, TimeSpan.FromHours(8)).AddHours(hour).ToUniversalTime();
    }

    /// <summary>Moves the clock forward to <paramref name="instant"/> (never back).</summary>
    public void ClockTo(DateTimeOffset instant)
    {
        Assert.True(instant >= Time.GetUtcNow(), $"The clock only moves forward: {instant:O} is before {Time.GetUtcNow():O}.");
        Time.SetUtcNow(instant);
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var (time, ledger) = Instances[siloBuilder.Configuration[ClockKey]!];
            siloBuilder
                .AddMemoryGrainStorageAsDefault()
                .AddMemoryGrainStorage(PrepaidPowerGrainOptions.AccountStorage)
                .AddMemoryGrainStorage(PrepaidPowerGrainOptions.MeterStorage)
                .UseInMemoryReminderService()
                .AddPrepaidPowerGrains(o =>
                {
                    o.Time = time;
                    o.PublishEvents = false;
                    o.ProtectionCalendarCheck = TimeSpan.FromMinutes(1);
                });
            siloBuilder.Services.AddSingleton<ILedgerStore>(ledger);
        }
    }
}

/// <summary>Tests that change the default calendar (each sets what it needs first) or use calendars of their own.</summary>
[CollectionDefinition(Name)]
public sealed class CalendarCollection : ICollectionFixture<CalendarClusterFixture>
{
    public const string Name = "calendar cluster";
}

/// <summary>Tests that rely on the default calendar never having been set.</summary>
[CollectionDefinition(Name)]
public sealed class DefaultCalendarCollection : ICollectionFixture<CalendarClusterFixture>
{
    public const string Name = "default calendar cluster";
}

/// <summary>An account with one meter in Shanghai on the TOU tariff (peak 06:00–22:00 at 0.617/kWh), in a calendar cluster.</summary>
internal sealed class CalendarScenario(CalendarClusterFixture fixture)
{
    /// <summary>No notice, no grace, no emergency credit: the cut is due the moment the balance goes below zero.</summary>
    public static readonly CreditPolicySpec NoGrace = new() { NoticePeriod = TimeSpan.Zero, GracePeriod = TimeSpan.Zero, EmergencyCreditLimitMinor = 0 };

    public string AccountId { get; } = "acc-" + Guid.NewGuid().ToString("N")[..12];

    public string MeterId { get; } = "met-" + Guid.NewGuid().ToString("N")[..12];

    public IAccountGrain Account => fixture.Client.GetGrain<IAccountGrain>(AccountId);

    public IMeterGrain Meter => fixture.Client.GetGrain<IMeterGrain>(MeterId);

    private long registerWh = 1_000_000;

    /// <summary>Opens the account, attaches a meter, tops up <paramref name="topUpMinor"/> and takes a first reading at <paramref name="at"/>.</summary>
    public async Task StartAsync(DateTimeOffset at, long topUpMinor, CreditPolicySpec policy)
    {
        fixture.ClockTo(at);
        await Account.OpenAsync(new OpenAccountRequest
        {
            Currency = "CNY",
            TariffId = CalendarClusterFixture.ShanghaiTou,
            TimeZone = "Asia/Shanghai",
            CreditPolicy = policy,
            OperatorId = "op-1",
        });
        await Meter.RegisterAsync(new RegisterMeterRequest { Model = "Acrel DTSD1352", MaxPowerKilowatts = 50m, ConcentratorAddress = "127.0.0.1:502/7", OperatorId = "op-1" });
        await Meter.AttachAsync(new AttachMeterRequest { AccountId = AccountId, OperatorId = "op-1" });
        await Account.TopUpAsync(new PaymentRequest { Id = "pay-" + AccountId, Amount = new MoneyAmount(topUpMinor, "CNY"), Channel = "wechat" });
        Assert.Equal("Baseline", (await ReadAsync(at, 0)).Outcome);
    }

    /// <summary>At <paramref name="at"/>: a fresh relay status (so a cut may be sent), then a reading <paramref name="addWh"/> further on.</summary>
    public async Task<ReadingResult> ReadAsync(DateTimeOffset at, long addWh)
    {
        fixture.ClockTo(at);
        await Meter.ReportRelayStatusAsync(new RelayReading { Closed = true, At = at });
        registerWh += addWh;
        return await Meter.ReportReadingAsync(new ReadingReport { MeterTime = at, ReceivedAt = at, TotalWh = registerWh });
    }

    public async Task<AccountEvent> LastEventAsync(string code) =>
        (await Account.GetRecentEventsAsync(32)).Last(e => e.Code == code);
}
