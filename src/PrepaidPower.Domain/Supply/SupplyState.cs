namespace PrepaidPower.Domain.Supply;

/// <summary>
/// The supply state of one meter, small enough for grain state (no collections). Changed only by
/// <see cref="SupplyMachine.Apply"/>, which returns a new value. <see cref="Initial"/> is <see cref="SupplyStatus.Unknown"/>
/// with nothing pending and no status read yet.
/// </summary>
public sealed record SupplyState
{
    public static SupplyState Initial { get; } = new();

    public SupplyStatus Status { get; init; }

    /// <summary>The confirmed power limit while <see cref="SupplyStatus.Limited"/>; null in every other state.</summary>
    public PowerLimit? Limit { get; init; }

    /// <summary>The command awaiting confirmation, if any (at most one: a new order supersedes it).</summary>
    public PendingCommand? Pending { get; init; }

    /// <summary>The last relay status read back (from a confirmation or a routine read); null before the first.</summary>
    public RelayStatus? LastStatus { get; init; }

    /// <summary>When <see cref="LastStatus"/> was read (UTC); null before the first read.</summary>
    public DateTimeOffset? LastStatusAt { get; init; }

    /// <summary>The id of the last command confirmed, so a re-delivered order for it is recognised as a duplicate.</summary>
    public Guid? LastConfirmedCommandId { get; init; }

    /// <summary>What tripped the supply while <see cref="SupplyStatus.SafetyTripped"/>; null otherwise.</summary>
    public SafetyEventKind? TrippedBy { get; init; }

    /// <summary>
    /// True when a relay status was read back no longer than <paramref name="maxAge"/> before <paramref name="now"/>
    /// (inclusive). A read stamped after <paramref name="now"/> is not trusted and counts as stale. A cutoff for arrears
    /// needs this (and a fresh meter reading, which the account checks): never cut on stale data.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxAge"/> is negative.</exception>
    public bool IsStatusFresh(DateTimeOffset now, TimeSpan maxAge)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAge, TimeSpan.Zero);
        if (LastStatusAt is not { } at)
        {
            return false;
        }
        var age = now - at;
        return age >= TimeSpan.Zero && age <= maxAge;
    }

    public override string ToString() => Status switch
    {
        SupplyStatus.Limited => $"Limited({Limit})",
        SupplyStatus.SafetyTripped => $"SafetyTripped({TrippedBy})",
        _ when Pending is { } p => $"{Status}(command {p.Id}, attempt {p.Attempts})",
        _ => Status.ToString(),
    };
}
