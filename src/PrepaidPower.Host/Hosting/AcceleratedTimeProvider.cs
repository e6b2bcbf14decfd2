namespace PrepaidPower.Host.Hosting;

/// <summary>
/// A clock that runs <see cref="Acceleration"/> times faster than real time from a given instant: the domain clock of
/// the simulated city, so that tariff bands, protected windows and grace periods follow the city's simulated time.
/// Only <see cref="GetUtcNow"/> is accelerated; timers keep real durations (grain timers and reminders are Orleans').
/// </summary>
internal sealed class AcceleratedTimeProvider(DateTimeOffset start, double acceleration, TimeProvider real) : TimeProvider
{
    private readonly long _realStart = real.GetTimestamp();

    public DateTimeOffset Start { get; } = start;

    public double Acceleration { get; } = acceleration;

    public override DateTimeOffset GetUtcNow() => Start + real.GetElapsedTime(_realStart) * Acceleration;
}
