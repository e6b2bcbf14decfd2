using System.Diagnostics.Metrics;
using PrepaidPower.Grains;

namespace PrepaidPower.LoadTest;

/// <summary>
/// A lock-free latency histogram with 1 % wide logarithmic buckets from 1 µs up (so a percentile is exact to 1 %),
/// fixed in size however many values it takes.
/// </summary>
internal sealed class LatencyRecorder
{
    private const double Smallest = 0.001;
    private static readonly double Growth = Math.Log(1.01);
    private readonly long[] counts = new long[3000];
    private long count;

    public long Count => Interlocked.Read(ref count);

    public void Record(double milliseconds)
    {
        var bucket = milliseconds <= Smallest ? 0 : Math.Min(counts.Length - 1, (int)Math.Ceiling(Math.Log(milliseconds / Smallest) / Growth));
        Interlocked.Increment(ref counts[bucket]);
        Interlocked.Increment(ref count);
    }

    /// <summary>The value at quantile <paramref name="p"/> (0–1), ms, rounded to 0.1; null when nothing was recorded.</summary>
    public double? Percentile(double p)
    {
        var total = Count;
        if (total == 0)
        {
            return null;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(p * total));
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            seen += Interlocked.Read(ref counts[i]);
            if (seen >= rank)
            {
                return Math.Round(Smallest * Math.Exp(i * Growth), 1);
            }
        }

        return null;
    }

    public void Reset()
    {
        Array.Clear(counts);
        Interlocked.Exchange(ref count, 0);
    }
}

/// <summary>Feeds the silo's <see cref="IngestMetrics"/> histograms into two recorders while it lives.</summary>
internal sealed class IngestListener : IDisposable
{
    private readonly MeterListener listener = new();

    public IngestListener()
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == IngestMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
        {
            switch (instrument.Name)
            {
                case IngestMetrics.ReadingLagName:
                    Lag.Record(value);
                    break;
                case IngestMetrics.CutoffLatencyName:
                    Cutoff.Record(value);
                    break;
            }
        });
        listener.Start();
    }

    /// <summary>Poll to charge committed, per reading.</summary>
    public LatencyRecorder Lag { get; } = new();

    /// <summary>Cut due to relay confirmed open, per cut.</summary>
    public LatencyRecorder Cutoff { get; } = new();

    public void Reset()
    {
        Lag.Reset();
        Cutoff.Reset();
    }

    public void Dispose() => listener.Dispose();
}
