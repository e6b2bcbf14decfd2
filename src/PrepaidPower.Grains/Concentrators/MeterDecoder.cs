// Turns one meter's registers into values the meter grain accepts, or says why they are impossible.
using PrepaidPower.Modbus.Profiles;

namespace PrepaidPower.Grains.Concentrators;

/// <summary>
/// One meter's decoded registers. Energy in whole Wh (truncated, like the meter's display); relay and limit only when
/// the profile has a relay status register; flags as <see cref="MeterEvent"/> bits (bit n = 1 &lt;&lt; (int)event);
/// clock raw (for frozen-register detection) and as an instant when plausible.
/// </summary>
internal readonly record struct MeterSample(
    long TotalWh,
    long[] BandsWh,
    bool? RelayClosed,
    int? LimitWatts,
    int Events,
    ulong? ClockRaw,
    DateTimeOffset? MeterTime);

/// <summary>Registers read for one group, by kind: the buffer and the address its first element holds.</summary>
internal readonly ref struct RegisterWindow(ReadOnlySpan<ushort> holding, ushort holdingStart, ReadOnlySpan<ushort> input, ushort inputStart)
{
    private readonly ReadOnlySpan<ushort> _holding = holding;
    private readonly ReadOnlySpan<ushort> _input = input;

    /// <summary>The registers of <paramref name="point"/> for the meter whose block starts at <paramref name="baseAddress"/>.</summary>
    public ReadOnlySpan<ushort> Of(RegisterPoint point, ushort baseAddress)
    {
        return point.Kind == RegisterKind.Holding
            ? _holding.Slice(baseAddress + point.Address - holdingStart, point.Format.RegisterCount)
            : _input.Slice(baseAddress + point.Address - inputStart, point.Format.RegisterCount);
    }
}

/// <summary>Strict decoding: an impossible value is an error, never a reading.</summary>
internal static class MeterDecoder
{
    /// <summary>Latest instant a meter clock may show (year 9999).</summary>
    private const long MaxUnixSeconds = 253_402_300_799;

    public static bool TryDecode(RegisterPlan plan, scoped RegisterWindow window, ushort baseAddress, out MeterSample sample, out string error)
    {
        sample = default;
        var map = plan.Map;
        if (!TryEnergy(map.TotalEnergy, window.Of(map.TotalEnergy.Point, baseAddress), out var total, out error))
        {
            error = "totalEnergy: " + error;
            return false;
        }

        var bands = new long[plan.Bands.Count];
        for (var i = 0; i < bands.Length; i++)
        {
            if (!TryEnergy(plan.Bands[i], window.Of(plan.Bands[i].Point, baseAddress), out bands[i], out error))
            {
                error = $"bandEnergy[{i}]: " + error;
                return false;
            }
        }

        bool? closed = null;
        int? limitWatts = null;
        if (map.RelayStatus is { } relay)
        {
            var raw = relay.Point.Format.ReadRaw(window.Of(relay.Point, baseAddress));
            if (raw == relay.ClosedRaw)
            {
                closed = true;
            }
            else if (raw == relay.OpenRaw)
            {
                closed = false;
            }
            else
            {
                error = $"relayStatus: raw {raw} is neither closed ({relay.ClosedRaw}) nor open ({relay.OpenRaw})";
                return false;
            }

            if (map.PowerLimit is { } limit && !TryLimit(limit, window.Of(limit.Point, baseAddress), out limitWatts, out error))
            {
                error = "powerLimit: " + error;
                return false;
            }
        }

        var events = 0;
        if (map.EventFlags is { } flags)
        {
            var raw = flags.Point.Format.ReadRaw(window.Of(flags.Point, baseAddress));
            foreach (var (meterEvent, bit) in flags.Bits)
            {
                if ((raw & (1UL << bit)) != 0)
                {
                    events |= 1 << (int)meterEvent;
                }
            }
        }

        ulong? clockRaw = null;
        DateTimeOffset? meterTime = null;
        if (map.Clock is { } clock)
        {
            clockRaw = clock.Format.ReadRaw(window.Of(clock, baseAddress));
            var seconds = clock.Format.Type == Modbus.RegisterDataType.Int64 ? (long)clockRaw.Value : (long)Math.Min(clockRaw.Value, long.MaxValue);
            // A wrong meter clock is not an impossible reading (VEE flags the skew); only an unrepresentable one is dropped.
            meterTime = seconds is > 0 and <= MaxUnixSeconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;
        }

        sample = new MeterSample(total, bands, closed, limitWatts, events, clockRaw, meterTime);
        error = "";
        return true;
    }

    private static bool TryEnergy(EnergyRegister register, ReadOnlySpan<ushort> registers, out long wattHours, out string error)
    {
        wattHours = 0;
        var format = register.Point.Format;
        var raw = format.ReadRaw(registers);
        if (format.Type != Modbus.RegisterDataType.Float32 && raw >= register.RolloverAt)
        {
            error = $"raw {raw} is at or above the wrap value {register.RolloverAt}";
            return false;
        }

        if (!format.TryDecode(registers, out var value))
        {
            error = "not a finite number";
            return false;
        }

        var wh = value * (register.Unit == EnergyUnit.KilowattHours ? 1000m : 1m);
        if (wh < 0 || wh > long.MaxValue)
        {
            error = $"{wh} Wh is not a possible cumulative energy";
            return false;
        }

        wattHours = (long)decimal.Truncate(wh);
        error = "";
        return true;
    }

    public static bool TryLimit(PowerLimitRegister register, ReadOnlySpan<ushort> registers, out int? watts, out string error)
    {
        watts = null;
        var raw = register.Point.Format.ReadRaw(registers);
        if (raw == register.UnlimitedRaw)
        {
            error = "";
            return true;
        }

        if (!register.Point.Format.TryDecode(registers, out var value))
        {
            error = "not a finite number";
            return false;
        }

        var w = value * (register.Unit == PowerUnit.Kilowatts ? 1000m : 1m);
        if (w != decimal.Truncate(w) || w is < 1 or > 1_000_000)
        {
            error = $"{w} W is not a possible limit (whole W, 1 – 1,000,000)";
            return false;
        }

        watts = (int)w;
        error = "";
        return true;
    }
}
