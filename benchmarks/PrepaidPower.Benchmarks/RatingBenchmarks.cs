using BenchmarkDotNet.Attributes;
using PrepaidPower.Domain;
using PrepaidPower.Domain.Rating;
using PrepaidPower.Domain.Tariffs;

namespace PrepaidPower.Benchmarks;

/// <summary>
/// Rating one meter interval with the Shanghai TOU × tier sample (target: under 500 ns, zero bytes allocated).
/// </summary>
[MemoryDiagnoser]
public class RatingBenchmarks
{
    private static readonly TimeSpan China = TimeSpan.FromHours(8);
    private readonly RatedLine[] _lines = new RatedLine[16];
    private Tariff _tariff = null!;
    private RatingAccount _fresh;
    private RatingAccount _nearBound;
    private Energy[] _registers = null!;

    [GlobalSetup]
    public void Setup()
    {
        _tariff = TariffLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "samples", "tariffs", "shanghai-residential-tou.json"));
        _fresh = new RatingAccount(new TierCounter(new DateOnly(2024, 1, 1), Energy.FromKilowattHours(1200)));
        _nearBound = new RatingAccount(new TierCounter(new DateOnly(2024, 1, 1), Energy.FromWattHours(3_119_900)));
        _registers = new Energy[_tariff.BandNames.Length];
        _registers[_tariff.BandIndex("peak")] = Energy.FromWattHours(120);
        _registers[_tariff.BandIndex("valley")] = Energy.FromWattHours(130);
    }

    [Benchmark(Baseline = true)]
    public decimal QuarterHour() =>
        Rater.Rate(_tariff, new DateTimeOffset(2024, 3, 1, 10, 0, 0, China), new DateTimeOffset(2024, 3, 1, 10, 15, 0, China),
            Energy.FromWattHours(250), _fresh, _lines).TotalMinor;

    [Benchmark]
    public decimal StraddlingBandBoundary() =>
        Rater.Rate(_tariff, new DateTimeOffset(2024, 3, 1, 21, 50, 0, China), new DateTimeOffset(2024, 3, 1, 22, 5, 0, China),
            Energy.FromWattHours(250), _fresh, _lines).TotalMinor;

    [Benchmark]
    public decimal StraddlingBandBoundaryWithRegisters() =>
        Rater.Rate(_tariff, new DateTimeOffset(2024, 3, 1, 21, 50, 0, China), new DateTimeOffset(2024, 3, 1, 22, 5, 0, China),
            Energy.FromWattHours(250), _registers, _fresh, _lines).TotalMinor;

    [Benchmark]
    public decimal CrossingTierBoundary() =>
        Rater.Rate(_tariff, new DateTimeOffset(2024, 3, 1, 10, 0, 0, China), new DateTimeOffset(2024, 3, 1, 10, 15, 0, China),
            Energy.FromWattHours(250), _nearBound, _lines).TotalMinor;

    [Benchmark]
    public decimal StandingChargeOneDay() =>
        Rater.StandingCharge(_tariff, new DateTimeOffset(2024, 3, 1, 0, 0, 0, China), new DateTimeOffset(2024, 3, 2, 0, 0, 0, China)).AmountMinor;
}
