using System.Collections.Frozen;
using PrepaidPower.Domain.Protection;

namespace PrepaidPower.Domain.Credit;

/// <summary>
/// The account's credit policy state machine: one transition table (status, trigger) → handler, with the statuses each
/// row may lead to. <see cref="Handle"/> returns the new state, the coded events and the supply orders; it never mutates
/// its input. A pair outside the table, or a failed guard, throws <see cref="InvalidCreditTransitionException"/> and
/// changes nothing. Time comes only from the injected <see cref="TimeProvider"/>. See docs/credit-policy.md.
/// </summary>
public sealed class CreditPolicyMachine
{
    private static readonly CreditStatus[] Live = [CreditStatus.InCredit, CreditStatus.LowCredit, CreditStatus.EmergencyCredit];

    private static readonly CreditStatus[] ArrearsProcess =
        [CreditStatus.Arrears, CreditStatus.Limited, CreditStatus.DisconnectionDeferred, CreditStatus.DisconnectionDue, CreditStatus.Disconnected];

    private static readonly CreditStatus[] Held = [CreditStatus.EnforcementCut, CreditStatus.SafetyTripped];

    private static readonly CreditStatus[] Unheld = [.. Live, .. ArrearsProcess];

    private static readonly CreditStatus[] Every = [.. Unheld, .. Held];

    /// <summary>"Stays in the status it came from", in the To column.</summary>
    private const CreditStatus Stay = 0;

    private delegate void Handler(CreditPolicyMachine machine, Tx tx);

    private sealed record Row(CreditStatus From, CreditTriggerKind Trigger, Handler Handle, FrozenSet<CreditStatus> To);

    // THE transition table. Each line: from statuses × trigger → handler, and the statuses it may lead to.
    private static readonly FrozenDictionary<(CreditStatus, CreditTriggerKind), Row> Table = Rows(
        (Live, CreditTriggerKind.BalanceChanged, (m, t) => m.OnBalance(t, topUp: false), [.. Live, CreditStatus.Arrears]),
        (ArrearsProcess, CreditTriggerKind.BalanceChanged, (m, t) => m.OnBalance(t, topUp: false), [Stay, CreditStatus.InCredit, CreditStatus.LowCredit]),
        (Held, CreditTriggerKind.BalanceChanged, (m, t) => m.OnBalance(t, topUp: false), [Stay]),

        (Live, CreditTriggerKind.TopUp, (m, t) => m.OnBalance(t, topUp: true), [.. Live, CreditStatus.Arrears]),
        (ArrearsProcess, CreditTriggerKind.TopUp, (m, t) => m.OnBalance(t, topUp: true), [Stay, CreditStatus.InCredit, CreditStatus.LowCredit]),
        (Held, CreditTriggerKind.TopUp, (m, t) => m.OnBalance(t, topUp: true), [Stay]),

        ([CreditStatus.InCredit, CreditStatus.LowCredit, .. ArrearsProcess], CreditTriggerKind.EmergencyCreditActivated,
            (m, t) => m.OnEmergencyCreditActivated(t), [CreditStatus.EmergencyCredit]),

        ([CreditStatus.Arrears], CreditTriggerKind.TimerDue, (m, t) => m.OnTimer(t),
            [Stay, CreditStatus.Limited, CreditStatus.DisconnectionDue, CreditStatus.DisconnectionDeferred]),
        ([CreditStatus.Limited], CreditTriggerKind.TimerDue, (m, t) => m.OnTimer(t),
            [Stay, CreditStatus.DisconnectionDue, CreditStatus.DisconnectionDeferred]),
        ([CreditStatus.DisconnectionDeferred], CreditTriggerKind.TimerDue, (m, t) => m.OnTimer(t),
            [Stay, CreditStatus.DisconnectionDue]),

        ([CreditStatus.DisconnectionDue], CreditTriggerKind.DisconnectConfirmed, (_, t) => OnDisconnectConfirmed(t), [CreditStatus.Disconnected]),
        (Held, CreditTriggerKind.DisconnectConfirmed, (_, t) => OnDisconnectConfirmed(t), [Stay]),

        ([.. Live, CreditStatus.Arrears, CreditStatus.Limited, .. Held], CreditTriggerKind.ProtectionAdded,
            (m, t) => m.OnProtectionAdded(t), [Stay]),
        ([CreditStatus.DisconnectionDeferred, CreditStatus.DisconnectionDue, CreditStatus.Disconnected], CreditTriggerKind.ProtectionAdded,
            (m, t) => m.OnProtectionAdded(t), [CreditStatus.DisconnectionDeferred]),

        // Not from DisconnectionDue or Disconnected: an account protection in force never lets the machine get there.
        ([.. Live, CreditStatus.Arrears, CreditStatus.Limited, .. Held],
            CreditTriggerKind.ProtectionRemoved, (m, t) => m.OnProtectionRemoved(t), [Stay]),
        ([CreditStatus.DisconnectionDeferred], CreditTriggerKind.ProtectionRemoved, (m, t) => m.OnProtectionRemoved(t),
            [Stay, CreditStatus.DisconnectionDue]),

        (Unheld, CreditTriggerKind.EnforcementCut, (_, t) => OnEnforcementCut(t), [CreditStatus.EnforcementCut]),
        ([CreditStatus.SafetyTripped], CreditTriggerKind.EnforcementCut, (_, t) => OnEnforcementCut(t), [Stay]),

        ([CreditStatus.EnforcementCut], CreditTriggerKind.EnforcementLifted, (m, t) => m.OnEnforcementLifted(t), Unheld),
        ([CreditStatus.SafetyTripped], CreditTriggerKind.EnforcementLifted, (m, t) => m.OnEnforcementLifted(t), [Stay]),

        (Every, CreditTriggerKind.SafetyTripped, (_, t) => OnSafetyTripped(t), [CreditStatus.SafetyTripped]),

        ([CreditStatus.SafetyTripped], CreditTriggerKind.SafetyCleared, (m, t) => m.OnSafetyCleared(t), [.. Unheld, CreditStatus.EnforcementCut]));

    private readonly CreditPolicy policy;
    private readonly ProtectionCalendar calendar;
    private readonly TimeProvider time;

    /// <exception cref="ArgumentException">The policy is invalid (the message lists every problem).</exception>
    public CreditPolicyMachine(CreditPolicy policy, ProtectionCalendar calendar, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(policy);
        this.policy = policy.Validated();
        this.calendar = calendar ?? throw new ArgumentNullException(nameof(calendar));
        this.time = time ?? throw new ArgumentNullException(nameof(time));
    }

    public CreditPolicy Policy => policy;

    public ProtectionCalendar Calendar => calendar;

    /// <summary>Every (status, trigger) pair in the table; every other pair is rejected.</summary>
    public static IReadOnlyCollection<(CreditStatus Status, CreditTriggerKind Trigger)> HandledPairs { get; } = Table.Keys;

    /// <summary>The statuses a table row may lead to; empty when the pair is not in the table.</summary>
    public static IReadOnlySet<CreditStatus> TargetsOf(CreditStatus status, CreditTriggerKind trigger) =>
        Table.TryGetValue((status, trigger), out var row) ? row.To : FrozenSet<CreditStatus>.Empty;

    /// <summary>Starts an account's credit state from its opening balance (it may open low, or in arrears with a notice).</summary>
    public CreditStep Open(Money balance)
    {
        CheckCurrency(balance);
        var now = time.GetUtcNow();
        var start = new CreditState { Status = CreditStatus.InCredit, Balance = balance, Since = now };
        var tx = new Tx(start, new BalanceChanged(balance), now);
        Settle(tx, topUp: false, daysLeft: null);
        return tx.Finish();
    }

    /// <summary>Applies <paramref name="trigger"/> to <paramref name="state"/>.</summary>
    /// <exception cref="InvalidCreditTransitionException">The pair is not in the table, or its guard fails.</exception>
    /// <exception cref="ArgumentException">The trigger carries bad data (another currency, an expired protection).</exception>
    public CreditStep Handle(CreditState state, CreditTrigger trigger)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(trigger);
        if (!Table.TryGetValue((state.Status, trigger.Kind), out var row))
        {
            throw new InvalidCreditTransitionException(state.Status, trigger.Kind);
        }
        var tx = new Tx(state, trigger, time.GetUtcNow());
        row.Handle(this, tx);
        var to = tx.S.Status;
        if (!row.To.Contains(to) && !(to == state.Status && row.To.Contains(Stay)))
        {
            throw new InvalidOperationException($"Credit machine bug: {trigger.Kind} in state {state.Status} led to {to}, which its table row does not allow.");
        }
        return tx.Finish();
    }

    private void OnBalance(Tx tx, bool topUp)
    {
        var (balance, days) = tx.Trigger switch
        {
            BalanceChanged b => (b.Balance, b.DaysOfCreditLeft),
            TopUp t => (t.Balance, t.DaysOfCreditLeft),
            _ => throw new InvalidOperationException("unreachable"),
        };
        CheckCurrency(balance);
        tx.S = tx.S with { Balance = balance };
        var status = tx.S.Status;
        if (Live.Contains(status))
        {
            Settle(tx, topUp, days);
        }
        else if (ArrearsProcess.Contains(status))
        {
            if (balance >= policy.ReconnectThreshold)
            {
                Recover(tx, days);
            }
            else if (topUp)
            {
                tx.Emit(CreditEventCodes.ReconnectThresholdNotReached, e => e with { Balance = balance });
            }
        }
        else if (topUp)
        {
            RepayEmergencyCredit(tx);
            Rearm(tx, days);
            if (balance >= policy.ReconnectThreshold)
            {
                tx.Emit(
                    status == CreditStatus.SafetyTripped ? CreditEventCodes.ReconnectBlockedSafety : CreditEventCodes.ReconnectBlockedEnforcement,
                    e => e with { Balance = balance, Reason = status == CreditStatus.SafetyTripped ? tx.S.SafetyCause : tx.S.EnforcementReason });
            }
        }
    }

    // The live rules: repay or exhaust emergency credit, enter arrears, one alarm per level crossing, forecast warning.
    private void Settle(Tx tx, bool topUp, decimal? daysLeft)
    {
        var b = tx.S.Balance;
        var ec = policy.EmergencyCredit;
        if (topUp)
        {
            var before = tx.S.AlarmLevel;
            Rearm(tx, daysLeft);
            if (tx.S.AlarmLevel < before)
            {
                tx.Emit(CreditEventCodes.LowCreditRecovered, e => e with { Level = tx.S.AlarmLevel, Balance = b });
            }
            RepayEmergencyCredit(tx);
        }
        if (tx.S.EmergencyCreditActive && b <= policy.DisconnectionThreshold - ec!.Limit)
        {
            tx.S = tx.S with { EmergencyCreditActive = false, EmergencyCreditExhausted = true };
            tx.Emit(CreditEventCodes.EmergencyCreditExhausted, e => e with { Balance = b });
            EnterArrears(tx);
            return;
        }
        if (!tx.S.EmergencyCreditActive && b <= policy.DisconnectionThreshold)
        {
            if (ec is { Automatic: true } && EmergencyCreditUsable(tx.S) is null)
            {
                tx.S = tx.S with { EmergencyCreditActive = true, EmergencyCreditOffered = true };
                tx.Emit(CreditEventCodes.EmergencyCreditActivated, e => e with { Reason = "automatic", Balance = b });
            }
            else
            {
                EnterArrears(tx);
                return;
            }
        }
        var level = policy.AlarmLevelOf(b);
        if (level > tx.S.AlarmLevel)
        {
            tx.S = tx.S with { AlarmLevel = level };
            tx.Emit(CreditEventCodes.LowCredit(level), e => e with { Level = level, Balance = b });
        }
        if (!topUp && !tx.S.DaysLeftWarned && daysLeft is { } d && policy.DaysLeftWarning is { } warn && d <= warn)
        {
            tx.S = tx.S with { DaysLeftWarned = true };
            tx.Emit(CreditEventCodes.LowCreditDaysLeft, e => e with { DaysOfCreditLeft = d, Balance = b });
        }
        if (ec is { Automatic: false } && !tx.S.EmergencyCreditOffered && EmergencyCreditUsable(tx.S) is null)
        {
            tx.S = tx.S with { EmergencyCreditOffered = true };
            tx.Emit(CreditEventCodes.EmergencyCreditAvailable, e => e with { Balance = b });
        }
        tx.Go(LiveStatus(tx.S));
    }

    // A payment re-arms the alarms: remember only the level the balance is at now, without a new notice.
    private void Rearm(Tx tx, decimal? daysLeft)
    {
        var b = tx.S.Balance;
        var ec = policy.EmergencyCredit;
        tx.S = tx.S with
        {
            AlarmLevel = policy.AlarmLevelOf(b),
            DaysLeftWarned = daysLeft is { } d && policy.DaysLeftWarning is { } warn && d <= warn,
            EmergencyCreditOffered = tx.S.EmergencyCreditOffered && ec is not null && b <= ec.AvailableAtOrBelow,
            EmergencyCreditExhausted = tx.S.EmergencyCreditExhausted && b <= policy.DisconnectionThreshold,
        };
    }

    private void RepayEmergencyCredit(Tx tx)
    {
        if (tx.S.EmergencyCreditActive && tx.S.Balance > policy.DisconnectionThreshold)
        {
            tx.S = tx.S with { EmergencyCreditActive = false };
            tx.Emit(CreditEventCodes.EmergencyCreditRepaid, e => e with { Balance = tx.S.Balance });
        }
    }

    /// <summary>Null when emergency credit can be activated now, else why not.</summary>
    private string? EmergencyCreditUsable(CreditState s)
    {
        var ec = policy.EmergencyCredit;
        if (ec is null)
        {
            return "the credit policy has no emergency credit";
        }
        if (s.EmergencyCreditActive)
        {
            return "emergency credit is already active";
        }
        if (s.EmergencyCreditExhausted)
        {
            return "emergency credit was used up; it is offered again after a payment";
        }
        if (s.Balance > ec.AvailableAtOrBelow)
        {
            return $"the balance {s.Balance.ToAmountString()} is above the emergency credit threshold {ec.AvailableAtOrBelow.ToAmountString()}";
        }
        if (s.Balance <= policy.DisconnectionThreshold - ec.Limit)
        {
            return $"the balance {s.Balance.ToAmountString()} is beyond what emergency credit of {ec.Limit.ToAmountString()} covers";
        }
        return null;
    }

    private static CreditStatus LiveStatus(CreditState s) =>
        s.EmergencyCreditActive ? CreditStatus.EmergencyCredit
        : s.AlarmLevel > 0 ? CreditStatus.LowCredit
        : CreditStatus.InCredit;

    private void EnterArrears(Tx tx)
    {
        var wait = policy.ArrearsMode == ArrearsMode.DisconnectAfterNotice
            ? (policy.GracePeriod > policy.NoticePeriod ? policy.GracePeriod : policy.NoticePeriod)
            : policy.GracePeriod;
        var deadline = tx.Now + wait;
        tx.S = tx.S with
        {
            NoticeServedAt = tx.Now,
            LimitStep = -1,
            Deadline = deadline,
            AlarmLevel = policy.AlarmLevels.Count,
            EmergencyCreditActive = false,
        };
        tx.Go(CreditStatus.Arrears);
        tx.Emit(CreditEventCodes.ArrearsNoticeServed, e => e with { Until = deadline, Balance = tx.S.Balance });
    }

    // Leaves the arrears process: the balance reached the reconnect threshold.
    private void Recover(Tx tx, decimal? daysLeft)
    {
        tx.Emit(CreditEventCodes.ArrearsCleared, e => e with { Balance = tx.S.Balance });
        LiftRestriction(tx);
        tx.S = tx.S with { EmergencyCreditExhausted = false };
        Rearm(tx, daysLeft);
        tx.Go(LiveStatus(tx.S));
    }

    private static void LiftRestriction(Tx tx)
    {
        if (tx.S.Status is CreditStatus.DisconnectionDue or CreditStatus.Disconnected)
        {
            tx.Emit(CreditEventCodes.Reconnected);
        }
        else if (tx.S.LimitStep >= 0)
        {
            tx.Emit(CreditEventCodes.LimitLifted);
        }
        if (tx.S.SupplyRestricted)
        {
            tx.Order(new Reconnect());
        }
        tx.S = tx.S with { NoticeServedAt = null, LimitStep = -1, Deadline = null };
    }

    private void OnEmergencyCreditActivated(Tx tx)
    {
        var why = EmergencyCreditUsable(tx.S);
        if (why is not null)
        {
            throw tx.Reject(why);
        }
        tx.Emit(CreditEventCodes.EmergencyCreditActivated, e => e with { Reason = "customer", Balance = tx.S.Balance });
        if (ArrearsProcess.Contains(tx.S.Status))
        {
            tx.Emit(CreditEventCodes.ArrearsCleared, e => e with { Balance = tx.S.Balance });
            LiftRestriction(tx);
        }
        tx.S = tx.S with { EmergencyCreditActive = true, EmergencyCreditOffered = true };
        tx.Go(CreditStatus.EmergencyCredit);
    }

    private void OnTimer(Tx tx)
    {
        if (tx.S.Deadline is not { } deadline)
        {
            throw tx.Reject("no timer is set (the limit floor holds indefinitely in LimitOnly mode)");
        }
        if (tx.Now < deadline)
        {
            // An early or duplicate wake-up: nothing is due yet; the step's NextDeadline re-arms the timer.
            return;
        }
        switch (tx.S.Status)
        {
            case CreditStatus.Arrears when policy.ArrearsMode == ArrearsMode.DisconnectAfterNotice:
                CutDue(tx);
                break;
            case CreditStatus.Arrears:
                ApplyStep(tx, 0);
                break;
            case CreditStatus.Limited when tx.S.LimitStep < policy.Limiting!.FloorStep:
                ApplyStep(tx, tx.S.LimitStep + 1);
                break;
            default:
                CutDue(tx);
                break;
        }
    }

    private void ApplyStep(Tx tx, int step)
    {
        var limiting = policy.Limiting!;
        var kw = limiting.KilowattsAt(step);
        var next = limiting.Interval.Unit == LimitIntervalUnit.Months
            ? calendar.AddLocalMonths(tx.Now, limiting.Interval.Count)
            : calendar.AddLocalDays(tx.Now, limiting.Interval.Count);
        DateTimeOffset? deadline = step < limiting.FloorStep ? next
            : policy.ArrearsMode == ArrearsMode.LimitOnly ? null
            : Later(next, (tx.S.NoticeServedAt ?? tx.Now) + policy.NoticePeriod);
        tx.S = tx.S with { LimitStep = step, Deadline = deadline };
        tx.Go(CreditStatus.Limited);
        tx.Order(new LimitTo(kw));
        tx.Emit(CreditEventCodes.LimitStepApplied, e => e with { Level = step + 1, Kilowatts = kw, Until = deadline });
    }

    // The arrears cut is due now: order it, unless a protection covers now (then defer to the first unprotected instant).
    private void CutDue(Tx tx)
    {
        tx.S = tx.S with { Protections = tx.S.Protections.Pruned(tx.Now) };
        var protection = calendar.Evaluate(tx.Now, tx.S.Protections);
        if (protection.IsProtected)
        {
            Defer(tx, protection);
            return;
        }
        tx.S = tx.S with { Deadline = null };
        tx.Go(CreditStatus.DisconnectionDue);
        tx.Order(new Disconnect(DisconnectReason.Arrears, "arrears"));
        tx.Emit(CreditEventCodes.DisconnectionDue, e => e with { Balance = tx.S.Balance });
    }

    private static void Defer(Tx tx, ProtectionStatus protection)
    {
        // With no unprotected instant within the horizon, look again at the horizon rather than never.
        var until = protection.Until ?? tx.Now + ProtectionCalendar.SearchHorizon;
        tx.S = tx.S with { Deadline = until };
        tx.Go(CreditStatus.DisconnectionDeferred);
        tx.Emit(CreditEventCodes.DisconnectionDeferredProtected, e => e with { Reason = $"{protection.Kind}: {protection.Reason}", Until = protection.Until });
    }

    // Brings supply back to what the arrears process allows before the cut: the current limit step, or full supply.
    private void Restore(Tx tx)
    {
        if (tx.S.LimitStep >= 0)
        {
            var kw = policy.Limiting!.KilowattsAt(tx.S.LimitStep);
            tx.Order(new LimitTo(kw));
            tx.Emit(CreditEventCodes.Reconnected, e => e with { Kilowatts = kw });
        }
        else
        {
            tx.Order(new Reconnect());
            tx.Emit(CreditEventCodes.Reconnected);
        }
    }

    private static void OnDisconnectConfirmed(Tx tx)
    {
        if (tx.S.Status == CreditStatus.DisconnectionDue)
        {
            tx.S = tx.S with { LimitStep = -1 };
            tx.Go(CreditStatus.Disconnected);
            tx.Emit(CreditEventCodes.Disconnected, e => e with { Reason = "arrears" });
            return;
        }
        var reason = tx.S.Status == CreditStatus.SafetyTripped ? "safety: " + tx.S.SafetyCause : "enforcement: " + tx.S.EnforcementReason;
        tx.Emit(CreditEventCodes.Disconnected, e => e with { Reason = reason });
    }

    private void OnProtectionAdded(Tx tx)
    {
        var p = ((ProtectionAdded)tx.Trigger).Protection;
        if (p.Until <= tx.Now)
        {
            throw new ArgumentException($"The {p.Kind} protection ends at {p.Until:u}, which is not after now ({tx.Now:u}); give a future end.", "trigger");
        }
        tx.S = tx.S with { Protections = tx.S.Protections.Pruned(tx.Now).With(p) };
        tx.Emit(CreditEventCodes.ProtectionAdded, e => e with { Reason = $"{p.Kind}: {p.Reason}", Until = p.Until, OperatorId = p.OperatorId });
        switch (tx.S.Status)
        {
            case CreditStatus.DisconnectionDue or CreditStatus.Disconnected:
                Restore(tx);
                Defer(tx, calendar.Evaluate(tx.Now, tx.S.Protections));
                break;
            case CreditStatus.DisconnectionDeferred:
                var protection = calendar.Evaluate(tx.Now, tx.S.Protections);
                if ((protection.Until ?? tx.Now + ProtectionCalendar.SearchHorizon) != tx.S.Deadline)
                {
                    Defer(tx, protection);
                }
                break;
        }
    }

    private void OnProtectionRemoved(Tx tx)
    {
        var removed = (ProtectionRemoved)tx.Trigger;
        var current = tx.S.Protections.Pruned(tx.Now);
        if (current.Get(removed.Protection) is null)
        {
            throw tx.Reject($"the account has no active {removed.Protection} protection to remove");
        }
        tx.S = tx.S with { Protections = current.Without(removed.Protection) };
        tx.Emit(CreditEventCodes.ProtectionRemoved, e => e with { Reason = removed.Protection.ToString(), OperatorId = removed.OperatorId });
        if (tx.S.Status == CreditStatus.DisconnectionDeferred)
        {
            CutDue(tx);
        }
    }

    private static void OnEnforcementCut(Tx tx)
    {
        var cut = (EnforcementCut)tx.Trigger;
        tx.Emit(CreditEventCodes.EnforcementCut, e => e with { Reason = cut.Reason, OperatorId = cut.OperatorId });
        tx.S = tx.S with { EnforcementReason = cut.Reason };
        if (tx.S.Status == CreditStatus.SafetyTripped)
        {
            return; // supply is already off; clearing the trip will return to the enforcement cut
        }
        tx.S = tx.S with { HeldFrom = tx.S.Status };
        tx.Go(CreditStatus.EnforcementCut);
        tx.Order(new Disconnect(DisconnectReason.Enforcement, cut.Reason));
    }

    private void OnEnforcementLifted(Tx tx)
    {
        var lifted = (EnforcementLifted)tx.Trigger;
        if (tx.S.EnforcementReason is null)
        {
            throw tx.Reject("no enforcement cut is in force");
        }
        tx.S = tx.S with { EnforcementReason = null };
        tx.Emit(CreditEventCodes.EnforcementLifted, e => e with { Reason = lifted.Reason, OperatorId = lifted.OperatorId });
        if (tx.S.Status == CreditStatus.EnforcementCut)
        {
            Resume(tx);
        }
    }

    private static void OnSafetyTripped(Tx tx)
    {
        var trip = (SafetyTripped)tx.Trigger;
        if (tx.S.HeldFrom is null)
        {
            tx.S = tx.S with { HeldFrom = tx.S.Status };
        }
        tx.S = tx.S with { SafetyCause = trip.Cause };
        tx.Go(CreditStatus.SafetyTripped);
        tx.Emit(CreditEventCodes.SafetyTripped, e => e with { Reason = trip.Cause });
    }

    private void OnSafetyCleared(Tx tx)
    {
        var cleared = (SafetyCleared)tx.Trigger;
        tx.S = tx.S with { SafetyCause = null };
        tx.Emit(CreditEventCodes.SafetyCleared, e => e with { Reason = cleared.Note, OperatorId = cleared.OperatorId });
        if (tx.S.EnforcementReason is { } reason)
        {
            tx.Go(CreditStatus.EnforcementCut);
            tx.Order(new Disconnect(DisconnectReason.Enforcement, reason));
            return;
        }
        Resume(tx);
    }

    // After a hold (enforcement or safety) the normal rules decide, starting from the status the hold interrupted.
    private void Resume(Tx tx)
    {
        var previous = tx.S.HeldFrom ?? CreditStatus.InCredit;
        tx.S = tx.S with { HeldFrom = null };
        if (Live.Contains(previous))
        {
            tx.Order(new Reconnect());
            tx.Emit(CreditEventCodes.Reconnected);
            tx.Go(previous);
            Settle(tx, topUp: false, daysLeft: null);
            return;
        }
        if (tx.S.Balance >= policy.ReconnectThreshold)
        {
            tx.S = tx.S with { LimitStep = -1 };
            Restore(tx);
            tx.Emit(CreditEventCodes.ArrearsCleared, e => e with { Balance = tx.S.Balance });
            tx.S = tx.S with { NoticeServedAt = null, Deadline = null, EmergencyCreditExhausted = false };
            Rearm(tx, null);
            tx.Go(LiveStatus(tx.S));
            return;
        }
        switch (previous)
        {
            case CreditStatus.Disconnected:
                tx.Go(CreditStatus.Disconnected);
                // A protection granted during the hold restores supply, as it would have in Disconnected.
                var protections = tx.S.Protections.Pruned(tx.Now);
                if (!protections.IsEmpty)
                {
                    tx.S = tx.S with { Protections = protections };
                    Restore(tx);
                    Defer(tx, calendar.Evaluate(tx.Now, protections));
                }
                break;
            case CreditStatus.DisconnectionDue:
                var protection = calendar.Evaluate(tx.Now, tx.S.Protections.Pruned(tx.Now));
                if (protection.IsProtected)
                {
                    Restore(tx);
                    Defer(tx, protection);
                }
                else
                {
                    tx.Go(CreditStatus.DisconnectionDue);
                    tx.Order(new Disconnect(DisconnectReason.Arrears, "arrears"));
                    tx.Emit(CreditEventCodes.DisconnectionDue, e => e with { Balance = tx.S.Balance });
                }
                break;
            default: // Arrears, Limited, DisconnectionDeferred: supply back as it was; the paused deadline applies again.
                Restore(tx);
                tx.Go(previous);
                break;
        }
    }

    private void CheckCurrency(Money balance)
    {
        if (balance.Currency != policy.Currency)
        {
            throw new ArgumentException(
                $"The balance is in {(balance.Currency.IsDefined ? balance.Currency.Code : "no currency")} but the credit policy is in {policy.Currency}.",
                nameof(balance));
        }
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static FrozenDictionary<(CreditStatus, CreditTriggerKind), Row> Rows(
        params (CreditStatus[] From, CreditTriggerKind Trigger, Handler Handle, CreditStatus[] To)[] lines)
    {
        var rows = new Dictionary<(CreditStatus, CreditTriggerKind), Row>();
        foreach (var (from, trigger, handle, to) in lines)
        {
            foreach (var status in from)
            {
                // TryAdd fails on a duplicate pair: the table must have one row per pair.
                if (!rows.TryAdd((status, trigger), new Row(status, trigger, handle, to.ToFrozenSet())))
                {
                    throw new InvalidOperationException($"The credit transition table has two rows for {trigger} in state {status}.");
                }
            }
        }
        return rows.ToFrozenDictionary();
    }

    /// <summary>One transition in progress: the working state, and what it emits. Discarded when a guard rejects.</summary>
    private sealed class Tx(CreditState start, CreditTrigger trigger, DateTimeOffset now)
    {
        private readonly CreditState start = start;
        private readonly List<CreditEvent> events = [];
        private readonly List<SupplyOrder> orders = [];

        public CreditState S { get; set; } = start;

        public CreditTrigger Trigger { get; } = trigger;

        public DateTimeOffset Now { get; } = now;

        public void Go(CreditStatus status)
        {
            if (S.Status != status)
            {
                S = S with { Status = status, Since = Now };
            }
        }

        public void Emit(string code, Func<CreditEvent, CreditEvent>? details = null)
        {
            var e = new CreditEvent(code, Now, start.Status, start.Status);
            events.Add(details is null ? e : details(e));
        }

        public void Order(SupplyOrder order) => orders.Add(order);

        public InvalidCreditTransitionException Reject(string why) => new(start.Status, Trigger.Kind, why);

        public CreditStep Finish() => new(S, events.Select(e => e with { To = S.Status }).ToArray(), orders.ToArray());
    }
}
