namespace PrepaidPower.Domain.Supply;

/// <summary>Where the meter's supply relay is, as read back from the device.</summary>
public enum RelayPosition
{
    /// <summary>Relay open: no supply. The <c>default</c>, because "open" is the safe assumption.</summary>
    Open = 0,

    /// <summary>Relay closed: supply on, full or limited.</summary>
    Closed = 1,
}

/// <summary>
/// A relay status read back from a meter: the relay position and, when closed, the active power limit (none =
/// full supply). An open relay never carries a limit (the factory drops it: a configured limit is irrelevant while
/// the supply is off). <c>default</c> is <see cref="Open"/>.
/// </summary>
public readonly record struct RelayStatus
{
    private RelayStatus(RelayPosition position, PowerLimit? limit)
    {
        Position = position;
        Limit = limit;
    }

    public RelayPosition Position { get; }

    /// <summary>The active limit when closed and limited; null for full supply or an open relay.</summary>
    public PowerLimit? Limit { get; }

    /// <summary>Relay open (supply off).</summary>
    public static RelayStatus Open => default;

    /// <summary>Relay closed with no power limit (full supply).</summary>
    public static RelayStatus Closed => new(RelayPosition.Closed, null);

    /// <summary>Relay closed with a power limit.</summary>
    /// <exception cref="ArgumentException">The limit is <c>default</c>.</exception>
    public static RelayStatus ClosedLimited(PowerLimit limit) =>
        limit.IsDefined
            ? new RelayStatus(RelayPosition.Closed, limit)
            : throw new ArgumentException("A limited relay status needs a power limit (default is not one).", nameof(limit));

    /// <summary>Builds a status from a device read: position plus the limit register (null = no limit).</summary>
    public static RelayStatus From(RelayPosition position, PowerLimit? limit) => position switch
    {
        RelayPosition.Open => Open,
        RelayPosition.Closed when limit is { } l => ClosedLimited(l),
        RelayPosition.Closed => Closed,
        _ => throw new ArgumentOutOfRangeException(nameof(position), position, "Relay position must be Open or Closed."),
    };

    public override string ToString() => Position == RelayPosition.Open ? "open" : Limit is { } l ? $"closed, limited to {l}" : "closed";
}
