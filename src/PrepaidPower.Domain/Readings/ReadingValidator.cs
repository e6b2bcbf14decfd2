namespace PrepaidPower.Domain.Readings;

/// <summary>
/// Validation of cumulative meter readings (the V of VEE): decides per reading whether it is billed, ignored or
/// held, and turns accepted readings into billable ranges of a continuous position. Stateless itself: the per-meter
/// state is the <see cref="MeterValidationState"/> value passed in and returned, so a grain can persist it and a
/// restart continues identically. Rules and reason codes: docs/readings.md.
/// </summary>
public sealed class ReadingValidator
{
    private readonly TimeProvider _time;

    /// <param name="settings">The meter model's limits.</param>
    /// <param name="time">The validator's clock; only used to hold readings stamped in the future.</param>
    public ReadingValidator(ValidationSettings settings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);
        Settings = settings;
        _time = time;
    }

    public ValidationSettings Settings { get; }

    private long Modulus => Settings.RegisterModulus.WattHours;

    /// <summary>Starts a meter at known registers (installation), so that even its first reading bills.</summary>
    /// <exception cref="ArgumentException">A register is above the maximum or the band count is wrong.</exception>
    public MeterValidationState Commission(Energy register, BandRegisters bands, DateTimeOffset at)
    {
        ThrowIfMalformed(register, bands, "commissioning registers");
        return new MeterValidationState
        {
            HasBaseline = true,
            Register = register,
            Bands = bands,
            Position = register,
            BandPositions = bands,
            ReceivedAt = at,
            MeterTime = at,
        };
    }

    /// <summary>Validates one raw reading against the state. Pure apart from reading the clock; nothing is changed
    /// except through the returned state.</summary>
    /// <exception cref="ArgumentException"><paramref name="reading"/> is <c>default</c>.</exception>
    public ValidationStep Validate(MeterValidationState state, MeterReading reading)
    {
        if (reading == default)
        {
            throw new ArgumentException("A default MeterReading is not a reading; build one with MeterReading.Create.", nameof(reading));
        }
        var flags = ClockFlags(reading);
        var shape = ShapeProblem(reading.Total, reading.Bands);
        if (shape != HoldReason.None)
        {
            return Hold(state, reading, shape, flags, advance: 0, allowance: 0);
        }
        if (reading.ReceivedAt > _time.GetUtcNow() + Settings.FutureTolerance)
        {
            return Hold(state, reading, HoldReason.TimestampInFuture, flags, advance: 0, allowance: 0);
        }
        if (!state.HasBaseline)
        {
            var baseline = new MeterValidationState
            {
                HasBaseline = true,
                Register = reading.Total,
                Bands = reading.Bands,
                Position = reading.Total,
                BandPositions = reading.Bands,
                ReceivedAt = reading.ReceivedAt,
                MeterTime = reading.MeterTime,
                AcceptedCount = state.AcceptedCount + 1,
                DuplicateCount = state.DuplicateCount,
                LateCount = state.LateCount,
                HeldCount = state.HeldCount,
                ExchangeCount = state.ExchangeCount,
                RebaseCount = state.RebaseCount,
            };
            return new ValidationStep(baseline, new ValidationResult { Outcome = ReadingOutcome.Baseline, Flags = flags, Reading = reading });
        }

        var forward = Forward(state.Register.WattHours, reading.Total.WattHours);
        if (forward == 0)
        {
            return new ValidationStep(
                state with { DuplicateCount = state.DuplicateCount + 1 },
                new ValidationResult { Outcome = ReadingOutcome.Duplicate, Flags = flags, Reading = reading });
        }
        var isForward = forward < Modulus - forward;
        var advance = isForward ? forward : forward - Modulus;
        if (state.ResetPending)
        {
            return Hold(state, reading, HoldReason.ResetWithoutExchange, flags, advance, allowance: 0);
        }

        if (isForward)
        {
            var wrapped = reading.Total < state.Register;
            var tooFar = wrapped ? HoldReason.ImplausibleRollover : HoldReason.Spike;
            var allowance = Settings.Allowance(reading.ReceivedAt - state.ReceivedAt).WattHours;
            if (state.SpikeFloor.WattHours > 0 && forward >= state.SpikeFloor.WattHours)
            {
                // Without this, a register stuck at a bogus high value would be billed once enough time had passed.
                var beyond = forward <= allowance ? ReadingFlags.BeyondHeldSpike : ReadingFlags.None;
                return Hold(state, reading, tooFar, flags | beyond, advance, allowance);
            }
            if (forward > allowance)
            {
                var floor = state.SpikeFloor.WattHours == 0 ? forward : Math.Min(forward, state.SpikeFloor.WattHours);
                return Hold(state with { SpikeFloor = Energy.FromWattHours(floor) }, reading, tooFar, flags, advance, allowance);
            }
            if (!TryAdvanceBands(state, reading.Bands, forward, out var bandPositions))
            {
                return Hold(state, reading, HoldReason.BandRegistersInconsistent, flags, advance, allowance);
            }
            return Accept(state, reading, forward, bandPositions, flags, allowance);
        }

        var backward = Modulus - forward;
        if (reading.MeterTime <= state.MeterTime
            && backward <= Settings.Allowance(state.MeterTime - reading.MeterTime + Settings.AllowedClockSkew).WattHours)
        {
            return new ValidationStep(
                state with { LateCount = state.LateCount + 1 },
                new ValidationResult { Outcome = ReadingOutcome.Late, Flags = flags, Reading = reading, Advance = Energy.FromWattHours(advance) });
        }
        if (reading.Total <= Settings.ResetThreshold)
        {
            return Hold(state with { ResetPending = true }, reading, HoldReason.ResetWithoutExchange, flags, advance, allowance: 0);
        }
        return Hold(state, reading, HoldReason.Decrease, flags, advance, allowance: 0);
    }

    /// <summary>
    /// Records a meter exchange: bills the old meter from the accepted register up to its final register, then
    /// continues from the new meter's start register (the continuous position carries on). Clears a pending reset
    /// and any unresolved spike.
    /// </summary>
    /// <exception cref="InvalidOperationException">No baseline yet (commission the new meter instead).</exception>
    /// <exception cref="ArgumentException">A register is malformed, the old final is below the accepted register,
    /// it implies more than the maximum power allows since the last accepted reading, or its bands disagree.
    /// Nothing is changed.</exception>
    public ExchangeStep ApplyExchange(MeterValidationState state, MeterExchange exchange)
    {
        if (exchange == default)
        {
            throw new ArgumentException("A default MeterExchange is not an exchange; build one with MeterExchange.Create.", nameof(exchange));
        }
        if (!state.HasBaseline)
        {
            throw new InvalidOperationException("Cannot record a meter exchange: the meter has no accepted reading yet. Commission it with the new meter's start registers instead.");
        }
        ThrowIfMalformed(exchange.OldFinal, exchange.OldFinalBands, "old final registers");
        ThrowIfMalformed(exchange.NewStart, exchange.NewStartBands, "new start registers");
        var forward = Forward(state.Register.WattHours, exchange.OldFinal.WattHours);
        if (forward != 0 && forward >= Modulus - forward)
        {
            throw new ArgumentException(
                $"Old final register {exchange.OldFinal} is below the last accepted register {state.Register}; billing it would be a refund, which is never automatic. " +
                "Check the final reading from the removed meter; if the accepted register itself was wrong, correct it through a reviewed adjustment.",
                nameof(exchange));
        }
        var allowance = Settings.Allowance(exchange.At - state.ReceivedAt);
        if (forward > allowance.WattHours)
        {
            throw new ArgumentException(
                $"Old final register {exchange.OldFinal} is {Energy.FromWattHours(forward)} above the last accepted register {state.Register}, more than the " +
                $"{Settings.MaxPowerKilowatts} kW maximum allows by {exchange.At:O} ({allowance}). Check the final register and the exchange time.",
                nameof(exchange));
        }
        if (!TryAdvanceBands(state, exchange.OldFinalBands, forward, out var bandPositions))
        {
            throw new ArgumentException(
                $"Old final band registers {exchange.OldFinalBands} disagree with the total's advance {Energy.FromWattHours(forward)} from the accepted bands {state.Bands}.",
                nameof(exchange));
        }
        var periodEnd = Max(state.ReceivedAt, exchange.At);
        var usage = Advance(state, forward, bandPositions, exchange.OldFinal, periodEnd, exchange.At);
        var next = state with
        {
            Register = exchange.NewStart,
            Bands = exchange.NewStartBands,
            Position = usage.To,
            BandPositions = bandPositions,
            ReceivedAt = periodEnd,
            MeterTime = exchange.At,
            ResetPending = false,
            SpikeFloor = Energy.Zero,
            ExchangeCount = state.ExchangeCount + 1,
        };
        return new ExchangeStep(next, usage);
    }

    /// <summary>
    /// Applies an operator's decision on a held reading. <see cref="ReleaseAction.Bill"/> bills from the accepted
    /// register up to the reading (across a rollover if it wrapped) without the power check; releasing the same
    /// reading again is a <see cref="ReadingOutcome.Duplicate"/>. <see cref="ReleaseAction.Rebase"/> makes the reading
    /// the new baseline and bills nothing. Both clear a pending reset and any unresolved spike.
    /// </summary>
    /// <exception cref="ArgumentException">No decision, or the reading is malformed (above maximum, wrong bands).</exception>
    /// <exception cref="InvalidOperationException">Bill on a meter without baseline, on a reading below the accepted
    /// register (that would be a refund), or with inconsistent bands. Nothing is changed.</exception>
    public ValidationStep Release(MeterValidationState state, MeterReading reading, ReleaseAction action)
    {
        if (reading == default)
        {
            throw new ArgumentException("A default MeterReading is not a reading.", nameof(reading));
        }
        if (action is not (ReleaseAction.Bill or ReleaseAction.Rebase))
        {
            throw new ArgumentException($"Release action {action} is not a decision; use Bill or Rebase.", nameof(action));
        }
        ThrowIfMalformed(reading.Total, reading.Bands, "released reading");
        var flags = ClockFlags(reading);
        if (action == ReleaseAction.Rebase)
        {
            var rebased = state with
            {
                HasBaseline = true,
                Register = reading.Total,
                Bands = reading.Bands,
                Position = state.HasBaseline ? state.Position : reading.Total,
                BandPositions = state.HasBaseline ? state.BandPositions : reading.Bands,
                ReceivedAt = reading.ReceivedAt,
                MeterTime = reading.MeterTime,
                ResetPending = false,
                SpikeFloor = Energy.Zero,
                RebaseCount = state.RebaseCount + 1,
            };
            return new ValidationStep(rebased, new ValidationResult { Outcome = ReadingOutcome.Rebased, Flags = flags, Reading = reading });
        }

        if (!state.HasBaseline)
        {
            throw new InvalidOperationException($"Cannot bill {reading}: the meter has no baseline to bill from. Rebase on it instead.");
        }
        var forward = Forward(state.Register.WattHours, reading.Total.WattHours);
        if (forward == 0)
        {
            return new ValidationStep(
                state with { DuplicateCount = state.DuplicateCount + 1 },
                new ValidationResult { Outcome = ReadingOutcome.Duplicate, Flags = flags, Reading = reading });
        }
        if (forward >= Modulus - forward)
        {
            throw new InvalidOperationException(
                $"Cannot bill {reading}: its register is below the accepted register {state.Register} (billing it would be a refund or a rollover through more than half the register). " +
                "Rebase on it, record a meter exchange, or dismiss it.");
        }
        if (!TryAdvanceBands(state, reading.Bands, forward, out var bandPositions))
        {
            throw new InvalidOperationException(
                $"Cannot bill {reading}: its band registers disagree with the total's advance {Energy.FromWattHours(forward)} from the accepted bands {state.Bands}. Rebase on it instead.");
        }
        var cleared = state with { ResetPending = false, SpikeFloor = Energy.Zero };
        return Accept(cleared, reading, forward, bandPositions, flags, allowance: 0);
    }

    private ValidationStep Accept(MeterValidationState state, MeterReading reading, long forward, BandRegisters bandPositions, ReadingFlags flags, long allowance)
    {
        if (reading.Total < state.Register)
        {
            flags |= ReadingFlags.RolledOver;
        }
        if (reading.MeterTime <= state.MeterTime)
        {
            flags |= ReadingFlags.MeterTimeOutOfOrder;
        }
        // Received-at never moves back, so a reading processed out of collector order cannot widen later allowances.
        var periodEnd = Max(state.ReceivedAt, reading.ReceivedAt);
        var usage = Advance(state, forward, bandPositions, reading.Total, periodEnd, reading.MeterTime);
        var next = state with
        {
            Register = reading.Total,
            Bands = reading.Bands,
            Position = usage.To,
            BandPositions = bandPositions,
            ReceivedAt = periodEnd,
            MeterTime = reading.MeterTime,
            SpikeFloor = Energy.Zero,
            AcceptedCount = state.AcceptedCount + 1,
        };
        return new ValidationStep(next, new ValidationResult
        {
            Outcome = ReadingOutcome.Accepted,
            Flags = flags,
            Reading = reading,
            Usage = usage,
            Advance = Energy.FromWattHours(forward),
            Allowance = Energy.FromWattHours(allowance),
        });
    }

    private static ValidationStep Hold(MeterValidationState state, MeterReading reading, HoldReason reason, ReadingFlags flags, long advance, long allowance) =>
        new(state with { HeldCount = state.HeldCount + 1 }, new ValidationResult
        {
            Outcome = ReadingOutcome.Held,
            Reason = reason,
            Flags = flags,
            Reading = reading,
            Advance = Energy.FromWattHours(advance),
            Allowance = Energy.FromWattHours(allowance),
        });

    /// <summary>Each band must advance (modulo the register) by no more than the total plus tolerance, and the band
    /// advances must add up to the total's within tolerance; a band that went down shows up as a huge advance.</summary>
    private bool TryAdvanceBands(MeterValidationState state, BandRegisters bands, long totalAdvance, out BandRegisters positions)
    {
        positions = state.BandPositions;
        if (bands.Count != state.Bands.Count)
        {
            return false;
        }
        var tolerance = Settings.BandTolerance.WattHours;
        long sum = 0;
        for (var i = 0; i < bands.Count; i++)
        {
            var advance = Forward(state.Bands[i].WattHours, bands[i].WattHours);
            if (advance > totalAdvance + tolerance)
            {
                return false;
            }
            sum += advance;
            positions = positions.With(i, state.BandPositions[i] + Energy.FromWattHours(advance));
        }
        if (bands.Count > 0 && Math.Abs(sum - totalAdvance) > tolerance)
        {
            positions = state.BandPositions;
            return false;
        }
        return true;
    }

    private HoldReason ShapeProblem(Energy total, BandRegisters bands)
    {
        if (bands.Count != Settings.BandCount)
        {
            return HoldReason.BandRegistersInconsistent;
        }
        if (total > Settings.RegisterMaximum)
        {
            return HoldReason.AboveRegisterMaximum;
        }
        for (var i = 0; i < bands.Count; i++)
        {
            if (bands[i] > Settings.RegisterMaximum)
            {
                return HoldReason.AboveRegisterMaximum;
            }
        }
        return HoldReason.None;
    }

    private void ThrowIfMalformed(Energy total, BandRegisters bands, string what)
    {
        if (total.WattHours < 0)
        {
            throw new ArgumentException($"The {what} have a negative total {total}.");
        }
        switch (ShapeProblem(total, bands))
        {
            case HoldReason.BandRegistersInconsistent:
                throw new ArgumentException($"The {what} carry {bands.Count} band register(s); this meter is configured for {Settings.BandCount}.");
            case HoldReason.AboveRegisterMaximum:
                throw new ArgumentException($"The {what} ({total}, bands {bands}) exceed the register maximum {Settings.RegisterMaximum}; check the device profile's scaling.");
        }
    }

    private ReadingFlags ClockFlags(MeterReading reading) =>
        (reading.MeterTime - reading.ReceivedAt).Duration() > Settings.AllowedClockSkew ? ReadingFlags.ClockSkew : ReadingFlags.None;

    /// <summary>Distance going up from <paramref name="from"/> to <paramref name="to"/> on the register's circle, 0..modulus−1.</summary>
    private long Forward(long from, long to)
    {
        var d = to - from;
        return d < 0 ? d + Modulus : d;
    }

    /// <summary>The usage billed by moving from the accepted state forward by <paramref name="forward"/> Wh (a reading or an exchange's old final).</summary>
    private static BilledUsage Advance(MeterValidationState state, long forward, BandRegisters bandPositions, Energy toRegister, DateTimeOffset periodEnd, DateTimeOffset meterPeriodEnd) => new()
    {
        From = state.Position,
        To = state.Position + Energy.FromWattHours(forward),
        BandFrom = state.BandPositions,
        BandTo = bandPositions,
        FromRegister = state.Register,
        ToRegister = toRegister,
        PeriodStart = state.ReceivedAt,
        PeriodEnd = periodEnd,
        MeterPeriodStart = state.MeterTime,
        MeterPeriodEnd = meterPeriodEnd,
    };

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a >= b ? a : b;
}
