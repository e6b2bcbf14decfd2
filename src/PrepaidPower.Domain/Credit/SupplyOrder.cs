namespace PrepaidPower.Domain.Credit;

/// <summary>Why the credit policy orders a disconnect.</summary>
public enum DisconnectReason
{
    Arrears = 1,
    Enforcement = 2,
}

/// <summary>
/// An instruction for the meter's supply machine, emitted as data. The supply machine executes and confirms; it must
/// treat a repeated order as a no-op. <see cref="Reconnect"/> means full supply (it also lifts any limit).
/// </summary>
public abstract record SupplyOrder;

/// <summary>Limit the allowed power to <paramref name="Kilowatts"/> (&gt; 0, whole watts).</summary>
public sealed record LimitTo(decimal Kilowatts) : SupplyOrder;

/// <summary>Open the relay.</summary>
public sealed record Disconnect(DisconnectReason Reason, string Detail) : SupplyOrder;

/// <summary>Restore full supply (close the relay, remove any limit).</summary>
public sealed record Reconnect : SupplyOrder;
