using PrepaidPower.Domain.Credit;
using PrepaidPower.Domain.Protection;
using static PrepaidPower.Domain.Credit.CreditStatus;
using static PrepaidPower.Domain.Tests.Credit.CreditFixture;

namespace PrepaidPower.Domain.Tests.Credit;

/// <summary>The whole status × trigger matrix: every table pair has an asserted outcome; every other pair is rejected alike.</summary>
[Trait("Category", "Unit")]
public sealed class CreditTransitionMatrixTests
{
    private const string Arrears_ = "ARREARS_CLEARED";
    private const CreditStatus Enforced = CreditStatus.EnforcementCut;
    private const CreditStatus Tripped = CreditStatus.SafetyTripped;

    /// <summary>
    /// One row per table pair: the status to start from (reached by legal transitions), an optional preparation, the
    /// trigger, and the expected status, event codes and orders.
    /// </summary>
    private static readonly OutcomeCase[] Cases =
    [
        // BalanceChanged
        new(InCredit, _ => new BalanceChanged(Gbp(8m)), LowCredit, ["LOW_CREDIT_1"], []),
        new(LowCredit, _ => new BalanceChanged(Gbp(4m)), LowCredit, ["LOW_CREDIT_2"], []),
        new(EmergencyCredit, _ => new BalanceChanged(Gbp(-10m)), Arrears, ["EMERGENCY_CREDIT_EXHAUSTED", "ARREARS_NOTICE_SERVED"], []),
        new(Arrears, _ => new BalanceChanged(Gbp(2m)), LowCredit, [Arrears_], []),
        new(Limited, _ => new BalanceChanged(Gbp(-2m)), Limited, [], []),
        new(DisconnectionDeferred, _ => new BalanceChanged(Gbp(-2m)), DisconnectionDeferred, [], []),
        new(DisconnectionDue, _ => new BalanceChanged(Gbp(20m)), InCredit, [Arrears_, "RECONNECTED"], ["Reconnect"]),
        new(Disconnected, _ => new BalanceChanged(Gbp(-3m)), Disconnected, [], []),
        new(Enforced, _ => new BalanceChanged(Gbp(20m)), Enforced, [], []),
        new(Tripped, _ => new BalanceChanged(Gbp(20m)), Tripped, [], []),

        // TopUp
        new(InCredit, _ => new TopUp(Gbp(60m)), InCredit, [], []),
        new(LowCredit, _ => new TopUp(Gbp(30m)), InCredit, ["LOW_CREDIT_RECOVERED"], []),
        new(EmergencyCredit, _ => new TopUp(Gbp(5m)), LowCredit, ["EMERGENCY_CREDIT_REPAID"], []),
        new(Arrears, _ => new TopUp(Gbp(0.50m)), Arrears, ["RECONNECT_THRESHOLD_NOT_REACHED"], []),
        new(Limited, _ => new TopUp(Gbp(20m)), InCredit, [Arrears_, "LIMIT_LIFTED"], ["Reconnect"]),
        new(DisconnectionDeferred, _ => new TopUp(Gbp(20m)), InCredit, [Arrears_, "LIMIT_LIFTED"], ["Reconnect"]),
        new(DisconnectionDue, _ => new TopUp(Gbp(0.50m)), DisconnectionDue, ["RECONNECT_THRESHOLD_NOT_REACHED"], []),
        new(Disconnected, _ => new TopUp(Gbp(20m)), InCredit, [Arrears_, "RECONNECTED"], ["Reconnect"]),
        new(Enforced, _ => new TopUp(Gbp(20m)), Enforced, ["RECONNECT_BLOCKED_ENFORCEMENT"], []),
        new(Tripped, _ => new TopUp(Gbp(20m)), Tripped, ["RECONNECT_BLOCKED_SAFETY"], []),

        // EmergencyCreditActivated (InCredit: with these alarm levels a balance low enough is always LowCredit, so the guard answers)
        new(InCredit, _ => new EmergencyCreditActivated(), InCredit, [], [], Rejected: "the balance 50.00 is above the emergency credit threshold 2.00"),
        new(LowCredit, _ => new EmergencyCreditActivated(), EmergencyCredit, ["EMERGENCY_CREDIT_ACTIVATED"], [], Prepare: (f, s) => f.Handle(s, new BalanceChanged(Gbp(1.5m))).State),
        new(Arrears, _ => new EmergencyCreditActivated(), EmergencyCredit, ["EMERGENCY_CREDIT_ACTIVATED", Arrears_], []),
        new(Limited, _ => new EmergencyCreditActivated(), EmergencyCredit, ["EMERGENCY_CREDIT_ACTIVATED", Arrears_, "LIMIT_LIFTED"], ["Reconnect"]),
        new(DisconnectionDeferred, _ => new EmergencyCreditActivated(), EmergencyCredit, ["EMERGENCY_CREDIT_ACTIVATED", Arrears_, "LIMIT_LIFTED"], ["Reconnect"]),
        new(DisconnectionDue, _ => new EmergencyCreditActivated(), EmergencyCredit, ["EMERGENCY_CREDIT_ACTIVATED", Arrears_, "RECONNECTED"], ["Reconnect"]),
        new(Disconnected, _ => new EmergencyCreditActivated(), EmergencyCredit, ["EMERGENCY_CREDIT_ACTIVATED", Arrears_, "RECONNECTED"], ["Reconnect"]),

        // TimerDue (fired at the deadline)
        new(Arrears, _ => new TimerDue(), Limited, ["LIMIT_STEP_APPLIED"], ["LimitTo(6)"], AtDeadline: true),
        new(Limited, _ => new TimerDue(), Limited, ["LIMIT_STEP_APPLIED"], ["LimitTo(3)"], AtDeadline: true),
        new(DisconnectionDeferred, _ => new TimerDue(), DisconnectionDue, ["DISCONNECTION_DUE"], ["Disconnect(Arrears)"], AtDeadline: true),

        // DisconnectConfirmed
        new(DisconnectionDue, _ => new DisconnectConfirmed(), Disconnected, ["DISCONNECTED"], []),
        new(Enforced, _ => new DisconnectConfirmed(), Enforced, ["DISCONNECTED"], []),
        new(Tripped, _ => new DisconnectConfirmed(), Tripped, ["DISCONNECTED"], []),

        // ProtectionAdded
        new(InCredit, f => new ProtectionAdded(f.Medical(30)), InCredit, ["PROTECTION_ADDED"], []),
        new(LowCredit, f => new ProtectionAdded(f.Medical(30)), LowCredit, ["PROTECTION_ADDED"], []),
        new(EmergencyCredit, f => new ProtectionAdded(f.Medical(30)), EmergencyCredit, ["PROTECTION_ADDED"], []),
        new(Arrears, f => new ProtectionAdded(f.Medical(30)), Arrears, ["PROTECTION_ADDED"], []),
        new(Limited, f => new ProtectionAdded(f.Medical(30)), Limited, ["PROTECTION_ADDED"], []),
        new(DisconnectionDeferred, f => new ProtectionAdded(AccountProtection.KeepSupplyOn(f.Time.GetUtcNow().AddDays(8), "storm week", "op-3")),
            DisconnectionDeferred, ["PROTECTION_ADDED", "DISCONNECTION_DEFERRED_PROTECTED"], []),
        new(DisconnectionDue, f => new ProtectionAdded(f.Medical(30)), DisconnectionDeferred, ["PROTECTION_ADDED", "RECONNECTED", "DISCONNECTION_DEFERRED_PROTECTED"], ["LimitTo(1)"]),
        new(Disconnected, f => new ProtectionAdded(f.Medical(30)), DisconnectionDeferred, ["PROTECTION_ADDED", "RECONNECTED", "DISCONNECTION_DEFERRED_PROTECTED"], ["Reconnect"]),
        new(Enforced, f => new ProtectionAdded(f.Medical(30)), Enforced, ["PROTECTION_ADDED"], []),
        new(Tripped, f => new ProtectionAdded(f.Medical(30)), Tripped, ["PROTECTION_ADDED"], []),

        // ProtectionRemoved (a medical protection is added first where needed)
        new(InCredit, _ => Removed(), InCredit, ["PROTECTION_REMOVED"], [], Prepare: AddMedical),
        new(LowCredit, _ => Removed(), LowCredit, ["PROTECTION_REMOVED"], [], Prepare: AddMedical),
        new(EmergencyCredit, _ => Removed(), EmergencyCredit, ["PROTECTION_REMOVED"], [], Prepare: AddMedical),
        new(Arrears, _ => Removed(), Arrears, ["PROTECTION_REMOVED"], [], Prepare: AddMedical),
        new(Limited, _ => Removed(), Limited, ["PROTECTION_REMOVED"], [], Prepare: AddMedical),
        new(DisconnectionDeferred, _ => Removed(), DisconnectionDue, ["PROTECTION_REMOVED", "DISCONNECTION_DUE"], ["Disconnect(Arrears)"]),
        new(Enforced, _ => Removed(), Enforced, ["PROTECTION_REMOVED"], [], Prepare: AddMedical),
        new(Tripped, _ => Removed(), Tripped, ["PROTECTION_REMOVED"], [], Prepare: AddMedical),

        // EnforcementCut
        new(InCredit, _ => Cut(), Enforced, ["ENFORCEMENT_CUT"], ["Disconnect(Enforcement)"]),
        new(LowCredit, _ => Cut(), Enforced, ["ENFORCEMENT_CUT"], ["Disconnect(Enforcement)"]),
        new(EmergencyCredit, _ => Cut(), Enforced, ["ENFORCEMENT_CUT"], ["Disconnect(Enforcement)"]),
        new(Arrears, _ => Cut(), Enforced, ["ENFORCEMENT_CUT"], ["Disconnect(Enforcement)"]),
        new(Limited, _ => Cut(), Enforced, ["ENFORCEMENT_CUT"], ["Disconnect(Enforcement)"]),
        new(DisconnectionDeferred, _ => Cut(), Enforced, ["ENFORCEMENT_CUT"], ["Disconnect(Enforcement)"]),
        new(DisconnectionDue, _ => Cut(), Enforced, ["ENFORCEMENT_CUT"], ["Disconnect(Enforcement)"]),
        new(Disconnected, _ => Cut(), Enforced, ["ENFORCEMENT_CUT"], ["Disconnect(Enforcement)"]),
        new(Tripped, _ => Cut(), Tripped, ["ENFORCEMENT_CUT"], []),

        // EnforcementLifted
        new(Enforced, _ => new EnforcementLifted("op-7", "investigation closed"), InCredit, ["ENFORCEMENT_LIFTED", "RECONNECTED"], ["Reconnect"]),
        new(Tripped, _ => new EnforcementLifted("op-7", "investigation closed"), Tripped, ["ENFORCEMENT_LIFTED"], [],
            Prepare: (f, s) => f.Handle(s, Cut()).State),

        // SafetyTripped
        new(InCredit, _ => Trip(), Tripped, ["SAFETY_TRIPPED"], []),
        new(LowCredit, _ => Trip(), Tripped, ["SAFETY_TRIPPED"], []),
        new(EmergencyCredit, _ => Trip(), Tripped, ["SAFETY_TRIPPED"], []),
        new(Arrears, _ => Trip(), Tripped, ["SAFETY_TRIPPED"], []),
        new(Limited, _ => Trip(), Tripped, ["SAFETY_TRIPPED"], []),
        new(DisconnectionDeferred, _ => Trip(), Tripped, ["SAFETY_TRIPPED"], []),
        new(DisconnectionDue, _ => Trip(), Tripped, ["SAFETY_TRIPPED"], []),
        new(Disconnected, _ => Trip(), Tripped, ["SAFETY_TRIPPED"], []),
        new(Enforced, _ => Trip(), Tripped, ["SAFETY_TRIPPED"], []),
        new(Tripped, _ => Trip(), Tripped, ["SAFETY_TRIPPED"], []),

        // SafetyCleared
        new(Tripped, _ => new SafetyCleared("op-9", "inspected, wiring repaired"), InCredit, ["SAFETY_CLEARED", "RECONNECTED"], ["Reconnect"]),
    ];

    public static TheoryData<int> CaseIndexes()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < Cases.Length; i++)
        {
            data.Add(i);
        }
        return data;
    }

    public static TheoryData<CreditStatus, CreditTriggerKind> UnhandledPairs()
    {
        var data = new TheoryData<CreditStatus, CreditTriggerKind>();
        foreach (var status in Enum.GetValues<CreditStatus>())
        {
            foreach (var trigger in Enum.GetValues<CreditTriggerKind>())
            {
                if (!CreditPolicyMachine.HandledPairs.Contains((status, trigger)))
                {
                    data.Add(status, trigger);
                }
            }
        }
        return data;
    }

    [Fact]
    public void HandledPairs_EveryPairHasExactlyOneOutcomeCase()
    {
        var covered = Cases.Select(c => (c.From, c.Kind)).ToList();
        Assert.Equal(covered.Count, covered.Distinct().Count());
        Assert.Equal(
            CreditPolicyMachine.HandledPairs.OrderBy(p => p.Status).ThenBy(p => p.Trigger),
            covered.OrderBy(p => p.From).ThenBy(p => p.Kind));
        Assert.Equal(73, CreditPolicyMachine.HandledPairs.Count);
    }

    [Fact]
    public void Matrix_HandledPlusRejected_IsEveryPair()
    {
        var all = Enum.GetValues<CreditStatus>().Length * Enum.GetValues<CreditTriggerKind>().Length;
        Assert.Equal(110, all);
        Assert.Equal(all - 73, UnhandledPairs().Count);
    }

    [Theory]
    [MemberData(nameof(CaseIndexes))]
    public void Handle_TablePair_HasExpectedOutcome(int index)
    {
        var c = Cases[index];
        var f = new CreditFixture();
        var state = f.Reach(c.From);
        if (c.Prepare is not null)
        {
            state = c.Prepare(f, state);
        }
        Assert.Equal(c.From, state.Status);
        if (c.AtDeadline)
        {
            f.Time.SetUtcNow(state.NextDeadline!.Value);
        }
        var trigger = c.Trigger(f);
        Assert.Equal(c.Kind, trigger.Kind);

        if (c.Rejected is not null)
        {
            var e = Assert.Throws<InvalidCreditTransitionException>(() => f.Handle(state, trigger));
            Assert.Equal($"Cannot handle {c.Kind} in state {c.From}: {c.Rejected}", e.Message);
            return;
        }

        var step = f.Handle(state, trigger);
        Assert.Equal(c.To, step.State.Status);
        Assert.Equal(c.Codes, step.Codes.ToArray());
        Assert.Equal(c.Orders, step.Orders.Select(Describe).ToArray());
        Assert.Contains(c.To, CreditPolicyMachine.TargetsOf(c.From, c.Kind).Select(t => t == 0 ? c.From : t));
        Assert.All(step.Events, e => Assert.Equal((c.From, c.To, f.Time.GetUtcNow()), (e.From, e.To, e.At)));
        if (c.To != c.From)
        {
            Assert.NotEmpty(step.Events); // every status change is announced
            Assert.Equal(f.Time.GetUtcNow(), step.State.Since);
        }
    }

    [Theory]
    [MemberData(nameof(UnhandledPairs))]
    public void Handle_PairOutsideTable_RejectedNamingBoth(CreditStatus status, CreditTriggerKind kind)
    {
        var f = new CreditFixture();
        var state = f.Reach(status);
        var e = Assert.Throws<InvalidCreditTransitionException>(() => f.Handle(state, AnyTrigger(f, kind)));
        Assert.Equal($"Cannot handle {kind} in state {status}.", e.Message);
        Assert.Equal((status, kind), (e.Status, e.Trigger));
    }

    private static CreditTrigger AnyTrigger(CreditFixture f, CreditTriggerKind kind) => kind switch
    {
        CreditTriggerKind.BalanceChanged => new BalanceChanged(Gbp(1m)),
        CreditTriggerKind.TopUp => new TopUp(Gbp(1m)),
        CreditTriggerKind.EmergencyCreditActivated => new EmergencyCreditActivated(),
        CreditTriggerKind.TimerDue => new TimerDue(),
        CreditTriggerKind.DisconnectConfirmed => new DisconnectConfirmed(),
        CreditTriggerKind.ProtectionAdded => new ProtectionAdded(f.Medical(1)),
        CreditTriggerKind.ProtectionRemoved => Removed(),
        CreditTriggerKind.EnforcementCut => Cut(),
        CreditTriggerKind.EnforcementLifted => new EnforcementLifted("op-7", "cleared"),
        CreditTriggerKind.SafetyTripped => Trip(),
        CreditTriggerKind.SafetyCleared => new SafetyCleared("op-9", "ok"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static CreditState AddMedical(CreditFixture f, CreditState s) => f.Handle(s, new ProtectionAdded(f.Medical(30))).State;

    private static ProtectionRemoved Removed() => new(ProtectionKind.Medical, "op-3");

    private static EnforcementCut Cut() => new("op-7", "meter bypass found");

    private static SafetyTripped Trip() => new("residual current 300 mA");

    private sealed record OutcomeCase(
        CreditStatus From,
        Func<CreditFixture, CreditTrigger> Trigger,
        CreditStatus To,
        string[] Codes,
        string[] Orders,
        Func<CreditFixture, CreditState, CreditState>? Prepare = null,
        bool AtDeadline = false,
        string? Rejected = null)
    {
        public CreditTriggerKind Kind => Trigger(new CreditFixture()).Kind;
    }
}
