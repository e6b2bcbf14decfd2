using CsCheck;
using Microsoft.Extensions.Time.Testing;
using PrepaidPower.Domain.Readings;

namespace PrepaidPower.Domain.Tests.Readings;

/// <summary>
/// Generates a true consumption history, lets the meter report it (rollovers, an optional exchange, skewed clock),
/// delivers the readings badly (drops, duplicates, bounded reordering, delays) and checks that what the validator
/// bills is exactly the true consumption: nothing lost, nothing counted twice, nothing billed from a held reading.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ReadingValidatorPropertyTests
{
    private const long Step = 10;
    private static readonly long[] Moduli = [42_949_672_960L, 1_000_000_000L, 10_000_000L];
    private static readonly DateTimeOffset Base = new(2026, 3, 29, 0, 0, 0, TimeSpan.Zero);

    public sealed record Scenario(
        int N,
        long Modulus,
        int PowerKw,
        bool NearMax,
        double StartFraction,
        int BackOff,
        int[] Seconds,
        int[] Load,
        bool UseBands,
        int[] BandOf,
        double[] BandStartFractions,
        int ExchangeAfter,
        double NewStartFraction,
        int[] Skew,
        int[] Jitter,
        int[] Copies,
        int[] Displacement,
        int MaxAgeSeconds,
        double[] Delay,
        int Split,
        int[] Faults,
        int[] FaultSize)
    {
        public override string ToString() =>
            $"N={N} modulus={Modulus} P={PowerKw}kW nearMax={NearMax} backOff={BackOff} bands={UseBands} exchangeAfter={ExchangeAfter} " +
            $"skew=[{string.Join(",", Skew)}] maxAge={MaxAgeSeconds}s split={Split} seconds=[{string.Join(",", Seconds)}] load=[{string.Join(",", Load)}] " +
            $"copies=[{string.Join(",", Copies)}] displacement=[{string.Join(",", Displacement)}] faults=[{string.Join(",", Faults)}]";
    }

    private static readonly Gen<Scenario> Scenarios =
        from n in Gen.Int[2, 40]
        from modulus in Gen.Int[0, Moduli.Length - 1].Select(i => Moduli[i])
        from power in Gen.Int[1, 50]
        from nearMax in Gen.Bool
        from startFraction in Gen.Double[0, 1]
        from backOff in Gen.Int[0, 3000]
        from seconds in Gen.Int[60, 1800].Array[n]
        from load in Gen.Int[0, 1300].Array[n]
        from useBands in Gen.Bool
        from bandOf in Gen.Int[0, 3].Array[n]
        from bandStarts in Gen.Double[0, 1].Array[4]
        from hasExchange in Gen.Bool
        from exchangeAt in Gen.Int[0, n - 2]
        from newStart in Gen.Double[0, 1]
        from skew in Gen.Int[-3 * 3600, 3 * 3600].Array[2]
        from jitter in Gen.Int[-20, 20].Array[n]
        from copies in Gen.Int[0, 3].Array[n]
        from displacement in Gen.Int[0, 6].Array[n]
        from maxAge in Gen.Int[60, 900]
        from delay in Gen.Double[0, 1].Array[n]
        from split in Gen.Int[0, 10_000]
        from faults in Gen.Int[0, 5].Array[n]
        from faultSize in Gen.Int[1, 1_000_000].Array[n]
        select new Scenario(n, modulus, power, nearMax, startFraction, backOff, seconds, load, useBands, bandOf, bandStarts,
            hasExchange ? exchangeAt : -1, newStart, skew, jitter, copies, displacement, maxAge, delay, split, faults, faultSize);

    /// <summary>One delivery: a reading (genuine index, or −1 with Fault 1 = spike, 2 = decrease) or the exchange event.</summary>
    private sealed record Delivery(int Index, MeterReading Reading, MeterExchange? Exchange, int Fault)
    {
        public bool Bogus => Fault != 0;
    }

    private sealed class World
    {
        public required ValidationSettings Settings { get; init; }
        public required List<Delivery> Plan { get; init; }
        public required long ExpectedTotal { get; init; }
        public required long[] ExpectedBands { get; init; }
    }

    private static World Build(Scenario s, bool injectFaults)
    {
        var n = s.N;
        var mod = s.Modulus;
        var powerW = s.PowerKw * 1000L;
        var bandCount = s.UseBands ? 4 : 0;
        var settings = ValidationSettings.Create(
            maxPowerKilowatts: s.PowerKw,
            registerMaximum: Energy.FromWattHours(mod - Step),
            maxReadingAge: TimeSpan.FromSeconds(s.MaxAgeSeconds),
            bandCount: bandCount);

        // The truth: cumulative energy per reading and per band, and when each reading was really taken.
        var cum = new long[n];
        var cumBand = new long[n, 4];
        var t = new DateTimeOffset[n];
        t[0] = Base;
        for (var k = 1; k < n; k++)
        {
            var maxSteps = powerW * s.Seconds[k] / 3600 / Step;
            var energy = maxSteps * Math.Min(s.Load[k], 1000) / 1000 * Step;
            cum[k] = cum[k - 1] + energy;
            for (var b = 0; b < 4; b++)
            {
                cumBand[k, b] = cumBand[k - 1, b] + (s.BandOf[k] == b ? energy : 0);
            }
            t[k] = t[k - 1].AddSeconds(s.Seconds[k]);
        }

        long OnGrid(double fraction) => (long)(fraction * ((mod / Step) - 1)) * Step;
        var start = s.NearMax ? mod - (Step * (s.BackOff + 1)) : OnGrid(s.StartFraction);
        var bandStart = new long[4];
        for (var b = 0; b < 4; b++)
        {
            bandStart[b] = s.NearMax ? mod - (Step * (s.BackOff + 1 + b)) : OnGrid(s.BandStartFractions[b]);
        }
        var newStart = OnGrid(s.NewStartFraction);
        var j = s.ExchangeAfter;
        bool IsNew(int k) => j >= 0 && k > j;

        long TotalRegister(int k) => IsNew(k) ? (newStart + cum[k] - cum[j]) % mod : (start + cum[k]) % mod;
        long BandRegister(int k, int b) => IsNew(k) ? (cumBand[k, b] - cumBand[j, b]) % mod : (bandStart[b] + cumBand[k, b]) % mod;
        BandRegisters Bands(int k) => bandCount == 0
            ? BandRegisters.None
            : BandRegisters.OfWattHours(BandRegister(k, 0), BandRegister(k, 1), BandRegister(k, 2), BandRegister(k, 3));
        DateTimeOffset MeterTime(int k) => t[k].AddSeconds(s.Skew[IsNew(k) ? 1 : 0] + s.Jitter[k]);

        // Delivery: drops, duplicates, bounded reordering within each meter's segment; the exchange between them.
        var items = new List<(int Segment, int Key, int K, int Copy)>();
        for (var k = 0; k < n; k++)
        {
            var copies = k == 0 ? Math.Max(1, s.Copies[k]) : s.Copies[k];
            for (var c = 0; c < copies; c++)
            {
                items.Add((IsNew(k) ? 1 : 0, k + s.Displacement[k] + c, k, c));
            }
        }
        items.Sort((a, b) => (a.Segment, a.Key, a.K, a.Copy).CompareTo((b.Segment, b.Key, b.K, b.Copy)));

        var plan = new List<Delivery>();
        var received = DateTimeOffset.MinValue;
        var exchangePlaced = j < 0;
        var highestInSegment = -1;
        var latestMeterTime = DateTimeOffset.MinValue;
        var spikeBound = (long)Math.Ceiling(powerW * 1.1 * ((t[n - 1] - t[0]).TotalSeconds + (2 * s.MaxAgeSeconds) + 600) / 3600) + 1000;
        foreach (var item in items)
        {
            if (!exchangePlaced && item.Segment == 1)
            {
                var exchange = MeterExchange.Create(
                    Energy.FromWattHours((start + cum[j]) % mod), Energy.FromWattHours(newStart), t[j],
                    Bands(j), bandCount == 0 ? BandRegisters.None : BandRegisters.OfWattHours(0, 0, 0, 0));
                plan.Add(new Delivery(-1, default, exchange, 0));
                exchangePlaced = true;
                highestInSegment = -1;
                latestMeterTime = DateTimeOffset.MinValue;
            }
            var k = item.K;
            var at = t[k].AddSeconds((int)(s.Delay[k] * s.MaxAgeSeconds));
            received = at > received ? at : received;
            var reading = MeterReading.Create(MeterTime(k), received, Energy.FromWattHours(TotalRegister(k)), Bands(k));
            plan.Add(new Delivery(k, reading, null, 0));
            highestInSegment = Math.Max(highestInSegment, k);
            latestMeterTime = MeterTime(k) > latestMeterTime ? MeterTime(k) : latestMeterTime;

            if (injectFaults && s.Faults[k] is 1 or 2)
            {
                // A spike beyond anything the power allows over the whole history (but less than half the register, so it
                // is read as forward), or a drop with the newest meter time.
                var truth = TotalRegister(highestInSegment);
                var bogus = s.Faults[k] == 1
                    ? (truth + spikeBound + (s.FaultSize[k] * Step % ((mod / 2) - spikeBound))) % mod
                    : (((truth - (Step * (1 + (s.FaultSize[k] % 100_000)))) % mod) + mod) % mod;
                if (bogus > settings.ResetThreshold.WattHours)
                {
                    var fake = MeterReading.Create(latestMeterTime.AddSeconds(1), received, Energy.FromWattHours(bogus), Bands(highestInSegment));
                    plan.Add(new Delivery(-1, fake, null, s.Faults[k]));
                }
            }
        }
        if (!exchangePlaced)
        {
            plan.Add(new Delivery(-1, default, MeterExchange.Create(
                Energy.FromWattHours((start + cum[j]) % mod), Energy.FromWattHours(newStart), t[j],
                Bands(j), bandCount == 0 ? BandRegisters.None : BandRegisters.OfWattHours(0, 0, 0, 0)), 0));
        }

        // Expected: true consumption from the first delivered reading up to the highest point the validator learnt of.
        var first = plan.First(d => d.Exchange is null && !d.Bogus).Index;
        var delivered = plan.Where(d => d.Exchange is null && !d.Bogus).Select(d => d.Index).ToList();
        var last = j < 0 ? delivered.Max() : Math.Max(j, delivered.Max());
        var expectedBands = new long[bandCount];
        for (var b = 0; b < bandCount; b++)
        {
            expectedBands[b] = cumBand[last, b] - cumBand[first, b];
        }
        return new World { Settings = settings, Plan = plan, ExpectedTotal = cum[last] - cum[first], ExpectedBands = expectedBands };
    }

    private sealed record Outcome(int Event, ValidationResult? Result, BilledUsage? ExchangeUsage);

    private static (List<Outcome> Outcomes, MeterValidationState State) Replay(World world, int splitAt)
    {
        var outcomes = new List<Outcome>();
        var clock = new FakeTimeProvider(Base.AddDays(-1));
        var validator = new ReadingValidator(world.Settings, clock);
        var state = MeterValidationState.Initial;
        for (var e = 0; e < world.Plan.Count; e++)
        {
            if (e == splitAt)
            {
                // A restart: a new validator and clock; only the state value survives (as a grain's storage would).
                var stored = state;
                clock = new FakeTimeProvider(clock.GetUtcNow());
                validator = new ReadingValidator(world.Settings, clock);
                state = stored;
            }
            var d = world.Plan[e];
            if (d.Exchange is { } exchange)
            {
                var step = validator.ApplyExchange(state, exchange);
                state = step.State;
                outcomes.Add(new Outcome(e, null, step.Usage));
            }
            else
            {
                if (d.Reading.ReceivedAt > clock.GetUtcNow())
                {
                    clock.SetUtcNow(d.Reading.ReceivedAt);
                }
                var step = validator.Validate(state, d.Reading);
                state = step.State;
                outcomes.Add(new Outcome(e, step.Result, null));
            }
        }
        return (outcomes, state);
    }

    private static void CheckBilling(World world, List<Outcome> outcomes, MeterValidationState final)
    {
        var baseline = outcomes.Single(o => o.Result?.Outcome == ReadingOutcome.Baseline);
        Assert.Equal(0, baseline.Event);
        var startPosition = world.Plan[0].Reading.Total.WattHours;
        var startBands = world.Plan[0].Reading.Bands;
        var position = startPosition;
        long total = 0;
        var bands = new long[world.ExpectedBands.Length];
        foreach (var o in outcomes)
        {
            var usage = o.ExchangeUsage ?? o.Result?.Usage;
            if (o.Result is { } r && r.Outcome != ReadingOutcome.Accepted)
            {
                Assert.Null(r.Usage);
            }
            if (usage is not { } u)
            {
                continue;
            }
            // Contiguous, non-overlapping ranges: each starts where the previous ended.
            Assert.Equal(position, u.From.WattHours);
            Assert.True(u.To >= u.From);
            if (o.Result is not null)
            {
                Assert.True(u.To > u.From);
            }
            position = u.To.WattHours;
            total += u.Energy.WattHours;
            for (var b = 0; b < bands.Length; b++)
            {
                bands[b] += u.BandEnergy(b).WattHours;
            }
        }
        Assert.Equal(world.ExpectedTotal, total);
        Assert.Equal(world.ExpectedBands, bands);
        Assert.Equal(startPosition + world.ExpectedTotal, final.Position.WattHours);
        for (var b = 0; b < bands.Length; b++)
        {
            Assert.Equal(startBands[b].WattHours + world.ExpectedBands[b], final.BandPositions[b].WattHours);
        }
    }

    [Fact]
    public void Validate_BadlyDeliveredTrueHistory_BillsExactlyTheTrueConsumption()
    {
        Scenarios.Sample(s =>
        {
            var world = Build(s, injectFaults: false);
            var (outcomes, final) = Replay(world, splitAt: -1);
            // A clean history (monotonic meter clock, plausible consumption) holds nothing.
            Assert.DoesNotContain(outcomes, o => o.Result?.Outcome == ReadingOutcome.Held);
            CheckBilling(world, outcomes, final);
        }, iter: 400);
    }

    [Fact]
    public void Validate_RestartAnywhere_SameOutcomesAsUninterrupted()
    {
        Scenarios.Sample(s =>
        {
            var world = Build(s, injectFaults: true);
            var (straight, straightState) = Replay(world, splitAt: -1);
            var (restarted, restartedState) = Replay(world, splitAt: s.Split % (world.Plan.Count + 1));
            Assert.Equal(straight, restarted);
            Assert.Equal(straightState, restartedState);
        }, iter: 200);
    }

    [Fact]
    public void Validate_InjectedSpikesAndDecreases_NeverBilledAndTruthStillReconciles()
    {
        Scenarios.Sample(s =>
        {
            var world = Build(s, injectFaults: true);
            var (outcomes, final) = Replay(world, splitAt: -1);
            foreach (var o in outcomes)
            {
                var d = world.Plan[o.Event];
                if (d.Bogus)
                {
                    var r = o.Result!.Value;
                    Assert.False(r.IsBillable, $"bogus reading billed: {r}");
                    if (d.Fault == 1)
                    {
                        Assert.Equal(ReadingOutcome.Held, r.Outcome);
                        Assert.Contains(r.Reason, new[] { HoldReason.Spike, HoldReason.ImplausibleRollover });
                    }
                    else
                    {
                        // After an exchange the baseline's meter time is the exchange time, so a drop on the new
                        // meter's (differently skewed) clock may look older: late, which bills nothing either.
                        Assert.True(r.Outcome == ReadingOutcome.Late || r.Reason == HoldReason.Decrease, r.ToString());
                    }
                }
                else if (o.Result is { } r)
                {
                    Assert.NotEqual(ReadingOutcome.Held, r.Outcome);
                }
            }
            CheckBilling(world, outcomes, final);
        }, iter: 400);
    }
}
