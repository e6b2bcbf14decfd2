using PrepaidPower.Contracts;
using PrepaidPower.Contracts.Accounts;
using PrepaidPower.Contracts.Meters;

namespace PrepaidPower.Grains.Tests.Accounts;

/// <summary>
/// The account's supply orders against meters that are busy billing through the same account. Before the account
/// stopped awaiting its meters inside its turn, a payment's orders and a meter's usage report waited for each other
/// until the response timeout (3 s here).
/// </summary>
[Collection(ShortTimeoutClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class AccountGrainSupplyOrderTests(ShortTimeoutClusterFixture fixture)
{
    private const int Meters = 3;
    private const int Rounds = 12;

    /// <summary>Limit as soon as the balance is in arrears, lift it at 1.00: every payment below changes the supply.</summary>
    private static readonly CreditPolicySpec LimitAtOnce = new()
    {
        ArrearsMode = "LimitOnly",
        NoticePeriod = TimeSpan.Zero,
        GracePeriod = TimeSpan.Zero,
        EmergencyCreditLimitMinor = 0,
    };

    private IClusterClient Client => fixture.Client;

    [Fact]
    public async Task PaymentsWhileMetersReport_EveryCallSucceeds_AndTheMetersEndConnected()
    {
        var id = Guid.NewGuid().ToString("N")[..10];
        var account = Client.GetGrain<IAccountGrain>("acc-" + id);
        var meters = Enumerable.Range(0, Meters).Select(i => Client.GetGrain<IMeterGrain>($"met-{id}-{i}")).ToArray();
        await account.OpenAsync(new OpenAccountRequest
        {
            Currency = "CNY",
            TariffId = ShortTimeoutClusterFixture.Tariff,
            TimeZone = "Asia/Shanghai",
            HouseholdSize = 3,
            CreditPolicy = LimitAtOnce,
            OperatorId = "op-1",
        });
        var registers = new long[Meters];
        for (var i = 0; i < Meters; i++)
        {
            await meters[i].RegisterAsync(new RegisterMeterRequest { Model = "sim", MaxPowerKilowatts = 50m, ConcentratorAddress = "127.0.0.1:502/" + (i + 1), OperatorId = "op-1" });
            await meters[i].AttachAsync(new AttachMeterRequest { AccountId = account.GetPrimaryKeyString(), OperatorId = "op-1" });
            registers[i] = 1_000_000;
            await ReadAsync(meters[i], registers[i]);
        }
        await TopUpAsync(account, $"pay-{id}-0", 20_000);

        // The orders reach the meters although nothing waits for them: a limit after a debit, a lift after a top-up.
        await AdjustAsync(account, $"adj-{id}-0", -40_000);
        await EventuallyAsync(meters, v => v is { Status: "LimitRequested", Pending.Kind: "SetLimit" });
        await TopUpAsync(account, $"pay-{id}-1", 40_000);
        await EventuallyAsync(meters, v => v is { Status: "ReconnectRequested", Pending.Kind: "Close" });

        // Now the same while every meter keeps reporting (a limited supply still consumes): each reading's turn awaits
        // the account, and each payment's turn gives orders to every meter.
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, Meters).Select(i => Task.Run(async () =>
        {
            var reports = 0;
            while (!stop.IsCancellationRequested || reports == 0)
            {
                registers[i] += 10;
                await ReadAsync(meters[i], registers[i]);
                reports++;
            }

            return reports;
        })).ToArray();
        var payments = Task.Run(async () =>
        {
            for (var round = 1; round <= Rounds; round++)
            {
                await AdjustAsync(account, $"adj-{id}-{round}", -40_000);
                await TopUpAsync(account, $"pay-{id}-r{round}", 40_000);
            }
        });
        try
        {
            await payments;
        }
        finally
        {
            await stop.CancelAsync();
        }

        var reported = await Task.WhenAll(readers);
        Assert.All(reported, n => Assert.True(n > 0));
        var balance = await account.GetBalanceAsync();
        Assert.Equal("InCredit", balance.CreditStatus);
        // 200.00 in, 400.00 − 400.00 per round: what is left above 200.00 − 400.00 + 400.00 is what the meters used.
        Assert.InRange(balance.Balance.Minor, 1, 20_000);

        // The last order every meter got is the reconnect; the device path confirms it: connected, no limit.
        var views = await EventuallyAsync(meters, v => v is { Status: "ReconnectRequested", Pending.Kind: "Close" });
        for (var i = 0; i < Meters; i++)
        {
            await meters[i].ConfirmCommandAsync(views[i].Pending!.CommandId, new RelayReading { Closed = true, At = ShortTimeoutClusterFixture.Time.GetUtcNow() });
            var supply = await meters[i].GetSupplyAsync();
            Assert.Equal(("Connected", (decimal?)null, (PendingCommandView?)null), (supply.Status, supply.LimitKilowatts, supply.Pending));
        }
    }

    private static Task<ReadingResult> ReadAsync(IMeterGrain meter, long totalWh)
    {
        // Ten seconds per reading: 10 Wh in 10 s is 3.6 kW, well inside the meters' 50 kW.
        var at = ShortTimeoutClusterFixture.Time.GetUtcNow();
        ShortTimeoutClusterFixture.Time.Advance(TimeSpan.FromSeconds(10));
        return meter.ReportReadingAsync(new ReadingReport { MeterTime = at, ReceivedAt = at, TotalWh = totalWh });
    }

    private static Task<PaymentReceipt> TopUpAsync(IAccountGrain account, string paymentId, long minor) =>
        account.TopUpAsync(new PaymentRequest { Id = paymentId, Amount = new MoneyAmount(minor, "CNY"), Channel = "wechat" });

    private static Task<PaymentReceipt> AdjustAsync(IAccountGrain account, string paymentId, long minor) =>
        account.AdjustAsync(new PaymentRequest { Id = paymentId, Amount = new MoneyAmount(minor, "CNY"), Channel = "operator", Reason = "test debit", OperatorId = "op-1" });

    /// <summary>Polls every meter's supply until all match (orders arrive after the payment returns), at most 20 s.</summary>
    private static async Task<SupplyView[]> EventuallyAsync(IMeterGrain[] meters, Func<SupplyView, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var views = await Task.WhenAll(meters.Select(m => m.GetSupplyAsync()));
            if (views.All(condition))
            {
                return views;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Supply not reached within 20 s: {string.Join("; ", views.Select(v => $"{v.Status} {v.Pending?.Kind}"))}.");
            await Task.Delay(20);
        }
    }
}
