using System.Diagnostics.Metrics;

namespace PrepaidPower.Grains;

/// <summary>
/// Latencies of the ingest and supply paths, published on the <see cref="MeterName"/> meter for dotnet-counters,
/// OpenTelemetry and the load harness. Each is measured inside one silo on its monotonic clock, in milliseconds.
/// </summary>
public static class IngestMetrics
{
    /// <summary>Name of the <see cref="Meter"/> the instruments belong to.</summary>
    public const string MeterName = "PrepaidPower";

    /// <summary>Instrument name of <see cref="ReadingLag"/>.</summary>
    public const string ReadingLagName = "prepaidpower.reading.lag";

    /// <summary>Instrument name of <see cref="CutoffLatency"/>.</summary>
    public const string CutoffLatencyName = "prepaidpower.supply.cutoff_latency";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>
    /// From the concentrator holding a meter's registers (the Modbus response decoded) to the meter grain's answer:
    /// the reading validated, its usage rated and committed to the ledger, and any supply order applied.
    /// </summary>
    public static Histogram<double> ReadingLag { get; } = Meter.CreateHistogram<double>(
        ReadingLagName, "ms", "Poll to charge committed in the ledger, per reading");

    /// <summary>
    /// From the meter grain receiving the reading (or the order) that makes a cut due to the relay read back open.
    /// Tagged <c>reason</c> = arrears or enforcement.
    /// </summary>
    public static Histogram<double> CutoffLatency { get; } = Meter.CreateHistogram<double>(
        CutoffLatencyName, "ms", "Cut due to relay confirmed open");
}
