namespace PrepaidPower.Domain.Supply;

/// <summary>
/// Retry and freshness settings of the supply machine. The wait before retry n (n = 1 after the first send) is
/// <c>min(InitialWait · 2^(n−1), MaxWait) · (1 + JitterFraction · u)</c>, where u ∈ [0, 1) is derived
/// deterministically from <see cref="JitterSeed"/>, the command id and n — so a replayed history gives the same
/// schedule, while meters given different command ids spread out instead of retrying in lock-step.
/// </summary>
public sealed record SupplyOptions
{
    /// <summary>Wait for the first confirmation. Default 30 s (a concentrator poll cycle plus the write).</summary>
    public TimeSpan InitialWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Upper bound of the wait before jitter. Default 10 min.</summary>
    public TimeSpan MaxWait { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Sends in total (the first plus retries) before the state becomes Unknown. Default 5; 1 – 20.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Extra random share of each wait, 0 – 1. Default 0.2 (up to +20 %). 0 gives exact waits.</summary>
    public double JitterFraction { get; init; } = 0.2;

    /// <summary>Seed mixed into the jitter. Default 0.</summary>
    public ulong JitterSeed { get; init; }

    /// <summary>Oldest relay status an arrears cutoff may rely on. Default 15 min.</summary>
    public TimeSpan MaxStatusAgeForCutoff { get; init; } = TimeSpan.FromMinutes(15);

    public static SupplyOptions Default { get; } = new();

    /// <exception cref="ArgumentException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        if (InitialWait <= TimeSpan.Zero)
        {
            throw new ArgumentException($"SupplyOptions.InitialWait must be positive, not {InitialWait}.", nameof(InitialWait));
        }
        if (MaxWait < InitialWait)
        {
            throw new ArgumentException($"SupplyOptions.MaxWait ({MaxWait}) must be at least InitialWait ({InitialWait}).", nameof(MaxWait));
        }
        if (MaxAttempts is < 1 or > 20)
        {
            throw new ArgumentException($"SupplyOptions.MaxAttempts must be 1 to 20, not {MaxAttempts}.", nameof(MaxAttempts));
        }
        if (!(JitterFraction >= 0 && JitterFraction <= 1))
        {
            throw new ArgumentException($"SupplyOptions.JitterFraction must be 0 to 1, not {JitterFraction}.", nameof(JitterFraction));
        }
        if (MaxStatusAgeForCutoff <= TimeSpan.Zero)
        {
            throw new ArgumentException($"SupplyOptions.MaxStatusAgeForCutoff must be positive, not {MaxStatusAgeForCutoff}.", nameof(MaxStatusAgeForCutoff));
        }
    }

    /// <summary>The wait after send number <paramref name="attempt"/> (1-based) of command <paramref name="commandId"/>.</summary>
    public TimeSpan WaitAfter(int attempt, Guid commandId)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        var baseTicks = InitialWait.Ticks;
        for (var i = 1; i < attempt && baseTicks < MaxWait.Ticks; i++)
        {
            baseTicks = baseTicks > MaxWait.Ticks / 2 ? MaxWait.Ticks : baseTicks * 2;
        }
        baseTicks = Math.Min(baseTicks, MaxWait.Ticks);
        var jitterTicks = (long)(baseTicks * JitterFraction * UnitInterval(commandId, attempt));
        return TimeSpan.FromTicks(baseTicks + jitterTicks);
    }

    // SplitMix64 over (seed, id, attempt): cheap, well mixed and stable across runtimes (unlike string hash codes).
    private double UnitInterval(Guid commandId, int attempt)
    {
        Span<byte> bytes = stackalloc byte[16];
        commandId.TryWriteBytes(bytes);
        var x = JitterSeed ^ BitConverter.ToUInt64(bytes) ^ Mix(BitConverter.ToUInt64(bytes[8..]) + (ulong)attempt);
        return (Mix(x) >> 11) * (1.0 / (1UL << 53));
    }

    private static ulong Mix(ulong z)
    {
        unchecked
        {
            z += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
