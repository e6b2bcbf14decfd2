using CsCheck;
using PrepaidPower.Domain.Supply;

namespace PrepaidPower.Domain.Tests.Supply;

/// <summary>Random trigger sequences: the machine's invariants hold after every step, accepted or rejected.</summary>
[Trait("Category", "Unit")]
public sealed class SupplyMachinePropertyTests
{
    private static readonly RelayStatus[] Statuses =
        [RelayStatus.Open, RelayStatus.Closed, RelayStatus.ClosedLimited(SupplyTestKit.Three), RelayStatus.ClosedLimited(SupplyTestKit.Five)];

    [Fact]
    public void Apply_RandomSequences_InvariantsHold()
    {
        // Each step: (trigger kind, status index, id choice 0 = pending, 1–3 = fixed ids, seconds to advance).
        var step = Gen.Select(Gen.Int[0, 7], Gen.Int[0, 3], Gen.Int[0, 3], Gen.Int[0, 600]);
        step.Array[1, 60].Sample(steps =>
        {
            var kit = new SupplyTestKit(new SupplyOptions { MaxAttempts = 3, JitterFraction = 0.3 });
            var s = SupplyState.Initial;
            var fixedIds = new[] { Guid.Empty, Guid.Parse("10000000-0000-0000-0000-000000000001"), Guid.Parse("10000000-0000-0000-0000-000000000002"), Guid.NewGuid() };
            foreach (var (kind, st, idChoice, seconds) in steps)
            {
                kit.Time.Advance(TimeSpan.FromSeconds(seconds));
                var id = idChoice == 0 && s.Pending is { } p ? p.Id : fixedIds[Math.Max(1, idChoice)];
                SupplyTrigger trigger = (SupplyTriggerKind)kind switch
                {
                    SupplyTriggerKind.RequestLimit => new SupplyTrigger.RequestLimit(st % 2 == 0 ? SupplyTestKit.Three : SupplyTestKit.Five, Guid.NewGuid()),
                    SupplyTriggerKind.RequestDisconnect => new SupplyTrigger.RequestDisconnect(Guid.NewGuid(), st % 2 == 0 ? DisconnectReason.Arrears : DisconnectReason.Operator),
                    SupplyTriggerKind.RequestReconnect => new SupplyTrigger.RequestReconnect(Guid.NewGuid()),
                    SupplyTriggerKind.Confirmed => new SupplyTrigger.Confirmed(id, s.Pending is { } q && st == 0 ? q.ExpectedStatus : Statuses[st]),
                    SupplyTriggerKind.StatusObserved => new SupplyTrigger.StatusObserved(Statuses[st]),
                    SupplyTriggerKind.Timeout => new SupplyTrigger.Timeout(id),
                    SupplyTriggerKind.SafetyEvent => new SupplyTrigger.SafetyEvent((SafetyEventKind)(st + 1), Guid.NewGuid()),
                    _ => new SupplyTrigger.ClearSafety("op"),
                };
                var before = s;
                try
                {
                    var r = kit.Machine.Apply(s, trigger);
                    s = r.Next;
                    Assert.All(r.Commands, c => Assert.InRange(c.Attempt, 1, 3));
                }
                catch (InvalidSupplyTransitionException)
                {
                    Assert.False(SupplyMachine.Allows(s.Status, trigger.Kind));
                    continue;
                }
                // Only an operator leaves a safety trip.
                if (before.Status == SupplyStatus.SafetyTripped && trigger.Kind != SupplyTriggerKind.ClearSafety)
                {
                    Assert.Equal(SupplyStatus.SafetyTripped, s.Status);
                }
                // A settled state is entered only by a confirmation (or a read while Unknown, or a clear).
                if (s.Status is SupplyStatus.Connected or SupplyStatus.Limited && before.Status != s.Status)
                {
                    Assert.True(trigger.Kind == SupplyTriggerKind.Confirmed || (before.Status == SupplyStatus.Unknown && trigger.Kind == SupplyTriggerKind.StatusObserved));
                }
                Assert.Equal(s.Status == SupplyStatus.Limited, s.Limit is not null);
                Assert.Equal(
                    s.Status is SupplyStatus.LimitRequested or SupplyStatus.DisconnectRequested or SupplyStatus.ReconnectRequested,
                    s.Pending is not null && s.Status != SupplyStatus.SafetyTripped);
                Assert.Equal(s.Status == SupplyStatus.SafetyTripped, s.TrippedBy is not null);
                if (s.Pending is { } pending)
                {
                    Assert.InRange(pending.Attempts, 1, 3);
                }
            }
        }, iter: 300);
    }
}
