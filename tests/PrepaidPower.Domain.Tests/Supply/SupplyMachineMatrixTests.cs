using PrepaidPower.Domain.Supply;
using static PrepaidPower.Domain.Supply.SupplyStatus;
using static PrepaidPower.Domain.Supply.SupplyTriggerKind;

namespace PrepaidPower.Domain.Tests.Supply;

/// <summary>The whole (state × trigger) matrix, written out by hand: every allowed pair has an outcome, every other pair is rejected.</summary>
[Trait("Category", "Unit")]
public sealed class SupplyMachineMatrixTests
{
    // Expected next state of the representative (main-path) trigger; null = the pair must be rejected.
    private static readonly Dictionary<(SupplyStatus, SupplyTriggerKind), SupplyStatus?> Expected = new()
    {
        [(Connected, RequestLimit)] = LimitRequested,
        [(Connected, RequestDisconnect)] = DisconnectRequested,
        [(Connected, RequestReconnect)] = null,
        [(Connected, Confirmed)] = Connected,
        [(Connected, StatusObserved)] = Connected,
        [(Connected, SupplyTriggerKind.Timeout)] = Connected,
        [(Connected, SafetyEvent)] = SafetyTripped,
        [(Connected, ClearSafety)] = null,

        [(LimitRequested, RequestLimit)] = LimitRequested,
        [(LimitRequested, RequestDisconnect)] = DisconnectRequested,
        [(LimitRequested, RequestReconnect)] = ReconnectRequested,
        [(LimitRequested, Confirmed)] = Limited,
        [(LimitRequested, StatusObserved)] = LimitRequested,
        [(LimitRequested, SupplyTriggerKind.Timeout)] = LimitRequested,
        [(LimitRequested, SafetyEvent)] = SafetyTripped,
        [(LimitRequested, ClearSafety)] = null,

        [(Limited, RequestLimit)] = LimitRequested,
        [(Limited, RequestDisconnect)] = DisconnectRequested,
        [(Limited, RequestReconnect)] = ReconnectRequested,
        [(Limited, Confirmed)] = Limited,
        [(Limited, StatusObserved)] = Limited,
        [(Limited, SupplyTriggerKind.Timeout)] = Limited,
        [(Limited, SafetyEvent)] = SafetyTripped,
        [(Limited, ClearSafety)] = null,

        [(DisconnectRequested, RequestLimit)] = LimitRequested,
        [(DisconnectRequested, RequestDisconnect)] = DisconnectRequested,
        [(DisconnectRequested, RequestReconnect)] = ReconnectRequested,
        [(DisconnectRequested, Confirmed)] = Disconnected,
        [(DisconnectRequested, StatusObserved)] = DisconnectRequested,
        [(DisconnectRequested, SupplyTriggerKind.Timeout)] = DisconnectRequested,
        [(DisconnectRequested, SafetyEvent)] = SafetyTripped,
        [(DisconnectRequested, ClearSafety)] = null,

        [(Disconnected, RequestLimit)] = LimitRequested,
        [(Disconnected, RequestDisconnect)] = null,
        [(Disconnected, RequestReconnect)] = ReconnectRequested,
        [(Disconnected, Confirmed)] = Disconnected,
        [(Disconnected, StatusObserved)] = Disconnected,
        [(Disconnected, SupplyTriggerKind.Timeout)] = Disconnected,
        [(Disconnected, SafetyEvent)] = SafetyTripped,
        [(Disconnected, ClearSafety)] = null,

        [(ReconnectRequested, RequestLimit)] = LimitRequested,
        [(ReconnectRequested, RequestDisconnect)] = DisconnectRequested,
        [(ReconnectRequested, RequestReconnect)] = ReconnectRequested,
        [(ReconnectRequested, Confirmed)] = Connected,
        [(ReconnectRequested, StatusObserved)] = ReconnectRequested,
        [(ReconnectRequested, SupplyTriggerKind.Timeout)] = ReconnectRequested,
        [(ReconnectRequested, SafetyEvent)] = SafetyTripped,
        [(ReconnectRequested, ClearSafety)] = null,

        [(SafetyTripped, RequestLimit)] = null,
        [(SafetyTripped, RequestDisconnect)] = null,
        [(SafetyTripped, RequestReconnect)] = null,
        [(SafetyTripped, Confirmed)] = SafetyTripped,
        [(SafetyTripped, StatusObserved)] = SafetyTripped,
        [(SafetyTripped, SupplyTriggerKind.Timeout)] = SafetyTripped,
        [(SafetyTripped, SafetyEvent)] = SafetyTripped,
        // The trip's open is still unconfirmed here and the relay was last read closed: not Disconnected.
        [(SafetyTripped, ClearSafety)] = SupplyStatus.Unknown,

        [(SupplyStatus.Unknown, RequestLimit)] = LimitRequested,
        [(SupplyStatus.Unknown, RequestDisconnect)] = DisconnectRequested,
        [(SupplyStatus.Unknown, RequestReconnect)] = ReconnectRequested,
        [(SupplyStatus.Unknown, Confirmed)] = SupplyStatus.Unknown,
        [(SupplyStatus.Unknown, StatusObserved)] = Connected,
        [(SupplyStatus.Unknown, SupplyTriggerKind.Timeout)] = SupplyStatus.Unknown,
        [(SupplyStatus.Unknown, SafetyEvent)] = SafetyTripped,
        [(SupplyStatus.Unknown, ClearSafety)] = null,
    };

    public static TheoryData<SupplyStatus, SupplyTriggerKind> AllPairs()
    {
        var data = new TheoryData<SupplyStatus, SupplyTriggerKind>();
        foreach (var s in Enum.GetValues<SupplyStatus>())
        {
            foreach (var t in Enum.GetValues<SupplyTriggerKind>())
            {
                data.Add(s, t);
            }
        }
        return data;
    }

    [Fact]
    public void Expected_CoversEveryPair()
    {
        Assert.Equal(Enum.GetValues<SupplyStatus>().Length * Enum.GetValues<SupplyTriggerKind>().Length, Expected.Count);
        Assert.Equal(52, Expected.Count(kv => kv.Value is not null));
    }

    [Fact]
    public void Transitions_AllowExactlyTheExpectedPairs()
    {
        var allowed = Expected.Where(kv => kv.Value is not null).Select(kv => kv.Key).ToHashSet();
        Assert.Equal(allowed.OrderBy(k => k), SupplyMachine.Transitions.Keys.Select(k => (k.State, k.Trigger)).OrderBy(k => k));
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void Apply_EveryPair_HasTheExpectedOutcome(SupplyStatus from, SupplyTriggerKind kind)
    {
        var kit = new SupplyTestKit();
        var state = kit.In(from);
        Assert.Equal(from, state.Status);
        var trigger = kit.Representative(state, kind);
        var expected = Expected[(from, kind)];

        if (expected is null)
        {
            var e = Assert.Throws<InvalidSupplyTransitionException>(() => kit.Machine.Apply(state, trigger));
            Assert.Contains($"Cannot apply {kind} in supply state {from}", e.Message, StringComparison.Ordinal);
            Assert.Equal(from, e.State);
            Assert.Equal(kind, e.Trigger);
            Assert.False(SupplyMachine.Allows(from, kind));
        }
        else
        {
            var result = kit.Machine.Apply(state, trigger);
            Assert.Equal(expected, result.Next.Status);
            Assert.Contains(result.Next.Status, SupplyMachine.Transitions[(from, kind)]);
            Assert.NotEmpty(result.Events);
        }
    }
}
