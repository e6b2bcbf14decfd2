namespace PrepaidPower.Notifications.Channels;

/// <summary>
/// Exponential backoff with "equal jitter": attempt n waits between half and all of <c>min(max, initial × 2^(n-1))</c>,
/// so that many senders retrying after the same outage spread out instead of arriving together.
/// </summary>
public static class Backoff
{
    /// <summary>The delay before retry number <paramref name="retry"/> (1 = first retry).</summary>
    /// <param name="retry">1 or more.</param>
    /// <param name="initial">The first delay's upper bound; more than zero.</param>
    /// <param name="max">The cap; at least <paramref name="initial"/>.</param>
    /// <param name="unitRandom">A number in [0, 1) — <c>Random.Shared.NextDouble()</c> in production, fixed in tests.</param>
    public static TimeSpan Delay(int retry, TimeSpan initial, TimeSpan max, double unitRandom)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(initial, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, initial);
        if (unitRandom is < 0 or >= 1 || double.IsNaN(unitRandom))
        {
            throw new ArgumentOutOfRangeException(nameof(unitRandom), unitRandom, "Must be in [0, 1).");
        }

        // Doubling stops at the cap: 2^62 ticks would overflow long long before max is reached.
        var ceiling = initial;
        for (var i = 1; i < retry && ceiling < max; i++)
        {
            ceiling = ceiling.Ticks > max.Ticks / 2 ? max : ceiling * 2;
        }

        if (ceiling > max)
        {
            ceiling = max;
        }

        var half = ceiling.Ticks / 2;
        return TimeSpan.FromTicks(half + (long)((ceiling.Ticks - half) * unitRandom));
    }
}
