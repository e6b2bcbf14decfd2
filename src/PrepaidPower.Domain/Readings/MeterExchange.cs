namespace PrepaidPower.Domain.Readings;

/// <summary>
/// An explicit meter exchange recorded by a field engineer or operator: the removed meter's final registers and the
/// installed meter's start registers, in whole Wh, at <see cref="At"/> (UTC). Without one, a register reset is held.
/// </summary>
public readonly record struct MeterExchange
{
    private MeterExchange(Energy oldFinal, BandRegisters oldFinalBands, Energy newStart, BandRegisters newStartBands, DateTimeOffset at)
    {
        OldFinal = oldFinal;
        OldFinalBands = oldFinalBands;
        NewStart = newStart;
        NewStartBands = newStartBands;
        At = at;
    }

    /// <summary>The removed meter's total register when it was taken out, Wh.</summary>
    public Energy OldFinal { get; }

    /// <summary>The removed meter's band registers when it was taken out.</summary>
    public BandRegisters OldFinalBands { get; }

    /// <summary>The installed meter's total register when it was put in, Wh (often zero).</summary>
    public Energy NewStart { get; }

    /// <summary>The installed meter's band registers when it was put in.</summary>
    public BandRegisters NewStartBands { get; }

    /// <summary>When the exchange happened, UTC (the engineer's or collector's clock, not a meter clock).</summary>
    public DateTimeOffset At { get; }

    /// <summary>Builds an exchange event.</summary>
    /// <exception cref="ArgumentException">A register is negative or <paramref name="at"/> is not UTC.</exception>
    public static MeterExchange Create(Energy oldFinal, Energy newStart, DateTimeOffset at, BandRegisters oldFinalBands = default, BandRegisters newStartBands = default)
    {
        if (oldFinal.WattHours < 0)
        {
            throw new ArgumentException($"Old final register {oldFinal} is negative.", nameof(oldFinal));
        }
        if (newStart.WattHours < 0)
        {
            throw new ArgumentException($"New start register {newStart} is negative.", nameof(newStart));
        }
        if (at.Offset != TimeSpan.Zero)
        {
            throw new ArgumentException($"Exchange time {at:O} is not UTC.", nameof(at));
        }
        return new MeterExchange(oldFinal, oldFinalBands, newStart, newStartBands, at);
    }
}
