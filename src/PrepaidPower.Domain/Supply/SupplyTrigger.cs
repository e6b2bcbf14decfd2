namespace PrepaidPower.Domain.Supply;

/// <summary>The trigger kinds: the columns of the supply transition table.</summary>
public enum SupplyTriggerKind
{
    RequestLimit,
    RequestDisconnect,
    RequestReconnect,
    Confirmed,
    StatusObserved,
    Timeout,
    SafetyEvent,
    ClearSafety,
}

/// <summary>Something that happens to a meter's supply; applied by <see cref="SupplyMachine.Apply"/>.</summary>
public abstract record SupplyTrigger
{
    private protected SupplyTrigger()
    {
    }

    public abstract SupplyTriggerKind Kind { get; }

    /// <summary>The account orders a power limit (closes the relay if open). <paramref name="CommandId"/> is the order's id.</summary>
    public sealed record RequestLimit(PowerLimit Limit, Guid CommandId) : SupplyTrigger
    {
        public override SupplyTriggerKind Kind => SupplyTriggerKind.RequestLimit;
    }

    /// <summary>The account or an operator orders the relay open.</summary>
    public sealed record RequestDisconnect(Guid CommandId, DisconnectReason Reason) : SupplyTrigger
    {
        public override SupplyTriggerKind Kind => SupplyTriggerKind.RequestDisconnect;
    }

    /// <summary>The account orders full supply (relay closed, no limit).</summary>
    public sealed record RequestReconnect(Guid CommandId) : SupplyTrigger
    {
        public override SupplyTriggerKind Kind => SupplyTriggerKind.RequestReconnect;
    }

    /// <summary>The relay status read back after the command <paramref name="CommandId"/> was written.</summary>
    public sealed record Confirmed(Guid CommandId, RelayStatus Observed) : SupplyTrigger
    {
        public override SupplyTriggerKind Kind => SupplyTriggerKind.Confirmed;
    }

    /// <summary>A routine relay status read (not tied to a command).</summary>
    public sealed record StatusObserved(RelayStatus Observed) : SupplyTrigger
    {
        public override SupplyTriggerKind Kind => SupplyTriggerKind.StatusObserved;
    }

    /// <summary>The retry timer of <paramref name="CommandId"/> fired.</summary>
    public sealed record Timeout(Guid CommandId) : SupplyTrigger
    {
        public override SupplyTriggerKind Kind => SupplyTriggerKind.Timeout;
    }

    /// <summary>The meter or breaker reported a safety event. The machine orders the relay open with
    /// <paramref name="CommandId"/> even if the device already opened it (the write is idempotent and its
    /// read-back proves the supply is off).</summary>
    public sealed record SafetyEvent(SafetyEventKind EventKind, Guid CommandId) : SupplyTrigger
    {
        public override SupplyTriggerKind Kind => SupplyTriggerKind.SafetyEvent;
    }

    /// <summary>An operator clears a safety trip after inspection. The relay stays open.</summary>
    public sealed record ClearSafety(string OperatorId) : SupplyTrigger
    {
        public override SupplyTriggerKind Kind => SupplyTriggerKind.ClearSafety;
    }
}
