// Simulated time: start + k × real elapsed time, read from an injected TimeProvider so tests step it without sleeping.
namespace PrepaidPower.Simulator;

/// <summary>
/// The city's clock. Simulated time = <see cref="Start"/> + <see cref="Acceleration"/> × (real time elapsed on the
/// <see cref="TimeProvider"/> since construction). Meters integrate in whole simulated seconds.
/// </summary>
public sealed class SimulationClock
{
    private readonly TimeProvider _time;
    private readonly long _realStart;

    public SimulationClock(DateTimeOffset start, double acceleration, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(acceleration);
        _time = time;
        Start = new DateTimeOffset(start.UtcTicks - (start.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        Acceleration = acceleration;
        _realStart = time.GetTimestamp();
    }

    /// <summary>Simulated start, UTC, whole seconds.</summary>
    public DateTimeOffset Start { get; }

    public double Acceleration { get; }

    /// <summary>Whole simulated seconds since <see cref="Start"/> (up to 68 years).</summary>
    public int SecondsSinceStart
    {
        get
        {
            var real = _time.GetElapsedTime(_realStart);
            var seconds = Math.Floor(real.Ticks * Acceleration / TimeSpan.TicksPerSecond);
            return seconds >= int.MaxValue
                ? throw new InvalidOperationException("The simulation ran past 68 simulated years; restart it or lower the acceleration.")
                : (int)Math.Max(0, seconds);
        }
    }

    /// <summary>Simulated now, whole seconds, UTC.</summary>
    public DateTimeOffset Now => Start.AddSeconds(SecondsSinceStart);
}
