using PrepaidPower.Contracts.Concentrators;

namespace PrepaidPower.Grains.Concentrators;

/// <summary>
/// The one rule for a supply command's queue priority, used by the meter when it hands a command over and by the
/// concentrator when it picks a pending command up from a status report.
/// </summary>
internal static class CommandPriorities
{
    /// <param name="safetyTripped">The meter's supply is safety-tripped (its open goes first).</param>
    /// <param name="kind">What the command does.</param>
    /// <param name="enforcement">The order behind the command was an operator's enforcement cut.</param>
    /// <param name="relaySeenOpen">The last relay status read back was open.</param>
    /// <param name="relayLimitWatts">The limit of the last relay status read back when it was closed and limited; null
    /// when unlimited or not known.</param>
    /// <param name="limitWatts">The limit a <see cref="SupplyCommandType.SetLimit"/> sets, whole W.</param>
    public static CommandPriority For(bool safetyTripped, SupplyCommandType kind, bool enforcement, bool relaySeenOpen, int? relayLimitWatts, int? limitWatts) =>
        safetyTripped ? CommandPriority.Safety
        : kind == SupplyCommandType.Open && enforcement ? CommandPriority.Enforcement
        : kind == SupplyCommandType.Close ? CommandPriority.Restore
        // A limit on a relay that is off, or above the limit in force, gives supply back: it is a restore too.
        : kind == SupplyCommandType.SetLimit && (relaySeenOpen || relayLimitWatts < limitWatts) ? CommandPriority.Restore
        : CommandPriority.Supply;
}
