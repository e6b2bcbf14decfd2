using System.Collections.Frozen;

namespace PrepaidPower.Domain.Supply;

/// <summary>
/// The supply (relay) state machine of one meter. <see cref="Apply"/> takes a state and a trigger and returns the next
/// state plus the commands, alarms and events it causes; it never mutates its input and holds no per-meter data, so
/// one instance serves every meter. All transitions live in one table (<see cref="Transitions"/>); a (state, trigger)
/// pair that is not in it is rejected with <see cref="InvalidSupplyTransitionException"/> and changes nothing.
/// </summary>
/// <remarks>
/// Decisions: a settled state changes only on a confirmation whose command id matches the pending command; a
/// confirmation or timeout for any other id (a duplicate after a retry, a superseded order) is ignored with an event,
/// never an error, because late and repeated acknowledgements are normal on a retrying device path. A newer order
/// supersedes a pending one. A routine status read that contradicts a settled state is drift: the state becomes
/// Unknown with an alarm, and the next read is adopted.
/// </remarks>
public sealed class SupplyMachine
{
    private delegate SupplyTransition Handler(SupplyMachine machine, SupplyState state, SupplyTrigger trigger, DateTimeOffset now);

    private sealed record Row(IReadOnlyList<SupplyStatus> Targets, Handler Handle);

    private static readonly SupplyStatus[] Settled = [SupplyStatus.Connected, SupplyStatus.Limited, SupplyStatus.Disconnected];

    // THE transition table: (state, trigger) → possible next states and the handler that picks one.
    private static readonly FrozenDictionary<(SupplyStatus, SupplyTriggerKind), Row> Table = BuildTable();

    private readonly SupplyOptions _options;
    private readonly TimeProvider _time;

    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public SupplyMachine(SupplyOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        options.Validate();
        _options = options;
        _time = time;
    }

    public SupplyOptions Options => _options;

    /// <summary>Every allowed (state, trigger) pair with the states it can lead to.</summary>
    public static IReadOnlyDictionary<(SupplyStatus State, SupplyTriggerKind Trigger), IReadOnlyList<SupplyStatus>> Transitions { get; } =
        Table.ToFrozenDictionary(kv => kv.Key, kv => kv.Value.Targets);

    /// <summary>True when the table allows <paramref name="trigger"/> in <paramref name="state"/>.</summary>
    public static bool Allows(SupplyStatus state, SupplyTriggerKind trigger) => Table.ContainsKey((state, trigger));

    /// <summary>Applies a trigger at the current time of the injected <see cref="TimeProvider"/>.</summary>
    /// <exception cref="InvalidSupplyTransitionException">The table does not allow the trigger in this state.</exception>
    /// <exception cref="ArgumentException">The trigger carries an empty command id, a default limit, no operator, or
    /// reuses the pending command's id for a different order.</exception>
    public SupplyTransition Apply(SupplyState state, SupplyTrigger trigger)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(trigger);
        if (!Table.TryGetValue((state.Status, trigger.Kind), out var row))
        {
            throw new InvalidSupplyTransitionException(state.Status, trigger.Kind, WhyRejected(state.Status, trigger.Kind));
        }
        ValidatePayload(trigger);
        var result = row.Handle(this, state, trigger, _time.GetUtcNow());
        if (!row.Targets.Contains(result.Next.Status))
        {
            throw new InvalidOperationException(
                $"Bug: {trigger.Kind} in {state.Status} produced {result.Next.Status}, which the transition table does not list.");
        }
        return result;
    }

    private static FrozenDictionary<(SupplyStatus, SupplyTriggerKind), Row> BuildTable()
    {
        var t = new Dictionary<(SupplyStatus, SupplyTriggerKind), Row>();
        void Add(SupplyStatus from, SupplyTriggerKind on, Handler handler, params SupplyStatus[] to) => t.Add((from, on), new Row(to, handler));

        const SupplyStatus Unknown = SupplyStatus.Unknown, Connected = SupplyStatus.Connected,
            LimitRequested = SupplyStatus.LimitRequested, Limited = SupplyStatus.Limited,
            DisconnectRequested = SupplyStatus.DisconnectRequested, Disconnected = SupplyStatus.Disconnected,
            ReconnectRequested = SupplyStatus.ReconnectRequested, SafetyTripped = SupplyStatus.SafetyTripped;

        // Orders. The "same state" target is a duplicate order (same id) or a deferred arrears cutoff.
        foreach (var s in new[] { Connected, LimitRequested, Limited, DisconnectRequested, Disconnected, ReconnectRequested, Unknown })
        {
            Add(s, SupplyTriggerKind.RequestLimit, OnRequest, LimitRequested, s);
        }
        foreach (var s in new[] { Connected, LimitRequested, Limited, DisconnectRequested, ReconnectRequested, Unknown })
        {
            Add(s, SupplyTriggerKind.RequestDisconnect, OnRequest, DisconnectRequested, s);
        }
        foreach (var s in new[] { LimitRequested, Limited, DisconnectRequested, Disconnected, ReconnectRequested, Unknown })
        {
            Add(s, SupplyTriggerKind.RequestReconnect, OnRequest, ReconnectRequested, s);
        }

        // Confirmations: only the pending command's id counts; anything else is ignored (same state).
        foreach (var s in new[] { Connected, Limited, Disconnected, Unknown })
        {
            Add(s, SupplyTriggerKind.Confirmed, OnConfirmed, s);
        }
        Add(LimitRequested, SupplyTriggerKind.Confirmed, OnConfirmed, Limited, Unknown, LimitRequested);
        Add(DisconnectRequested, SupplyTriggerKind.Confirmed, OnConfirmed, Disconnected, Unknown, DisconnectRequested);
        Add(ReconnectRequested, SupplyTriggerKind.Confirmed, OnConfirmed, Connected, Unknown, ReconnectRequested);
        Add(SafetyTripped, SupplyTriggerKind.Confirmed, OnConfirmed, SafetyTripped);

        // Routine reads: drift out of a settled state, adoption out of Unknown, recorded otherwise.
        foreach (var s in Settled)
        {
            Add(s, SupplyTriggerKind.StatusObserved, OnStatusObserved, s, Unknown);
        }
        foreach (var s in new[] { LimitRequested, DisconnectRequested, ReconnectRequested, SafetyTripped })
        {
            Add(s, SupplyTriggerKind.StatusObserved, OnStatusObserved, s);
        }
        Add(Unknown, SupplyTriggerKind.StatusObserved, OnStatusObserved, Connected, Limited, Disconnected);

        // Retry timers: retry or give up to Unknown; a safety trip stays tripped; no pending command = stale timer.
        foreach (var s in new[] { Connected, Limited, Disconnected, Unknown, SafetyTripped })
        {
            Add(s, SupplyTriggerKind.Timeout, OnTimeout, s);
        }
        foreach (var s in new[] { LimitRequested, DisconnectRequested, ReconnectRequested })
        {
            Add(s, SupplyTriggerKind.Timeout, OnTimeout, s, Unknown);
        }

        // Safety wins from anywhere; only an operator leaves it.
        foreach (var s in Enum.GetValues<SupplyStatus>())
        {
            Add(s, SupplyTriggerKind.SafetyEvent, OnSafetyEvent, SafetyTripped);
        }
        Add(SafetyTripped, SupplyTriggerKind.ClearSafety, OnClearSafety, Disconnected, Unknown);

        return t.ToFrozenDictionary();
    }

    private static string WhyRejected(SupplyStatus state, SupplyTriggerKind trigger) => (state, trigger) switch
    {
        (SupplyStatus.SafetyTripped, _) => "the supply is safety-tripped; an operator must inspect and clear it (ClearSafety) before any order.",
        (_, SupplyTriggerKind.ClearSafety) => "only a safety-tripped supply can be cleared.",
        (SupplyStatus.Connected, SupplyTriggerKind.RequestReconnect) => "the supply is already connected with no limit.",
        (SupplyStatus.Disconnected, SupplyTriggerKind.RequestDisconnect) => "the supply is already disconnected.",
        _ => "the pair is not in the supply transition table.",
    };

    private static void ValidatePayload(SupplyTrigger trigger)
    {
        switch (trigger)
        {
            case SupplyTrigger.RequestLimit { Limit.IsDefined: false }:
                throw new ArgumentException("RequestLimit needs a power limit (default is not one); build it with PowerLimit.FromKilowatts.", nameof(trigger));
            case SupplyTrigger.ClearSafety c when string.IsNullOrWhiteSpace(c.OperatorId):
                throw new ArgumentException("ClearSafety needs the id of the operator who inspected the installation.", nameof(trigger));
            case SupplyTrigger.RequestDisconnect d when !Enum.IsDefined(d.Reason):
                throw new ArgumentException($"RequestDisconnect has an unknown reason {(int)d.Reason}.", nameof(trigger));
            case SupplyTrigger.SafetyEvent e when !Enum.IsDefined(e.EventKind):
                throw new ArgumentException($"SafetyEvent has an unknown kind {(int)e.EventKind}.", nameof(trigger));
        }
        var id = trigger switch
        {
            SupplyTrigger.RequestLimit r => r.CommandId,
            SupplyTrigger.RequestDisconnect r => r.CommandId,
            SupplyTrigger.RequestReconnect r => r.CommandId,
            SupplyTrigger.Confirmed r => r.CommandId,
            SupplyTrigger.Timeout r => r.CommandId,
            SupplyTrigger.SafetyEvent r => r.CommandId,
            _ => (Guid?)null,
        };
        if (id == Guid.Empty)
        {
            throw new ArgumentException($"{trigger.Kind} needs a command id; Guid.Empty is not one.", nameof(trigger));
        }
    }

    private static SupplyTransition OnRequest(SupplyMachine m, SupplyState s, SupplyTrigger trigger, DateTimeOffset now)
    {
        var (id, kind, limit, target) = trigger switch
        {
            SupplyTrigger.RequestLimit r => (r.CommandId, SupplyCommandKind.SetLimit, (PowerLimit?)r.Limit, SupplyStatus.LimitRequested),
            SupplyTrigger.RequestDisconnect r => (r.CommandId, SupplyCommandKind.Open, null, SupplyStatus.DisconnectRequested),
            SupplyTrigger.RequestReconnect r => (r.CommandId, SupplyCommandKind.Close, null, SupplyStatus.ReconnectRequested),
            _ => throw new InvalidOperationException($"OnRequest got {trigger.Kind}."),
        };

        if (IsDuplicate(s, id, kind, limit, trigger.Kind))
        {
            return Stay(s, new SupplyEvent(SupplyCodes.DuplicateRequest, s.Status, s.Status, id, $"{kind} order {id} was already received; nothing sent again."));
        }

        if (trigger is SupplyTrigger.RequestDisconnect { Reason: DisconnectReason.Arrears }
            && !s.IsStatusFresh(now, m._options.MaxStatusAgeForCutoff))
        {
            var age = s.LastStatusAt is { } at ? $"last read at {at:O}" : "never read";
            return new SupplyTransition(
                s,
                [],
                [new SupplyAlarm(SupplyCodes.CutoffStaleStatus, AlarmSeverity.Warning, id,
                    $"Arrears cutoff {id} not sent: relay status {age}, older than {m._options.MaxStatusAgeForCutoff}. Read the relay status, then order again.")],
                [new SupplyEvent(SupplyCodes.CutoffDeferred, s.Status, s.Status, id, "Arrears cutoff deferred: relay status is stale.")]);
        }

        var events = new List<SupplyEvent>(2);
        if (s.Pending is { } old)
        {
            events.Add(new SupplyEvent(SupplyCodes.CommandSuperseded, s.Status, target, old.Id, $"{old.Kind} command {old.Id} superseded by {kind} command {id}."));
        }
        var pending = new PendingCommand(id, kind, limit, 1, now + m._options.WaitAfter(1, id));
        events.Add(new SupplyEvent(SupplyCodes.CommandIssued, s.Status, target, id, Describe(kind, limit)));
        var next = s with { Status = target, Limit = null, Pending = pending, TrippedBy = null };
        return new SupplyTransition(next, [pending.ToCommand()], [], events);
    }

    private static bool IsDuplicate(SupplyState s, Guid id, SupplyCommandKind kind, PowerLimit? limit, SupplyTriggerKind triggerKind)
    {
        if (s.Pending is { } p && p.Id == id)
        {
            return p.Kind == kind && p.Limit == limit
                ? true
                : throw new ArgumentException(
                    $"Command id {id} is already pending as {Describe(p.Kind, p.Limit)}; a {triggerKind} needs a new command id.", nameof(id));
        }
        // A re-delivered order whose command was already confirmed: the settled state is its result.
        return s.LastConfirmedCommandId == id && s.Status == ExpectedSettledState(kind);
    }

    private static SupplyTransition OnConfirmed(SupplyMachine m, SupplyState s, SupplyTrigger trigger, DateTimeOffset now)
    {
        var c = (SupplyTrigger.Confirmed)trigger;
        if (s.Pending is not { } p || p.Id != c.CommandId)
        {
            return Stay(s, new SupplyEvent(SupplyCodes.StaleConfirmationIgnored, s.Status, s.Status, c.CommandId,
                $"Confirmation of {c.CommandId} ignored: it is not the pending command ({(s.Pending is { } q ? q.Id.ToString() : "none")})."));
        }

        var recorded = s with { Pending = null, LastStatus = c.Observed, LastStatusAt = now, LastConfirmedCommandId = p.Id };
        if (s.Status == SupplyStatus.SafetyTripped)
        {
            IReadOnlyList<SupplyAlarm> alarms = c.Observed.Position == RelayPosition.Open
                ? []
                : [new SupplyAlarm(SupplyCodes.RelayClosedWhileTripped, AlarmSeverity.Critical, p.Id, $"Safety open {p.Id} read back {c.Observed}; the supply is live on a tripped installation.")];
            return new SupplyTransition(recorded, [], alarms,
                [new SupplyEvent(SupplyCodes.CommandConfirmed, s.Status, s.Status, p.Id, $"Safety open read back: {c.Observed}.")]);
        }

        if (c.Observed == p.ExpectedStatus)
        {
            var target = ExpectedSettledState(p.Kind);
            var next = recorded with { Status = target, Limit = target == SupplyStatus.Limited ? p.Limit : null };
            return new SupplyTransition(next, [], [],
                [new SupplyEvent(SupplyCodes.CommandConfirmed, s.Status, target, p.Id, $"{Describe(p.Kind, p.Limit)} confirmed: relay {c.Observed}.")]);
        }

        var unknown = recorded with { Status = SupplyStatus.Unknown, Limit = null };
        return new SupplyTransition(unknown, [],
            [new SupplyAlarm(SupplyCodes.ConfirmationMismatch, AlarmSeverity.Critical, p.Id,
                $"{Describe(p.Kind, p.Limit)} read back {c.Observed}, expected {p.ExpectedStatus}; supply state unknown until the next read or order.")],
            [new SupplyEvent(SupplyCodes.ConfirmationMismatch, s.Status, SupplyStatus.Unknown, p.Id, $"Expected {p.ExpectedStatus}, read {c.Observed}.")]);
    }

    private static SupplyTransition OnStatusObserved(SupplyMachine m, SupplyState s, SupplyTrigger trigger, DateTimeOffset now)
    {
        var observed = ((SupplyTrigger.StatusObserved)trigger).Observed;
        var recorded = s with { LastStatus = observed, LastStatusAt = now };
        switch (s.Status)
        {
            case SupplyStatus.Unknown:
                var adopted = observed.Position == RelayPosition.Open ? SupplyStatus.Disconnected
                    : observed.Limit is null ? SupplyStatus.Connected : SupplyStatus.Limited;
                return new SupplyTransition(recorded with { Status = adopted, Limit = observed.Limit }, [], [],
                    [new SupplyEvent(SupplyCodes.StatusAdopted, s.Status, adopted, null, $"Relay read {observed}; adopted.")]);

            case SupplyStatus.Connected or SupplyStatus.Limited or SupplyStatus.Disconnected:
                var expected = SettledStatus(s);
                if (observed == expected)
                {
                    return Stay(recorded, new SupplyEvent(SupplyCodes.StatusRecorded, s.Status, s.Status, null, $"Relay read {observed}."));
                }
                return new SupplyTransition(recorded with { Status = SupplyStatus.Unknown, Limit = null }, [],
                    [new SupplyAlarm(SupplyCodes.StatusDrift, AlarmSeverity.Critical, null,
                        $"Relay read {observed} but the supply was {s}; something outside the platform changed it.")],
                    [new SupplyEvent(SupplyCodes.StatusDrift, s.Status, SupplyStatus.Unknown, null, $"Expected {expected}, read {observed}.")]);

            case SupplyStatus.SafetyTripped when observed.Position == RelayPosition.Closed:
                return new SupplyTransition(recorded, [],
                    [new SupplyAlarm(SupplyCodes.RelayClosedWhileTripped, AlarmSeverity.Critical, null, $"Relay read {observed} while safety-tripped.")],
                    [new SupplyEvent(SupplyCodes.StatusRecorded, s.Status, s.Status, null, $"Relay read {observed}.")]);

            default:
                // A pending command is confirmed only by its own read-back; a routine read is just recorded.
                return Stay(recorded, new SupplyEvent(SupplyCodes.StatusRecorded, s.Status, s.Status, null, $"Relay read {observed}."));
        }
    }

    private static SupplyTransition OnTimeout(SupplyMachine m, SupplyState s, SupplyTrigger trigger, DateTimeOffset now)
    {
        var id = ((SupplyTrigger.Timeout)trigger).CommandId;
        if (s.Pending is not { } p || p.Id != id || now < p.NextRetryAt)
        {
            // A timer of a confirmed or superseded command, or one armed for an earlier attempt.
            return Stay(s, new SupplyEvent(SupplyCodes.StaleTimeoutIgnored, s.Status, s.Status, id, "Timeout ignored: not due for the pending command."));
        }

        if (p.Attempts < m._options.MaxAttempts)
        {
            var attempt = p.Attempts + 1;
            var retried = p with { Attempts = attempt, NextRetryAt = now + m._options.WaitAfter(attempt, id) };
            IReadOnlyList<SupplyAlarm> alarms = attempt == 2
                ? [new SupplyAlarm(SupplyCodes.CommandUnconfirmed, AlarmSeverity.Warning, id, $"{Describe(p.Kind, p.Limit)} {id} not confirmed; retrying.")]
                : [];
            return new SupplyTransition(s with { Pending = retried }, [retried.ToCommand()], alarms,
                [new SupplyEvent(SupplyCodes.CommandRetried, s.Status, s.Status, id, $"Attempt {attempt} of {m._options.MaxAttempts}; next timeout at {retried.NextRetryAt:O}.")]);
        }

        if (s.Status == SupplyStatus.SafetyTripped)
        {
            return new SupplyTransition(s with { Pending = null }, [],
                [new SupplyAlarm(SupplyCodes.SafetyOpenUnconfirmed, AlarmSeverity.Critical, id,
                    $"Safety open {id} unconfirmed after {p.Attempts} attempts; send someone to isolate the supply.")],
                [new SupplyEvent(SupplyCodes.RetriesExhausted, s.Status, s.Status, id, "Safety open unconfirmed; still tripped.")]);
        }
        return new SupplyTransition(s with { Status = SupplyStatus.Unknown, Pending = null, Limit = null }, [],
            [new SupplyAlarm(SupplyCodes.RetriesExhausted, AlarmSeverity.Critical, id,
                $"{Describe(p.Kind, p.Limit)} {id} unconfirmed after {p.Attempts} attempts; supply state unknown.")],
            [new SupplyEvent(SupplyCodes.RetriesExhausted, s.Status, SupplyStatus.Unknown, id, $"Gave up after {p.Attempts} attempts.")]);
    }

    private static SupplyTransition OnSafetyEvent(SupplyMachine m, SupplyState s, SupplyTrigger trigger, DateTimeOffset now)
    {
        var e = (SupplyTrigger.SafetyEvent)trigger;
        if (s.Status == SupplyStatus.SafetyTripped
            && ((s.Pending is { } p && p.Id == e.CommandId) || s.LastConfirmedCommandId == e.CommandId))
        {
            return Stay(s, new SupplyEvent(SupplyCodes.DuplicateRequest, s.Status, s.Status, e.CommandId, $"Safety event {e.EventKind} with command {e.CommandId} already handled."));
        }

        var events = new List<SupplyEvent>(2);
        if (s.Pending is { } old && old.Id != e.CommandId)
        {
            events.Add(new SupplyEvent(SupplyCodes.CommandSuperseded, s.Status, SupplyStatus.SafetyTripped, old.Id, $"{old.Kind} command {old.Id} superseded by safety open {e.CommandId}."));
        }
        var pending = new PendingCommand(e.CommandId, SupplyCommandKind.Open, null, 1, now + m._options.WaitAfter(1, e.CommandId));
        // Keep the first cause: it is what the inspection must look at.
        var next = s with { Status = SupplyStatus.SafetyTripped, Limit = null, Pending = pending, TrippedBy = s.TrippedBy ?? e.EventKind };
        events.Add(new SupplyEvent(SupplyCodes.SafetyTripped, s.Status, SupplyStatus.SafetyTripped, e.CommandId, $"{e.EventKind}; relay ordered open."));
        return new SupplyTransition(next, [pending.ToCommand()],
            [new SupplyAlarm(SupplyCodes.SafetyTrip, AlarmSeverity.Critical, e.CommandId, $"Safety trip: {e.EventKind}. Supply stays off until an operator clears it after inspection.")],
            events);
    }

    private static SupplyTransition OnClearSafety(SupplyMachine m, SupplyState s, SupplyTrigger trigger, DateTimeOffset now)
    {
        var operatorId = ((SupplyTrigger.ClearSafety)trigger).OperatorId;
        var cleared = s with { Pending = null, TrippedBy = null };
        if (s.LastStatus is { Position: RelayPosition.Open })
        {
            return new SupplyTransition(cleared with { Status = SupplyStatus.Disconnected }, [], [],
                [new SupplyEvent(SupplyCodes.SafetyCleared, s.Status, SupplyStatus.Disconnected, null, $"Cleared by {operatorId} ({s.TrippedBy}); relay open.")]);
        }
        // We never saw the relay open: do not claim Disconnected.
        return new SupplyTransition(cleared with { Status = SupplyStatus.Unknown }, [],
            [new SupplyAlarm(SupplyCodes.ClearedWithoutOpenRelay, AlarmSeverity.Warning, null,
                $"Safety trip cleared by {operatorId} but the relay was never read back open; supply state unknown until the next read.")],
            [new SupplyEvent(SupplyCodes.SafetyCleared, s.Status, SupplyStatus.Unknown, null, $"Cleared by {operatorId} ({s.TrippedBy}); relay not seen open.")]);
    }

    private static SupplyTransition Stay(SupplyState s, SupplyEvent e) => new(s, [], [], [e]);

    private static SupplyStatus ExpectedSettledState(SupplyCommandKind kind) => kind switch
    {
        SupplyCommandKind.SetLimit => SupplyStatus.Limited,
        SupplyCommandKind.Open => SupplyStatus.Disconnected,
        SupplyCommandKind.Close => SupplyStatus.Connected,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private static RelayStatus SettledStatus(SupplyState s) => s.Status switch
    {
        SupplyStatus.Connected => RelayStatus.Closed,
        SupplyStatus.Limited => RelayStatus.ClosedLimited(s.Limit ?? throw new InvalidOperationException("Limited without a limit.")),
        SupplyStatus.Disconnected => RelayStatus.Open,
        _ => throw new InvalidOperationException($"{s.Status} is not settled."),
    };

    private static string Describe(SupplyCommandKind kind, PowerLimit? limit) =>
        kind == SupplyCommandKind.SetLimit ? $"SetLimit({limit})" : kind.ToString();
}
