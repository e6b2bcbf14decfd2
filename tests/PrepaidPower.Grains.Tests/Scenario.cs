using PrepaidPower.Contracts;
using PrepaidPower.Contracts.Accounts;
using PrepaidPower.Contracts.Meters;

namespace PrepaidPower.Grains.Tests;

/// <summary>Builds accounts and meters with fresh ids and drives the fake clock forward (it never goes back).</summary>
internal sealed class Scenario(ClusterFixture fixture)
{
    public static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    public IClusterClient Client => fixture.Client;

    public string AccountId { get; } = "acc-" + Guid.NewGuid().ToString("N")[..12];

    public string MeterId { get; } = "met-" + Guid.NewGuid().ToString("N")[..12];

    public IAccountGrain Account => Client.GetGrain<IAccountGrain>(AccountId);

    public IMeterGrain Meter => Client.GetGrain<IMeterGrain>(MeterId);

    /// <summary>Local midnight (Shanghai) of the day after the fake clock's current local day, as UTC.</summary>
    public static DateTimeOffset NextLocalMidnight()
    {
        var local = TimeZoneInfo.ConvertTime(ClusterFixture.Time.GetUtcNow(), Shanghai);
        var midnight = new DateTimeOffset(local.Date.AddDays(1), TimeSpan.FromHours(8));
        return midnight.ToUniversalTime();
    }

    /// <summary>Moves the fake clock to <paramref name="instant"/> if it is later than now.</summary>
    public static void ClockTo(DateTimeOffset instant)
    {
        if (instant > ClusterFixture.Time.GetUtcNow())
        {
            ClusterFixture.Time.SetUtcNow(instant);
        }
    }

    public async Task OpenAsync(CreditPolicySpec? policy = null) =>
        await Account.OpenAsync(new OpenAccountRequest
        {
            Currency = "CNY",
            TariffId = ClusterFixture.ShanghaiTou,
            TimeZone = "Asia/Shanghai",
            HouseholdSize = 3,
            CreditPolicy = policy,
            Contact = new ContactDetails { Phone = "+8613800000000", Language = "zh-CN" },
            OperatorId = "op-1",
        });

    public async Task RegisterAndAttachAsync(string? meterId = null)
    {
        var meter = Client.GetGrain<IMeterGrain>(meterId ?? MeterId);
        await meter.RegisterAsync(new RegisterMeterRequest
        {
            Model = "Acrel DTSD1352",
            MaxPowerKilowatts = 50m,
            ConcentratorAddress = "127.0.0.1:502/7",
            OperatorId = "op-1",
        });
        await meter.AttachAsync(new AttachMeterRequest { AccountId = AccountId, OperatorId = "op-1" });
    }

    public Task<PaymentReceipt> TopUpAsync(string paymentId, long minor) =>
        Account.TopUpAsync(new PaymentRequest { Id = paymentId, Amount = new MoneyAmount(minor, "CNY"), Channel = "wechat" });

    /// <summary>Reports a reading received at <paramref name="at"/> (the clock moves there first).</summary>
    public async Task<ReadingResult> ReadAsync(DateTimeOffset at, long totalWh, IMeterGrain? meter = null)
    {
        ClockTo(at);
        return await (meter ?? Meter).ReportReadingAsync(new ReadingReport { MeterTime = at, ReceivedAt = at, TotalWh = totalWh });
    }

    public async Task<IReadOnlyList<Domain.Ledger.LedgerEntry>> LedgerAsync() =>
        await ClusterFixture.Ledger.ReadAsync(AccountId, 0, 10_000);
}
