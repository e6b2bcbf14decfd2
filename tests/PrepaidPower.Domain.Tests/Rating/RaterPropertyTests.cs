using CsCheck;
using PrepaidPower.Domain.Rating;
using PrepaidPower.Domain.Tariffs;
using static PrepaidPower.Domain.Tests.Tariffs.Samples;

namespace PrepaidPower.Domain.Tests.Rating;

/// <summary>Splitting an interval never changes the money: random cut points, tier crossings, DST days.</summary>
[Trait("Category", "Unit")]
public sealed class RaterPropertyTests
{
    // London, night/day bands and small monthly tiers so that random intervals cross tiers and DST changes.
    private static readonly Tariff LondonTiered = TariffLoader.Parse("""
        {
          "id": "london-tiered", "currency": "GBP", "timeZone": "Europe/London",
          "versions": [ {
            "effectiveFrom": "2024-01-01",
            "timeOfUse": { "bands": ["night", "day"], "seasons": [ { "dayTypes": { "default": [
              { "band": "night", "from": "00:30", "to": "07:30" },
              { "band": "day", "from": "07:30", "to": "00:30" } ] } } ] },
            "tierPeriod": "month",
            "tiers": [
              { "upTo": "20", "prices": { "night": "0.1013", "day": "0.2971" } },
              { "upTo": "60", "prices": { "night": "0.1517", "day": "0.3333" } },
              { "prices": { "night": "0.2001", "day": "0.4447" } } ]
          } ]
        }
        """);

    private static readonly DateTimeOffset ShanghaiOrigin = Cn(2024, 1, 1);
    private static readonly DateTimeOffset LondonOrigin = Utc(2024, 1, 1);

    /// <summary>An interval (minutes from an origin), cut points inside it, powers and a starting tier counter.</summary>
    private static readonly Gen<(int Start, int Length, int[] Cuts, int PowerA, int PowerB, int Used)> Case =
        from start in Gen.Int[0, 330 * 1440]
        from length in Gen.Int[2, 3000]
        from cuts in Gen.Int[1, length - 1].Array[0, 8]
        from a in Gen.Int[0, 40]
        from b in Gen.Int[0, 40]
        from used in Gen.Int[0, 5_200_000]
        select (start, length, cuts.Distinct().Order().ToArray(), a, b, used);

    private static long Posted(MoneyRounding rounding, IEnumerable<decimal> exact)
    {
        var acc = new ChargeAccumulator(0m, 0, rounding);
        return exact.Sum(acc.Post);
    }

    private static IEnumerable<(int From, int To)> Pieces(int length, int[] cuts)
    {
        var from = 0;
        foreach (var c in cuts.Append(length))
        {
            yield return (from, c);
            from = c;
        }
    }

    /// <summary>Per-band registers for [from, to) minutes: each band draws its own constant power (Wh/min).</summary>
    private static Energy[] Registers(Tariff t, DateTimeOffset origin, int from, int to, int powerA, int powerB)
    {
        var v = t.Versions[0];
        var regs = new Energy[t.BandNames.Length];
        for (var m = from; m < to; m++)
        {
            var local = TimeZoneInfo.ConvertTime(origin.AddMinutes(m), t.TimeZone).DateTime;
            var band = t.BandIndex(v.BandAt(DateOnly.FromDateTime(local), TimeOnly.FromDateTime(local)));
            regs[band] += Energy.FromWattHours(band == 0 ? powerA : powerB);
        }
        return regs;
    }

    private static (decimal Exact, TierCounter Counter) RateWithRegisters(Tariff t, DateTimeOffset origin, int from, int to, int a, int b, TierCounter counter)
    {
        var regs = Registers(t, origin, from, to, a, b);
        var total = Energy.FromWattHours(regs.Sum(r => r.WattHours));
        var r = Rater.Rate(t, origin.AddMinutes(from), origin.AddMinutes(to), total, regs, new RatingAccount(counter), new RatedLine[t.MaxRatedLines]);
        return (r.TotalMinor, r.Counter);
    }

    [Fact]
    public void Rate_SplitWithConsistentBandRegisters_SameExactAndPostedTotal()
    {
        Case.Sample(c =>
        {
            var counter = new TierCounter(new DateOnly(2024, 1, 1), Energy.FromWattHours(c.Used));
            var whole = RateWithRegisters(ShanghaiTou, ShanghaiOrigin, 0, c.Length, c.PowerA, c.PowerB, counter);
            var parts = new List<decimal>();
            var running = counter;
            foreach (var (from, to) in Pieces(c.Length, c.Cuts))
            {
                var part = RateWithRegisters(ShanghaiTou, ShanghaiOrigin, from, to, c.PowerA, c.PowerB, running);
                parts.Add(part.Exact);
                running = part.Counter;
            }
            Assert.Equal(whole.Exact, parts.Sum());
            Assert.Equal(whole.Counter, running);
            Assert.Equal(Posted(MoneyRounding.HalfUp, [whole.Exact]), Posted(MoneyRounding.HalfUp, parts));
        }, iter: 300);
    }

    [Theory]
    [InlineData("shanghai-tou")]
    [InlineData("shanghai-flat")]
    [InlineData("london-tiered")]
    public void Rate_SplitUniformConsumptionAcrossTiers_SameExactTotal(string which)
    {
        var (tariff, origin, period) = which switch
        {
            "shanghai-tou" => (ShanghaiTou, ShanghaiOrigin, new DateOnly(2024, 1, 1)),
            "shanghai-flat" => (Shanghai, ShanghaiOrigin, new DateOnly(2024, 1, 1)),
            _ => (LondonTiered, LondonOrigin, default),
        };
        Case.Sample(c =>
        {
            // Uniform power of PowerA Wh per minute: every piece's energy is whole Wh.
            var counter = new TierCounter(period, Energy.FromWattHours(tariff == LondonTiered ? c.Used / 100 : c.Used));
            var lines = new RatedLine[tariff.MaxRatedLines];
            var whole = Rater.Rate(tariff, origin.AddMinutes(c.Start), origin.AddMinutes(c.Start + c.Length),
                Energy.FromWattHours((long)c.PowerA * c.Length), new RatingAccount(counter), lines);
            var parts = new List<decimal>();
            var running = counter;
            foreach (var (from, to) in Pieces(c.Length, c.Cuts))
            {
                var r = Rater.Rate(tariff, origin.AddMinutes(c.Start + from), origin.AddMinutes(c.Start + to),
                    Energy.FromWattHours((long)c.PowerA * (to - from)), new RatingAccount(running), lines);
                parts.Add(r.TotalMinor);
                running = r.Counter;
            }
            Assert.Equal(whole.TotalMinor, parts.Sum());
            Assert.Equal(whole.Counter, running);
            Assert.Equal(Posted(tariff.Rounding, [whole.TotalMinor]), Posted(tariff.Rounding, parts));
        }, iter: 200);
    }

    [Fact]
    public void Post_ManyRatedIntervals_SumOfPostingsIsExactTotalRoundedOnce()
    {
        var gen =
            from rounding in Gen.Enum<MoneyRounding>()
            from lengths in Gen.Int[1, 180].Array[1, 60]
            from energies in Gen.Int[0, 5000].Array[60]
            select (rounding, lengths, energies);
        gen.Sample(g =>
        {
            var acc = new ChargeAccumulator(0m, 0, g.rounding);
            var lines = new RatedLine[LondonTiered.MaxRatedLines];
            var counter = default(TierCounter);
            var t = Utc(2024, 3, 30, 20);
            long posted = 0;
            var exact = 0m;
            for (var i = 0; i < g.lengths.Length; i++)
            {
                var next = t.AddMinutes(g.lengths[i]);
                var r = Rater.Rate(LondonTiered, t, next, Energy.FromWattHours(g.energies[i]), new RatingAccount(counter), lines);
                posted += acc.Post(r.TotalMinor);
                exact += r.TotalMinor;
                Assert.True(Math.Abs(acc.CarryMinor) <= 1m);
                counter = r.Counter;
                t = next;
            }
            Assert.Equal(decimal.ToInt64(g.rounding.RoundToInteger(exact)), posted);
        }, iter: 200);
    }
}
