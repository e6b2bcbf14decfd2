using System.Collections.Concurrent;
using Orleans.Streams;
using PrepaidPower.Contracts.Accounts;
using PrepaidPower.Contracts.Errors;
using PrepaidPower.Contracts.Meters;
using PrepaidPower.Domain.Credit;

namespace PrepaidPower.Grains.Tests;

[Collection(ClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class CreditAndSupplyTests(ClusterFixture fixture)
{
    private static readonly CreditPolicySpec NoGrace = new()
    {
        NoticePeriod = TimeSpan.Zero,
        GracePeriod = TimeSpan.Zero,
        EmergencyCreditLimitMinor = 0,
    };

    [Fact]
    public async Task BalanceFalls_EventsOnStreamAndDisconnectPendingAtMeter_TopUpReconnects()
    {
        var s = new Scenario(fixture);
        await s.OpenAsync(NoGrace);
        await s.RegisterAndAttachAsync();
        var events = new ConcurrentQueue<AccountEvent>();
        var stream = fixture.Client.GetStreamProvider(AccountEventStream.ProviderName)
            .GetStream<AccountEvent>(StreamId.Create(AccountEventStream.Namespace, s.AccountId));
        var subscription = await stream.SubscribeAsync((e, _) =>
        {
            events.Enqueue(e);
            return Task.CompletedTask;
        });

        await s.TopUpAsync("pay-1-" + s.AccountId, 1_000);
        var day = Scenario.NextLocalMidnight();
        await s.ReadAsync(day.AddHours(6), 1_000_000);
        Scenario.ClockTo(day.AddHours(6.9));
        await s.Meter.ReportRelayStatusAsync(new RelayReading { Closed = true, At = day.AddHours(6.9) }); // fresh status: a cut may go ahead
        var result = await s.ReadAsync(day.AddHours(7), 1_020_000); // 20 kWh peak = 12.34 → balance −2.34

        Assert.Equal(1_234, result.ChargedMinor);
        var balance = await s.Account.GetBalanceAsync();
        Assert.Equal((-234L, "DisconnectionDue"), (balance.Balance.Minor, balance.CreditStatus));
        var supply = await s.Meter.GetSupplyAsync();
        Assert.Equal("DisconnectRequested", supply.Status);
        var pending = Assert.IsType<PendingCommandView>(supply.Pending);
        Assert.Equal("Open", pending.Kind);
        await WaitForAsync(() => events.Any(e => e.Code == CreditEventCodes.DisconnectionDue));
        Assert.Equal(
            [CreditEventCodes.ArrearsNoticeServed, CreditEventCodes.DisconnectionDue],
            events.Select(e => e.Code));
        Assert.All(events, e => Assert.Equal("zh-CN", e.Language));

        // The concentrator confirms the relay is open: meter Disconnected, account Disconnected.
        await s.Meter.ConfirmCommandAsync(pending.CommandId, new RelayReading { Closed = false, At = day.AddHours(7) });
        Assert.Equal("Disconnected", (await s.Meter.GetSupplyAsync()).Status);
        Assert.Equal("Disconnected", (await s.Account.GetBalanceAsync()).CreditStatus);

        // A top-up above the reconnect threshold (1.00) reconnects: the close command waits for the concentrator.
        await s.TopUpAsync("pay-2-" + s.AccountId, 2_000);
        Assert.Equal("LowCredit", (await s.Account.GetBalanceAsync()).CreditStatus); // 17.66 is below the first alarm level (20.00)
        var reconnect = await SupplyAsync(s.Meter, v => v.Status != "Disconnected"); // the order follows the committed top-up
        Assert.Equal(("ReconnectRequested", "Close"), (reconnect.Status, reconnect.Pending?.Kind));
        await WaitForAsync(() => events.Any(e => e.Code == CreditEventCodes.Reconnected));
        Assert.Contains(events, e => e.Code == CreditEventCodes.Disconnected);
        Assert.Contains(events, e => e.Code == CreditEventCodes.ArrearsCleared);
        Assert.Equal(events.Select(e => e.EventNumber), Enumerable.Range(1, events.Count).Select(i => (long)i));
        var recent = await s.Account.GetRecentEventsAsync(100);
        Assert.Equal(events.Select(e => e.Id), recent.Select(e => e.Id));
        await subscription.UnsubscribeAsync();
    }

    [Fact]
    public async Task Arrears_StaleRelayStatus_NoCutSent()
    {
        var s = new Scenario(fixture);
        await s.OpenAsync(NoGrace);
        await s.RegisterAndAttachAsync();
        await s.TopUpAsync("pay-" + s.AccountId, 500);
        var day = Scenario.NextLocalMidnight();
        await s.ReadAsync(day.AddHours(6), 1_000_000);
        await s.ReadAsync(day.AddHours(7), 1_010_000); // 6.17 → balance −1.17, cut due

        Assert.Equal("DisconnectionDue", (await s.Account.GetBalanceAsync()).CreditStatus);
        var supply = await s.Meter.GetSupplyAsync();
        Assert.Equal("Unknown", supply.Status); // never read back: never cut on stale data
        Assert.Null(supply.Pending);
    }

    [Fact]
    public async Task Arrears_WithGrace_DeadlineSetAndNoOrderYet()
    {
        var s = new Scenario(fixture);
        await s.OpenAsync(new CreditPolicySpec { EmergencyCreditLimitMinor = 0 });
        await s.RegisterAndAttachAsync();
        await s.TopUpAsync("pay-" + s.AccountId, 500);
        var day = Scenario.NextLocalMidnight();
        await s.ReadAsync(day.AddHours(6), 1_000_000);
        await s.ReadAsync(day.AddHours(7), 1_010_000);

        var balance = await s.Account.GetBalanceAsync();
        Assert.Equal("Arrears", balance.CreditStatus);
        Assert.Equal(day.AddHours(7).AddDays(3), balance.Deadline);
        Assert.Null((await s.Meter.GetSupplyAsync()).Pending);
    }

    [Fact]
    public async Task EnforcementCut_CutsWithoutFreshStatus_LiftNeedsOperator()
    {
        var s = new Scenario(fixture);
        await s.OpenAsync();
        await s.RegisterAndAttachAsync();
        await s.TopUpAsync("pay-" + s.AccountId, 10_000);

        var missingReason = await Assert.ThrowsAsync<InvalidRequestException>(() => s.Account.EnforcementCutAsync(new OperatorAction { OperatorId = "op-9" }));
        var cut = await s.Account.EnforcementCutAsync(new OperatorAction { OperatorId = "op-9", Reason = "tamper seal broken" });

        Assert.Equal(ErrorCodes.InvalidField, missingReason.Code);
        Assert.Equal("EnforcementCut", cut.CreditStatus);
        var supply = await SupplyAsync(s.Meter, v => v.Pending is not null);
        Assert.Equal(("DisconnectRequested", "Open"), (supply.Status, supply.Pending?.Kind));
        Assert.StartsWith("enforcement", supply.LastOrderReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SafetyTrip_PaymentDoesNotRestore_OperatorClears()
    {
        var s = new Scenario(fixture);
        await s.OpenAsync();
        await s.RegisterAndAttachAsync();
        await s.TopUpAsync("pay-1-" + s.AccountId, 10_000);

        await s.Meter.ReportSafetyEventAsync(SafetyEventType.ArcFault);
        await s.TopUpAsync("pay-2-" + s.AccountId, 10_000);

        Assert.Equal("SafetyTripped", (await s.Account.GetBalanceAsync()).CreditStatus);
        var supply = await s.Meter.GetSupplyAsync();
        Assert.Equal("SafetyTripped", supply.Status);
        await s.Meter.ConfirmCommandAsync(supply.Pending!.CommandId, new RelayReading { Closed = false, At = ClusterFixture.Time.GetUtcNow() });
        var cleared = await s.Account.ClearSafetyTripAsync(new OperatorAction { OperatorId = "op-3", Reason = "inspected, fault repaired" });
        Assert.NotEqual("SafetyTripped", cleared.CreditStatus);
        Assert.NotEqual("SafetyTripped", (await SupplyAsync(s.Meter, v => v.Status != "SafetyTripped")).Status);
    }

    [Fact]
    public async Task Protection_KeepSupplyOn_ShownOnAccount_PastUntilRejected()
    {
        var s = new Scenario(fixture);
        await s.OpenAsync();
        var now = ClusterFixture.Time.GetUtcNow();

        var past = await Assert.ThrowsAsync<InvalidRequestException>(() => s.Account.AddProtectionAsync(new ProtectionRequest { Type = ProtectionType.KeepSupplyOn, Until = now.AddDays(-1), Reason = "heatwave", OperatorId = "op-1" }));
        var view = await s.Account.AddProtectionAsync(new ProtectionRequest { Type = ProtectionType.KeepSupplyOn, Until = now.AddDays(2), Reason = "exam week", OperatorId = "op-1" });

        Assert.Equal(ErrorKind.Validation, past.Kind);
        var p = Assert.Single(view.Protections);
        Assert.Equal((ProtectionType.KeepSupplyOn, "exam week", "op-1"), (p.Type, p.Reason, p.OperatorId));
        Assert.Empty((await s.Account.RemoveProtectionAsync(ProtectionType.KeepSupplyOn, "op-1")).Protections);
    }

    /// <summary>
    /// The meter's supply once <paramref name="settled"/> holds (or as it is after 20 s): an account's orders reach
    /// its meters after the account's call has returned.
    /// </summary>
    private static async Task<SupplyView> SupplyAsync(IMeterGrain meter, Func<SupplyView, bool> settled)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var view = await meter.GetSupplyAsync();
            if (settled(view) || DateTime.UtcNow >= deadline)
            {
                return view;
            }

            await Task.Delay(20);
        }
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition was not met within 20 s.");
            await Task.Delay(20);
        }
    }
}
