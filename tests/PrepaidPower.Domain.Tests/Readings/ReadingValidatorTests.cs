using Microsoft.Extensions.Time.Testing;
using PrepaidPower.Domain.Readings;

namespace PrepaidPower.Domain.Tests.Readings;

[Trait("Category", "Unit")]
public sealed class ReadingValidatorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    // UINT32 × 0.01 kWh: the register shows at most 42,949,672,950 Wh, then 0 (modulus 42,949,672,960 Wh).
    private const long Max = 42_949_672_950L;
    private const long Modulus = 42_949_672_960L;

    private static readonly FakeTimeProvider Clock = new(T0.AddDays(30));

    private ReadingValidator Validator(ValidationSettings? settings = null) =>
        new(settings ?? ValidationSettings.Create(maxPowerKilowatts: 10m), Clock);

    private static MeterReading At(long totalWh, double minutes, double meterSkewMinutes = 0, BandRegisters bands = default) =>
        MeterReading.Create(T0.AddMinutes(minutes + meterSkewMinutes), T0.AddMinutes(minutes), Energy.FromWattHours(totalWh), bands);

    private static MeterValidationState Run(ReadingValidator v, MeterValidationState s, params MeterReading[] readings)
    {
        foreach (var r in readings)
        {
            s = v.Validate(s, r).State;
        }
        return s;
    }

    [Fact]
    public void Allowance_FifteenMinutesAtTenKilowatts_IsHandComputed()
    {
        // 10 kW × 1.1 × (15 + 5) min = 3,666.67 Wh → ceiling 3,667 Wh, plus one 10 Wh step.
        var settings = ValidationSettings.Create(maxPowerKilowatts: 10m);
        Assert.Equal(3_677L, settings.Allowance(TimeSpan.FromMinutes(15)).WattHours);
        // A negative elapsed time (collector out of order) counts as zero: 10 × 1.1 × 5 min = 916.67 → 917 + 10.
        Assert.Equal(927L, settings.Allowance(TimeSpan.FromMinutes(-3)).WattHours);
    }

    [Fact]
    public void Validate_FirstReading_BecomesBaselineAndBillsNothing()
    {
        var v = Validator();
        var (state, result) = v.Validate(MeterValidationState.Initial, At(1_000_000, 0));
        Assert.Equal(ReadingOutcome.Baseline, result.Outcome);
        Assert.Null(result.Usage);
        Assert.True(state.HasBaseline);
        Assert.Equal(1_000_000L, state.Register.WattHours);
        Assert.Equal(1_000_000L, state.Position.WattHours);
    }

    [Fact]
    public void Validate_PlausibleAdvance_AcceptedWithRegisterRangeAndPeriod()
    {
        var v = Validator();
        var s = Run(v, default, At(1_000_000, 0));
        var (state, result) = v.Validate(s, At(1_002_500, 15));
        Assert.Equal(ReadingOutcome.Accepted, result.Outcome);
        var u = Assert.NotNull(result.Usage);
        Assert.Equal(1_000_000L, u.From.WattHours);
        Assert.Equal(1_002_500L, u.To.WattHours);
        Assert.Equal(2_500L, u.Energy.WattHours);
        Assert.Equal(T0, u.PeriodStart);
        Assert.Equal(T0.AddMinutes(15), u.PeriodEnd);
        Assert.Equal(3_677L, result.Allowance.WattHours);
        Assert.Equal(ReadingFlags.None, result.Flags);
        Assert.Equal(1_002_500L, state.Position.WattHours);
        Assert.Equal(2L, state.AcceptedCount);
    }

    [Fact]
    public void Validate_SameRegister_DuplicateBillsNothing()
    {
        var v = Validator();
        var s = Run(v, default, At(1_000_000, 0), At(1_002_500, 15));
        var (state, result) = v.Validate(s, At(1_002_500, 16));
        Assert.Equal(ReadingOutcome.Duplicate, result.Outcome);
        Assert.Null(result.Usage);
        Assert.Equal(s with { DuplicateCount = 1 }, state);
    }

    [Fact]
    public void Validate_OlderReadingDeliveredLate_LateNotHeldBillsNothing()
    {
        var v = Validator();
        var s = Run(v, default, At(1_000_000, 0), At(1_002_500, 15));
        // Taken at minute 7 (meter time), delivered at minute 16.
        var late = MeterReading.Create(T0.AddMinutes(7), T0.AddMinutes(16), Energy.FromWattHours(1_001_000));
        var (state, result) = v.Validate(s, late);
        Assert.Equal(ReadingOutcome.Late, result.Outcome);
        Assert.Equal(HoldReason.None, result.Reason);
        Assert.Null(result.Usage);
        Assert.Equal(-1_500L, result.Advance.WattHours);
        Assert.Equal(s with { LateCount = 1 }, state);
    }

    [Fact]
    public void Validate_LowerRegisterWithNewerMeterTime_HeldDecreaseThenContinuesFromAccepted()
    {
        var v = Validator();
        var s = Run(v, default, At(1_000_000, 0), At(1_002_500, 15));
        var (held, result) = v.Validate(s, At(1_001_000, 20));
        Assert.Equal(ReadingOutcome.Held, result.Outcome);
        Assert.Equal(HoldReason.Decrease, result.Reason);
        Assert.Null(result.Usage);
        Assert.Equal(s.Register, held.Register);

        var next = v.Validate(held, At(1_003_000, 30)).Result;
        Assert.Equal(ReadingOutcome.Accepted, next.Outcome);
        Assert.Equal(1_002_500L, next.Usage!.Value.From.WattHours);
        Assert.Equal(500L, next.Usage!.Value.Energy.WattHours);
    }

    [Fact]
    public void Validate_OlderMeterTimeButDropLargerThanPowerAllows_HeldDecrease()
    {
        var v = Validator();
        var s = Run(v, default, At(1_000_000, 0), At(1_002_500, 15));
        // Meter time minute 7 (8 min before the baseline), but 502.5 kWh lower: not an older reading of this register.
        var r = MeterReading.Create(T0.AddMinutes(7), T0.AddMinutes(16), Energy.FromWattHours(500_000));
        Assert.Equal(HoldReason.Decrease, v.Validate(s, r).Result.Reason);
    }

    [Fact]
    public void Validate_JumpAbovePower_HeldSpikeNeverBilledAndNextNormalReadingBillsFromAccepted()
    {
        var v = Validator();
        var s = Run(v, default, At(1_000_000, 0));
        var (afterSpike, spike) = v.Validate(s, At(1_100_000, 15));
        Assert.Equal(ReadingOutcome.Held, spike.Outcome);
        Assert.Equal(HoldReason.Spike, spike.Reason);
        Assert.Equal(100_000L, spike.Advance.WattHours);
        Assert.Equal(3_677L, spike.Allowance.WattHours);
        Assert.Null(spike.Usage);
        Assert.Equal(100_000L, afterSpike.SpikeFloor.WattHours);

        var (state, next) = v.Validate(afterSpike, At(1_003_000, 30));
        Assert.Equal(ReadingOutcome.Accepted, next.Outcome);
        Assert.Equal(1_000_000L, next.Usage!.Value.From.WattHours);
        Assert.Equal(3_000L, next.Usage!.Value.Energy.WattHours);
        Assert.Equal(0L, state.SpikeFloor.WattHours);
    }

    [Fact]
    public void Validate_StuckHighAfterSpike_StaysHeldEvenWhenTimeWouldAllowIt()
    {
        var v = Validator();
        var s = Run(v, default, At(1_000_000, 0), At(1_100_000, 15));
        // 20 h later the allowance (≈ 220 kWh) covers the 100 kWh jump, but it is the same suspect value.
        var stuck = v.Validate(s, At(1_100_000, 20 * 60)).Result;
        Assert.Equal(HoldReason.Spike, stuck.Reason);
        Assert.Equal(ReadingFlags.BeyondHeldSpike, stuck.Flags);
        // A plausible reading below the spike resolves it.
        var normal = v.Validate(s, At(1_050_000, 20 * 60)).Result;
        Assert.Equal(ReadingOutcome.Accepted, normal.Outcome);
        Assert.Equal(50_000L, normal.Usage!.Value.Energy.WattHours);
    }

    [Fact]
    public void Validate_PlausibleRollover_AcceptedAcrossTheWrap()
    {
        var v = Validator();
        var s = Run(v, default, At(Max - 1_000, 0));
        var (state, result) = v.Validate(s, At(500, 15));
        Assert.Equal(ReadingOutcome.Accepted, result.Outcome);
        Assert.True(result.Flags.HasFlag(ReadingFlags.RolledOver));
        var u = result.Usage!.Value;
        // 1,000 Wh to the maximum, 10 Wh to wrap to 0, then 500 Wh.
        Assert.Equal(1_510L, u.Energy.WattHours);
        Assert.Equal(Max - 1_000, u.From.WattHours);
        Assert.Equal(Max - 1_000 + 1_510, u.To.WattHours);
        Assert.Equal(Max - 1_000, u.FromRegister.WattHours);
        Assert.Equal(500L, u.ToRegister.WattHours);
        Assert.Equal(500L, state.Register.WattHours);
        Assert.Equal(Modulus + 500, state.Position.WattHours);
    }

    [Fact]
    public void Validate_RolloverImplyingTenMegawattHoursInFifteenMinutes_HeldImplausibleRollover()
    {
        var v = Validator();
        var s = Run(v, default, At(Modulus - 10_000_000, 0));
        var (state, result) = v.Validate(s, At(0, 15));
        Assert.Equal(ReadingOutcome.Held, result.Outcome);
        Assert.Equal(HoldReason.ImplausibleRollover, result.Reason);
        Assert.Equal(10_000_000L, result.Advance.WattHours);
        Assert.Null(result.Usage);
        Assert.Equal(Modulus - 10_000_000, state.Register.WattHours);
    }

    [Fact]
    public void Validate_SmallDisplayRegisterRollover_UsesConfiguredMaximum()
    {
        // 99,999,999 × 0.01 kWh display: maximum 999,999,990 Wh, next is 0.
        var settings = ValidationSettings.Create(maxPowerKilowatts: 10m, registerMaximum: Energy.FromWattHours(999_999_990));
        var v = Validator(settings);
        var s = Run(v, default, At(999_999_000, 0));
        var result = v.Validate(s, At(2_000, 15)).Result;
        Assert.Equal(ReadingOutcome.Accepted, result.Outcome);
        Assert.Equal(3_000L, result.Usage!.Value.Energy.WattHours);
    }

    [Fact]
    public void Validate_AboveRegisterMaximum_Held()
    {
        var settings = ValidationSettings.Create(maxPowerKilowatts: 10m, registerMaximum: Energy.FromWattHours(999_999_990));
        var v = Validator(settings);
        var s = Run(v, default, At(999_999_000, 0));
        var result = v.Validate(s, At(1_000_000_000, 15)).Result;
        Assert.Equal(HoldReason.AboveRegisterMaximum, result.Reason);
        Assert.Null(result.Usage);
    }

    [Fact]
    public void Validate_ResetWithoutExchange_HeldAndLaterReadingsStayHeldUntilExchange()
    {
        var v = Validator();
        var s = Run(v, default, At(5_000_000, 0));
        var (pending, reset) = v.Validate(s, At(200, 15));
        Assert.Equal(HoldReason.ResetWithoutExchange, reset.Reason);
        Assert.True(pending.ResetPending);

        // Even a reading that looks like normal progress on the old register stays held.
        var (stillPending, after) = v.Validate(pending, At(5_000_500, 30));
        Assert.Equal(HoldReason.ResetWithoutExchange, after.Reason);
        Assert.Null(after.Usage);

        var exchange = MeterExchange.Create(Energy.FromWattHours(5_000_500), Energy.Zero, T0.AddMinutes(10));
        var (exchanged, final) = v.ApplyExchange(stillPending, exchange);
        Assert.False(exchanged.ResetPending);
        Assert.Equal(500L, final.Energy.WattHours);
        Assert.Equal(5_000_000L, final.From.WattHours);

        var next = v.Validate(exchanged, At(1_000, 45)).Result;
        Assert.Equal(ReadingOutcome.Accepted, next.Outcome);
        Assert.Equal(5_000_500L, next.Usage!.Value.From.WattHours);
        Assert.Equal(5_001_500L, next.Usage!.Value.To.WattHours);
    }

    [Fact]
    public void ApplyExchange_HappyPath_BillsOldFinalAndContinuesFromNewStart()
    {
        var v = Validator();
        var s = Run(v, default, At(1_000_000, 0), At(1_002_000, 15));
        var (state, usage) = v.ApplyExchange(s, MeterExchange.Create(Energy.FromWattHours(1_002_700), Energy.FromWattHours(30), T0.AddMinutes(20)));
        Assert.Equal(1_002_000L, usage.From.WattHours);
        Assert.Equal(1_002_700L, usage.To.WattHours);
        Assert.Equal(1_002_700L, usage.ToRegister.WattHours);
        Assert.Equal(30L, state.Register.WattHours);
        Assert.Equal(1_002_700L, state.Position.WattHours);
        Assert.Equal(1L, state.ExchangeCount);

        var result = v.Validate(state, At(1_530, 35)).Result;
        Assert.Equal(1_500L, result.Usage!.Value.Energy.WattHours);
        Assert.Equal(1_002_700L, result.Usage!.Value.From.WattHours);
        Assert.Equal(1_004_200L, result.Usage!.Value.To.WattHours);
    }

    [Fact]
    public void ApplyExchange_FinalBelowAccepted_RejectedWithClearError()
    {
        var v = Validator();
        var s = Run(v, default, At(1_000_000, 0), At(1_002_000, 15));
        var e = Assert.Throws<ArgumentException>(() =>
            v.ApplyExchange(s, MeterExchange.Create(Energy.FromWattHours(1_001_000), Energy.Zero, T0.AddMinutes(20))));
        Assert.Contains("below the last accepted register 1002.000 kWh", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ApplyExchange_FinalImpliesMoreThanMaximumPower_Rejected()
    {
        var v = Validator();
        var s = Run(v, default, At(1_000_000, 0));
        var e = Assert.Throws<ArgumentException>(() =>
            v.ApplyExchange(s, MeterExchange.Create(Energy.FromWattHours(1_100_000), Energy.Zero, T0.AddMinutes(15))));
        Assert.Contains("more than the 10 kW maximum allows", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ApplyExchange_NoBaseline_Rejected()
    {
        var v = Validator();
        Assert.Throws<InvalidOperationException>(() =>
            v.ApplyExchange(default, MeterExchange.Create(Energy.Zero, Energy.Zero, T0)));
    }

    [Fact]
    public void Validate_ReceivedAtAheadOfClock_HeldTimestampInFuture()
    {
        var v = new ReadingValidator(ValidationSettings.Create(maxPowerKilowatts: 10m), new FakeTimeProvider(T0.AddMinutes(15)));
        var s = Run(v, default, At(1_000_000, 0));
        var result = v.Validate(s, At(1_001_000, 17)).Result;
        Assert.Equal(HoldReason.TimestampInFuture, result.Reason);
        Assert.Equal(ReadingOutcome.Accepted, v.Validate(s, At(1_001_000, 16)).Result.Outcome);
    }

    [Fact]
    public void Validate_MeterClockSkewed_FlaggedButBilledByRegister()
    {
        var v = Validator();
        var s = Run(v, default, At(1_000_000, 0));
        var (state, skewed) = v.Validate(s, At(1_001_000, 15, meterSkewMinutes: 120));
        Assert.Equal(ReadingOutcome.Accepted, skewed.Outcome);
        Assert.Equal(ReadingFlags.ClockSkew, skewed.Flags);
        Assert.Equal(1_000L, skewed.Usage!.Value.Energy.WattHours);

        // The meter clock now jumps back, but the register advanced: accepted, ordering by register.
        var (state2, back) = v.Validate(state, At(1_002_000, 30, meterSkewMinutes: -60));
        Assert.Equal(ReadingOutcome.Accepted, back.Outcome);
        Assert.Equal(ReadingFlags.ClockSkew | ReadingFlags.MeterTimeOutOfOrder, back.Flags);
        Assert.Equal(1_000L, back.Usage!.Value.Energy.WattHours);

        // A newer meter time does not make a lower register count.
        var lower = v.Validate(state2, At(1_001_500, 45, meterSkewMinutes: 600)).Result;
        Assert.Equal(HoldReason.Decrease, lower.Reason);
    }

    [Fact]
    public void Validate_BandRegisters_BilledPerBand()
    {
        var settings = ValidationSettings.Create(maxPowerKilowatts: 10m, bandCount: 4);
        var v = Validator(settings);
        var s = Run(v, default, At(1_000_000, 0, bands: BandRegisters.OfWattHours(100_000, 200_000, 300_000, 400_000)));
        var result = v.Validate(s, At(1_002_500, 15, bands: BandRegisters.OfWattHours(100_000, 200_500, 302_000, 400_000))).Result;
        Assert.Equal(ReadingOutcome.Accepted, result.Outcome);
        var u = result.Usage!.Value;
        Assert.Equal(0L, u.BandEnergy(0).WattHours);
        Assert.Equal(500L, u.BandEnergy(1).WattHours);
        Assert.Equal(2_000L, u.BandEnergy(2).WattHours);
        Assert.Equal(0L, u.BandEnergy(3).WattHours);
        Assert.Equal(302_000L, u.BandTo[2].WattHours);
    }

    [Theory]
    [InlineData(100_000, 200_000, 300_000, 401_000, 1_002_500)] // bands advance 1 kWh, total 2.5 kWh
    [InlineData(100_000, 199_000, 303_500, 400_000, 1_002_500)] // a band went down, another up to match the total
    [InlineData(100_000, 200_000, 302_500, 400_000, 1_002_600)] // sum 2.5 kWh vs total 2.6 kWh: beyond 50 Wh tolerance
    public void Validate_BandsDisagreeWithTotal_HeldBandRegistersInconsistent(long b0, long b1, long b2, long b3, long total)
    {
        var settings = ValidationSettings.Create(maxPowerKilowatts: 10m, bandCount: 4);
        var v = Validator(settings);
        var s = Run(v, default, At(1_000_000, 0, bands: BandRegisters.OfWattHours(100_000, 200_000, 300_000, 400_000)));
        var result = v.Validate(s, At(total, 15, bands: BandRegisters.OfWattHours(b0, b1, b2, b3))).Result;
        Assert.Equal(HoldReason.BandRegistersInconsistent, result.Reason);
        Assert.Null(result.Usage);
    }

    [Fact]
    public void Validate_WrongBandCount_HeldBandRegistersInconsistent()
    {
        var settings = ValidationSettings.Create(maxPowerKilowatts: 10m, bandCount: 4);
        var v = Validator(settings);
        var result = v.Validate(default, At(1_000_000, 0, bands: BandRegisters.OfWattHours(1, 2))).Result;
        Assert.Equal(HoldReason.BandRegistersInconsistent, result.Reason);
    }

    [Fact]
    public void Validate_BandWithinToleranceOfTotal_Accepted()
    {
        // Each register truncates to 10 Wh on its own: bands add up to 20 Wh less than the total, within 50 Wh.
        var settings = ValidationSettings.Create(maxPowerKilowatts: 10m, bandCount: 4);
        var v = Validator(settings);
        var s = Run(v, default, At(1_000_000, 0, bands: BandRegisters.OfWattHours(100_000, 200_000, 300_000, 400_000)));
        var result = v.Validate(s, At(1_002_500, 15, bands: BandRegisters.OfWattHours(100_000, 201_240, 301_240, 400_000))).Result;
        Assert.Equal(ReadingOutcome.Accepted, result.Outcome);
        Assert.Equal(2_500L, result.Usage!.Value.Energy.WattHours);
        Assert.Equal(1_240L, result.Usage!.Value.BandEnergy(1).WattHours);
    }

    [Fact]
    public void Validate_BandRegisterRollsOverOnItsOwn_BandPositionContinues()
    {
        var settings = ValidationSettings.Create(maxPowerKilowatts: 10m, registerMaximum: Energy.FromWattHours(999_999_990), bandCount: 2);
        var v = Validator(settings);
        var s = Run(v, default, At(500_000_000, 0, bands: BandRegisters.OfWattHours(999_999_000, 7_000)));
        // Band 0 goes 999,999,000 → (wrap at 1,000,000,000) → 1,000: 2,000 Wh, like the total.
        var result = v.Validate(s, At(500_002_000, 15, bands: BandRegisters.OfWattHours(1_000, 7_000))).Result;
        Assert.Equal(ReadingOutcome.Accepted, result.Outcome);
        Assert.Equal(2_000L, result.Usage!.Value.BandEnergy(0).WattHours);
        Assert.Equal(1_000_001_000L, result.Usage!.Value.BandTo[0].WattHours);
        Assert.Equal(0L, result.Usage!.Value.BandEnergy(1).WattHours);
        Assert.False(result.Flags.HasFlag(ReadingFlags.RolledOver));
    }

    [Fact]
    public void Release_BillReadingHeldBehindReset_ClearsResetAndBillsFromAccepted()
    {
        var v = Validator();
        var s = Run(v, default, At(5_000_000, 0), At(0, 15));
        Assert.True(s.ResetPending);
        // The zero was a glitch: the meter carries on from 5,000 kWh. The operator bills the next reading.
        var next = At(5_001_000, 30);
        var held = v.Validate(s, next);
        Assert.Equal(HoldReason.ResetWithoutExchange, held.Result.Reason);
        var (state, bill) = v.Release(held.State, next, ReleaseAction.Bill);
        Assert.Equal(1_000L, bill.Usage!.Value.Energy.WattHours);
        Assert.False(state.ResetPending);
        Assert.Equal(ReadingOutcome.Accepted, v.Validate(state, At(5_001_500, 45)).Result.Outcome);
    }

    [Fact]
    public void Release_BillHeldSpike_BillsWholeAdvanceOnceAndAgainIsDuplicate()
    {
        var v = Validator();
        var s = Run(v, default, At(1_000_000, 0));
        var spikeReading = At(1_100_000, 15);
        var held = v.Validate(s, spikeReading);
        Assert.Equal(HoldReason.Spike, held.Result.Reason);

        var (released, bill) = v.Release(held.State, spikeReading, ReleaseAction.Bill);
        Assert.Equal(ReadingOutcome.Accepted, bill.Outcome);
        Assert.Equal(100_000L, bill.Usage!.Value.Energy.WattHours);
        Assert.Equal(1_100_000L, released.Position.WattHours);
        Assert.Equal(0L, released.SpikeFloor.WattHours);

        var again = v.Release(released, spikeReading, ReleaseAction.Bill).Result;
        Assert.Equal(ReadingOutcome.Duplicate, again.Outcome);
        Assert.Null(again.Usage);
    }

    [Fact]
    public void Release_BillImplausibleRollover_BillsAcrossTheWrap()
    {
        var v = Validator();
        var s = Run(v, default, At(Modulus - 10_000_000, 0));
        var reading = At(0, 15);
        var held = v.Validate(s, reading);
        var result = v.Release(held.State, reading, ReleaseAction.Bill).Result;
        Assert.Equal(10_000_000L, result.Usage!.Value.Energy.WattHours);
        Assert.True(result.Flags.HasFlag(ReadingFlags.RolledOver));
    }

    [Fact]
    public void Release_RebaseReset_BillsNothingAndNextReadingBillsFromNewBaseline()
    {
        var v = Validator();
        var s = Run(v, default, At(5_000_000, 0));
        var resetReading = At(200, 15);
        var pending = v.Validate(s, resetReading).State;
        var (rebased, result) = v.Release(pending, resetReading, ReleaseAction.Rebase);
        Assert.Equal(ReadingOutcome.Rebased, result.Outcome);
        Assert.Null(result.Usage);
        Assert.False(rebased.ResetPending);
        Assert.Equal(5_000_000L, rebased.Position.WattHours);

        var next = v.Validate(rebased, At(1_200, 30)).Result;
        Assert.Equal(1_000L, next.Usage!.Value.Energy.WattHours);
        Assert.Equal(5_000_000L, next.Usage!.Value.From.WattHours);
    }

    [Fact]
    public void Release_BillDecrease_RejectedNothingChanged()
    {
        var v = Validator();
        var s = Run(v, default, At(1_000_000, 0), At(1_002_500, 15));
        var decrease = At(1_001_000, 20);
        var held = v.Validate(s, decrease).State;
        var e = Assert.Throws<InvalidOperationException>(() => v.Release(held, decrease, ReleaseAction.Bill));
        Assert.Contains("below the accepted register", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => v.Release(held, decrease, ReleaseAction.None));
    }

    [Fact]
    public void Commission_FirstReadingBillsFromCommissioningRegister()
    {
        var v = Validator();
        var s = v.Commission(Energy.FromWattHours(12_340), BandRegisters.None, T0);
        var result = v.Validate(s, At(13_340, 15)).Result;
        Assert.Equal(ReadingOutcome.Accepted, result.Outcome);
        Assert.Equal(12_340L, result.Usage!.Value.From.WattHours);
        Assert.Equal(1_000L, result.Usage!.Value.Energy.WattHours);
    }

    [Fact]
    public void Inputs_Invalid_RejectedWithMessage()
    {
        Assert.Throws<ArgumentException>(() => ValidationSettings.Create(maxPowerKilowatts: 0m));
        Assert.Throws<ArgumentException>(() => ValidationSettings.Create(maxPowerKilowatts: 10m, registerMaximum: Energy.FromWattHours(1_005), registerStep: Energy.FromWattHours(10)));
        Assert.Throws<ArgumentException>(() => ValidationSettings.Create(maxPowerKilowatts: 10m, bandCount: 5));
        Assert.Throws<ArgumentException>(() => MeterReading.Create(new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.FromHours(8)), T0, Energy.Zero));
        Assert.Throws<ArgumentException>(() => MeterReading.Create(T0, T0, Energy.FromWattHours(-1)));
        Assert.Throws<ArgumentException>(() => BandRegisters.OfWattHours(1, 2, 3, 4, 5));
        Assert.Throws<ArgumentException>(() => Validator().Validate(default, default));
    }
}
