namespace PrepaidPower.Domain.Supply;

/// <summary>What a supply command asks the meter to do.</summary>
public enum SupplyCommandKind
{
    /// <summary>Close the relay (if open) and set the power limit to <see cref="SupplyCommand.Limit"/>.</summary>
    SetLimit = 1,

    /// <summary>Open the relay.</summary>
    Open = 2,

    /// <summary>Close the relay and remove any power limit (full supply).</summary>
    Close = 3,
}

/// <summary>
/// A command for the concentrator to write to the meter. <see cref="Id"/> is the caller's id and stays the same on
/// every retry (so the device path can de-duplicate); <see cref="Attempt"/> counts sends from 1. <see cref="Limit"/> is
/// the target for <see cref="SupplyCommandKind.SetLimit"/> and null otherwise.
/// </summary>
public sealed record SupplyCommand(Guid Id, SupplyCommandKind Kind, PowerLimit? Limit, int Attempt)
{
    /// <summary>The relay status that confirms this command when read back.</summary>
    public RelayStatus ExpectedStatus => ExpectedFor(Kind, Limit);

    internal static RelayStatus ExpectedFor(SupplyCommandKind kind, PowerLimit? limit) => kind switch
    {
        SupplyCommandKind.Open => RelayStatus.Open,
        SupplyCommandKind.Close => RelayStatus.Closed,
        SupplyCommandKind.SetLimit => RelayStatus.ClosedLimited(limit ?? throw new InvalidOperationException("SetLimit without a limit.")),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown supply command kind."),
    };
}

/// <summary>
/// The one command awaiting confirmation. <see cref="Attempts"/> = sends so far (1 after the first send);
/// <see cref="NextRetryAt"/> (UTC) = when a <see cref="SupplyTrigger.Timeout"/> for it is due.
/// </summary>
public readonly record struct PendingCommand(Guid Id, SupplyCommandKind Kind, PowerLimit? Limit, int Attempts, DateTimeOffset NextRetryAt)
{
    public RelayStatus ExpectedStatus => SupplyCommand.ExpectedFor(Kind, Limit);

    internal SupplyCommand ToCommand() => new(Id, Kind, Limit, Attempts);
}
