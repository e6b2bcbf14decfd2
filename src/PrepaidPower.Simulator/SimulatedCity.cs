// The simulated city in memory: meters, concentrators, lazy energy integration, relay behaviour, faults and truth.
using System.Buffers;
using System.Collections.Concurrent;
using PrepaidPower.Modbus;
using PrepaidPower.Modbus.Profiles;

namespace PrepaidPower.Simulator;

/// <summary>Where a simulated concentrator sits and what it serves.</summary>
public sealed record ConcentratorInfo(int Index, ConcentratorLayout Layout, int FirstMeter, int MeterCount, byte? TableUnitId, ushort? FirstBlockAddress, int? Stride);

/// <summary>How to reach one meter: its concentrator, the unit id to address, and (table layout) its block's first register.</summary>
public readonly record struct MeterAddress(int Meter, int Concentrator, ConcentratorLayout Layout, byte UnitId, ushort BlockAddress);

/// <summary>
/// A city of <see cref="SimulatorOptions.Meters"/> meters behind <see cref="SimulatorOptions.Concentrators"/>
/// concentrators, without sockets (see <see cref="SimulatorHost"/> for those). State is one 64-byte struct per meter in
/// one array; energy is integrated lazily in whole simulated seconds whenever a meter is read, written, faulted or asked
/// for its truth (<see cref="AdvanceAll"/> brings every meter to now). Thread-safe: one lock per concentrator.
/// </summary>
public sealed class SimulatedCity
{
    private const ushort SafetyEvents =
        (1 << (int)MeterEvent.ArcFault) | (1 << (int)MeterEvent.ResidualCurrent) | (1 << (int)MeterEvent.OverTemperature) | (1 << (int)MeterEvent.Overload);

    private readonly MeterState[] _meters;
    private readonly Concentrator[] _concentrators;
    private readonly ConcurrentDictionary<int, MeterFault> _meterFaults = new();
    private readonly Lock _historyLock = new();
    private readonly List<MeterExchange> _exchanges = [];
    private readonly Dictionary<int, (long RegisteredWh, int Rollovers, int Exchanges)> _past = [];
    private readonly ulong _seed;
    private readonly long _startUnix;
    private readonly int _offsetS;
    private readonly int _tripDelayS;
    private readonly int _perConcentrator;
    private readonly int _withExtra;

    /// <summary>Builds the city; every meter starts with its relay closed, no limit, no events, registers at 0 (or near the wrap).</summary>
    /// <exception cref="ArgumentException">An option is invalid, or the profile cannot be served (the message says what to change).</exception>
    public SimulatedCity(SimulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        Profile = options.Profile ?? DeviceProfiles.Simulator;
        Clock = new SimulationClock(options.Start ?? options.TimeProvider.GetUtcNow(), options.Acceleration, options.TimeProvider);
        _seed = options.Seed;
        _startUnix = Clock.Start.ToUnixTimeSeconds();
        _offsetS = (int)options.UtcOffset.TotalSeconds;
        _tripDelayS = (int)options.OverloadTripDelay.TotalSeconds;

        var gateway = Profile.Gateway is null ? null : new LayoutCodec(Profile, ConcentratorLayout.Gateway);
        var table = Profile.Table is null ? null : new LayoutCodec(Profile, ConcentratorLayout.Table);
        _perConcentrator = options.Meters / options.Concentrators;
        _withExtra = options.Meters % options.Concentrators;
        _concentrators = new Concentrator[options.Concentrators];
        var first = 0;
        for (var c = 0; c < _concentrators.Length; c++)
        {
            var count = _perConcentrator + (c < _withExtra ? 1 : 0);
            var codec = options.Layout switch
            {
                SimulatedLayouts.Gateway => gateway ?? throw NoLayout("gateway"),
                SimulatedLayouts.Table => table ?? throw NoLayout("table"),
                _ => (c % 2 == 0 ? gateway ?? table : table ?? gateway)!,
            };
            var capacity = codec.Table?.MaxMeters ?? GatewayLayout.MaxMeters;
            if (count > capacity)
            {
                throw new ArgumentException(
                    $"Simulator option Concentrators: {count} meters on concentrator {c} exceed its {codec.Layout} layout's {capacity}; use at least {(options.Meters + capacity - 1) / capacity} concentrators of that layout (or the table layout).",
                    nameof(options));
            }

            _concentrators[c] = new Concentrator(c, codec, first, count);
            first += count;
        }

        _meters = new MeterState[options.Meters];
        var mixTotal = (ulong)options.Mix.Total;
        for (var i = 0; i < _meters.Length; i++)
        {
            ref var m = ref _meters[i];
            var seed = MeterSeed(i);
            var pick = (int)(ConsumptionModel.Mix(seed, -1) % mixTotal);
            var size = ConsumptionModel.Mix(seed, -2);
            var mix = options.Mix;
            (m.Kind, m.NominalW) = pick < mix.Residential ? (ConsumptionKind.Residential, (ushort)(1500 + (size % 2501)))
                : pick < mix.Residential + mix.Commercial ? (ConsumptionKind.Commercial, (ushort)(5000 + (size % 35001)))
                : pick < mix.Residential + mix.Commercial + mix.Heater ? (ConsumptionKind.Heater, (ushort)(1000 * (1 + (int)(size % 3))))
                : (ConsumptionKind.Vacant, (ushort)5);
            m.Relay = MeterState.RelayClosed | MeterState.CommandClosed;
            m.OverSinceS = -1;
            if (options.RolloverEvery > 0 && i % options.RolloverEvery == 0)
            {
                var codec = ConcentratorOf(i).Codec;
                var headroom = (UInt128)(ulong)(options.RolloverHeadroomWh / codec.TotalWhPerCount);
                m.StartRaw = codec.TotalRolloverAt > headroom ? (ulong)(codec.TotalRolloverAt - headroom - 1) : 0;
            }
        }
    }

    public SimulatorOptions Options { get; }

    public DeviceProfile Profile { get; }

    public SimulationClock Clock { get; }

    public int MeterCount => _meters.Length;

    public IReadOnlyList<ConcentratorInfo> Concentrators => [.. _concentrators.Select(c => c.Info)];

    /// <summary>The concentrator serving meter <paramref name="meter"/> and how to address it.</summary>
    public MeterAddress AddressOf(int meter)
    {
        var c = ConcentratorOf(meter);
        var slot = meter - c.FirstMeter;
        return c.Codec.Table is { } t
            ? new MeterAddress(meter, c.Index, ConcentratorLayout.Table, t.UnitId, t.BlockAddress(slot))
            : new MeterAddress(meter, c.Index, ConcentratorLayout.Gateway, (byte)(GatewayLayout.FirstUnitId + slot), 0);
    }

    /// <summary>Counters of concentrator <paramref name="concentrator"/>.</summary>
    public ConcentratorCounters CountersOf(int concentrator) => _concentrators[concentrator].Counters;

    /// <summary>Integrates every meter up to now; returns the simulated second reached. Cost grows with the simulated time since the last call.</summary>
    public int AdvanceAll()
    {
        var now = Clock.SecondsSinceStart;
        foreach (var c in _concentrators)
        {
            lock (c.Lock)
            {
                var span = _meters.AsSpan(c.FirstMeter, c.MeterCount);
                for (var i = 0; i < span.Length; i++)
                {
                    Integrate(ref span[i], c.FirstMeter + i, now);
                }
            }
        }

        return now;
    }

    /// <summary>The truth of meter <paramref name="meter"/> now (the meter is integrated first).</summary>
    public MeterTruth GetTruth(int meter)
    {
        var c = ConcentratorOf(meter);
        MeterState m;
        int now;
        lock (c.Lock)
        {
            now = Clock.SecondsSinceStart;
            Integrate(ref _meters[meter], meter, now);
            m = _meters[meter];
        }

        return TruthOf(c, meter, in m, now);
    }

    /// <summary>Sum of <see cref="MeterTruth.TrueWh"/> and <see cref="MeterTruth.RegisteredWh"/> over all meters, now.</summary>
    public (long TrueWh, long RegisteredWh) Totals()
    {
        AdvanceAll();
        long trueWh = 0, registered = 0;
        for (var i = 0; i < _meters.Length; i++)
        {
            var t = GetTruth(i);
            trueWh += t.TrueWh;
            registered += t.RegisteredWh;
        }

        return (trueWh, registered);
    }

    /// <summary>
    /// Energy in Wh between two readings of meter <paramref name="meter"/>'s total register on its current meter
    /// (<paramref name="from"/> read before <paramref name="to"/>; at most one wrap in between): the exact energy consumed
    /// between the instants the register turned to each value.
    /// </summary>
    public long EnergyBetweenRegisterValues(int meter, ulong from, ulong to)
    {
        var codec = ConcentratorOf(meter).Codec;
        var rollover = codec.TotalRolloverAt;
        if (from >= rollover || to >= rollover)
        {
            throw new ArgumentOutOfRangeException(nameof(to), $"Register values must be below the wrap value {rollover}.");
        }

        var counts = ((UInt128)to + rollover - from) % rollover;
        return (long)counts * codec.TotalWhPerCount;
    }

    /// <summary>Every meter exchange so far, in order.</summary>
    public IReadOnlyList<MeterExchange> Exchanges
    {
        get
        {
            lock (_historyLock)
            {
                return [.. _exchanges];
            }
        }
    }

    /// <summary>Replaces a meter's load (tests: e.g. a constant 1500 W); integrates the old load up to now first.</summary>
    public void SetLoad(int meter, ConsumptionKind kind, int nominalW)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nominalW);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(nominalW, ushort.MaxValue);
        Mutate(meter, (ref MeterState m) =>
        {
            m.Kind = kind;
            m.NominalW = (ushort)nominalW;
        });
    }

    /// <summary>
    /// Commands the relay, as a Modbus write of the relay-control register does. Closing is refused by the device while
    /// a safety or overload event is latched: the command is stored but the relay stays open (read the status back).
    /// </summary>
    public void CommandRelay(int meter, bool closed) => Mutate(meter, (ref MeterState m) => ApplyRelay(ref m, closed));

    /// <summary>Sets the power limit in W (0 = none), as a Modbus write of the power-limit register does.</summary>
    public void SetPowerLimit(int meter, int watts)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(watts);
        Mutate(meter, (ref MeterState m) => ApplyLimit(ref m, watts));
    }

    /// <summary>Latches an event. Arc fault, residual current, over-temperature and overload open the relay; tamper and cover-open only flag.</summary>
    public void TriggerEvent(int meter, MeterEvent meterEvent) => Mutate(meter, (ref MeterState m) =>
    {
        var bit = (ushort)(1 << (int)meterEvent);
        m.Events |= bit;
        if ((bit & SafetyEvents) != 0)
        {
            m.Relay = (byte)(m.Relay & ~MeterState.RelayClosed);
            m.OverSinceS = -1;
        }
    });

    /// <summary>Clears latched events (the inspection step), as a write of the event-clear register does. The relay stays open until commanded closed.</summary>
    public void ClearEvents(int meter, params MeterEvent[] events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var mask = (ushort)events.Aggregate(0, (acc, e) => acc | (1 << (int)e));
        Mutate(meter, (ref MeterState m) => m.Events = (ushort)(m.Events & ~mask));
    }

    /// <summary>
    /// Replaces the meter: the new meter's energy registers start at <paramref name="newStartRaw"/> (0 = new, near the
    /// wrap value to test rollover); relay, limit and events carry over. The old final reading is recorded in <see cref="Exchanges"/>.
    /// </summary>
    public MeterExchange ExchangeMeter(int meter, ulong newStartRaw = 0)
    {
        var c = ConcentratorOf(meter);
        if (newStartRaw >= c.Codec.TotalRolloverAt)
        {
            throw new ArgumentOutOfRangeException(nameof(newStartRaw), newStartRaw, $"must be below the wrap value {c.Codec.TotalRolloverAt}");
        }

        lock (c.Lock)
        {
            var now = Clock.SecondsSinceStart;
            ref var m = ref _meters[meter];
            Integrate(ref m, meter, now);
            var counter = m.TotalWh - m.InstallWh;
            var perCount = c.Codec.TotalWhPerCount;
            var exchange = new MeterExchange(
                meter,
                Clock.Start.AddSeconds(now),
                LayoutCodec.EnergyRaw(m.StartRaw, counter, perCount, c.Codec.TotalRolloverAt),
                newStartRaw,
                counter / perCount * perCount,
                LayoutCodec.Rollovers(m.StartRaw, counter, perCount, c.Codec.TotalRolloverAt),
                m.TotalWh);
            lock (_historyLock)
            {
                _exchanges.Add(exchange);
                var past = _past.GetValueOrDefault(meter);
                _past[meter] = (past.RegisteredWh + exchange.OldRegisteredWh, past.Rollovers + exchange.OldRollovers, past.Exchanges + 1);
            }

            m.InstallWh = m.TotalWh;
            m.StartRaw = newStartRaw;
            m.BandWh = default;
            return exchange;
        }
    }

    /// <summary>Sets (or with <see cref="FaultKind.None"/> clears) a fault; effective from the next request.</summary>
    public void SetFault(FaultTarget target, FaultKind kind, ModbusExceptionCode exceptionCode = ModbusExceptionCode.ServerDeviceFailure)
    {
        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown fault kind.");
        }

        if (target.IsConcentrator)
        {
            var c = _concentrators[target.Index];
            lock (c.Lock)
            {
                var now = Clock.SecondsSinceStart;
                if (kind == FaultKind.StaleRegisters)
                {
                    var span = _meters.AsSpan(c.FirstMeter, c.MeterCount);
                    for (var i = 0; i < span.Length; i++)
                    {
                        Integrate(ref span[i], c.FirstMeter + i, now);
                    }

                    c.Frozen = span.ToArray();
                }
                else
                {
                    c.Frozen = null;
                }

                c.Fault = new ActiveFault(kind, exceptionCode);
            }

            return;
        }

        var owner = ConcentratorOf(target.Index);
        lock (owner.Lock)
        {
            if (kind == FaultKind.None)
            {
                _meterFaults.TryRemove(target.Index, out _);
                return;
            }

            ref var m = ref _meters[target.Index];
            Integrate(ref m, target.Index, Clock.SecondsSinceStart);
            _meterFaults[target.Index] = new MeterFault(new ActiveFault(kind, exceptionCode), m);
        }
    }

    /// <summary>Clears a fault.</summary>
    public void ClearFault(FaultTarget target) => SetFault(target, FaultKind.None);

    /// <summary>The fault set on a target (Kind None when there is none).</summary>
    public ActiveFault GetFault(FaultTarget target) =>
        target.IsConcentrator ? _concentrators[target.Index].Fault
            : _meterFaults.TryGetValue(target.Index, out var f) ? f.Fault : default;

    /// <summary>Writes every meter's truth, the exchanges and the totals as JSON (format: docs/simulator.md).</summary>
    public void WriteTruthJson(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        AdvanceAll();
        using var json = new System.Text.Json.Utf8JsonWriter(stream, new System.Text.Json.JsonWriterOptions { Indented = false });
        json.WriteStartObject();
        json.WriteString("simulatedAt", Clock.Now);
        json.WriteNumber("meterCount", _meters.Length);
        long trueWh = 0, registeredWh = 0;
        json.WriteStartArray("meters");
        for (var i = 0; i < _meters.Length; i++)
        {
            var t = GetTruth(i);
            trueWh += t.TrueWh;
            registeredWh += t.RegisteredWh;
            json.WriteStartObject();
            json.WriteNumber("meter", t.Meter);
            json.WriteNumber("concentrator", t.Concentrator);
            json.WriteNumber("trueWh", t.TrueWh);
            json.WriteNumber("registeredWh", t.RegisteredWh);
            json.WriteNumber("totalRegisterRaw", t.TotalRegisterRaw);
            json.WriteNumber("whPerCount", t.WattHoursPerCount);
            json.WriteNumber("exchanges", t.Exchanges);
            json.WriteNumber("rollovers", t.Rollovers);
            json.WriteBoolean("relayClosed", t.RelayClosed);
            json.WriteNumber("powerLimitW", t.PowerLimitW);
            json.WriteNumber("events", t.Events);
            json.WriteString("kind", t.Kind.ToString());
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("exchanges");
        foreach (var e in Exchanges)
        {
            json.WriteStartObject();
            json.WriteNumber("meter", e.Meter);
            json.WriteString("at", e.At);
            json.WriteNumber("oldFinalRaw", e.OldFinalRaw);
            json.WriteNumber("newStartRaw", e.NewStartRaw);
            json.WriteNumber("oldRegisteredWh", e.OldRegisteredWh);
            json.WriteNumber("oldRollovers", e.OldRollovers);
            json.WriteNumber("trueWhAtExchange", e.TrueWhAtExchange);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteNumber("totalTrueWh", trueWh);
        json.WriteNumber("totalRegisteredWh", registeredWh);
        json.WriteEndObject();
    }

    /// <summary>Serves one parsed request to concentrator <paramref name="concentrator"/>; writes the response ADU unless the outcome says not to answer.</summary>
    internal RequestOutcome Handle(int concentrator, in ModbusRequest request, ArrayBufferWriter<byte> output)
    {
        var c = _concentrators[concentrator];
        Interlocked.Increment(ref c.Requests);
        lock (c.Lock)
        {
            return Tally(c, HandleLocked(c, request, output));
        }
    }

    /// <summary>A request that failed to parse: answered with <paramref name="error"/> unless the concentrator is faulted silent.</summary>
    internal RequestOutcome HandleUnparsable(int concentrator, in ModbusRequest request, ModbusExceptionCode error, ArrayBufferWriter<byte> output)
    {
        var c = _concentrators[concentrator];
        Interlocked.Increment(ref c.Requests);
        lock (c.Lock)
        {
            return Tally(c, c.Fault.Kind switch
            {
                FaultKind.Timeout => RequestOutcome.NoReply,
                FaultKind.DropConnection => RequestOutcome.Drop,
                _ => Answer(c, request, error, output),
            });
        }
    }

    private RequestOutcome HandleLocked(Concentrator c, in ModbusRequest request, ArrayBufferWriter<byte> output)
    {
        switch (c.Fault.Kind)
        {
            case FaultKind.Timeout:
                return RequestOutcome.NoReply;
            case FaultKind.DropConnection:
                return RequestOutcome.Drop;
            case FaultKind.ExceptionResponse:
                return Answer(c, request, c.Fault.ExceptionCode, output);
        }

        var function = request.Function;
        var isRead = function is ModbusFunction.ReadHoldingRegisters or ModbusFunction.ReadInputRegisters;
        var isWrite = function is ModbusFunction.WriteSingleRegister or ModbusFunction.WriteMultipleRegisters;
        var codec = c.Codec;

        // Which meters the request touches, and where inside the first block it starts.
        int firstSlot, lastSlot;
        if (codec.Table is { } table)
        {
            if (request.UnitId != table.UnitId)
            {
                return Answer(c, request, ModbusExceptionCode.GatewayTargetDeviceFailedToRespond, output);
            }

            if (!isRead && !isWrite)
            {
                return Answer(c, request, ModbusExceptionCode.IllegalFunction, output);
            }

            var start = request.Address - table.FirstBlockAddress;
            var end = start + request.Quantity;
            if (start < 0 || end > c.MeterCount * table.Stride)
            {
                return Answer(c, request, ModbusExceptionCode.IllegalDataAddress, output);
            }

            firstSlot = start / table.Stride;
            lastSlot = (end - 1) / table.Stride;
        }
        else
        {
            var slot = request.UnitId - GatewayLayout.FirstUnitId;
            if (slot < 0 || slot >= c.MeterCount)
            {
                return Answer(c, request, ModbusExceptionCode.GatewayTargetDeviceFailedToRespond, output);
            }

            if (!isRead && !isWrite)
            {
                return Answer(c, request, ModbusExceptionCode.IllegalFunction, output);
            }

            firstSlot = lastSlot = slot;
        }

        // Meter faults: the worst fault among the touched meters decides.
        var stale = c.Fault.Kind == FaultKind.StaleRegisters;
        if (!_meterFaults.IsEmpty)
        {
            var worst = default(ActiveFault);
            for (var s = firstSlot; s <= lastSlot; s++)
            {
                if (_meterFaults.TryGetValue(c.FirstMeter + s, out var f) && Severity(f.Fault.Kind) > Severity(worst.Kind))
                {
                    worst = f.Fault;
                }
            }

            switch (worst.Kind)
            {
                case FaultKind.Timeout:
                    return RequestOutcome.NoReply;
                case FaultKind.DropConnection:
                    return RequestOutcome.Drop;
                case FaultKind.ExceptionResponse:
                    return Answer(c, request, worst.ExceptionCode, output);
                case FaultKind.StaleRegisters:
                    stale = true;
                    break;
            }
        }

        var now = Clock.SecondsSinceStart;
        for (var s = firstSlot; s <= lastSlot; s++)
        {
            Integrate(ref _meters[c.FirstMeter + s], c.FirstMeter + s, now);
        }

        var blockBase = codec.Table is { } t2 ? t2.FirstBlockAddress : 0;
        if (isRead)
        {
            var kind = function == ModbusFunction.ReadHoldingRegisters ? RegisterKind.Holding : RegisterKind.Input;
            if (codec.Table is null && request.Address + request.Quantity > codec.BlockSize(kind))
            {
                return Answer(c, request, ModbusExceptionCode.IllegalDataAddress, output);
            }

            Span<ushort> values = stackalloc ushort[request.Quantity];
            values.Clear();
            var stride = codec.Table?.Stride ?? 0x10000;
            var address = request.Address - blockBase;
            for (var s = firstSlot; s <= lastSlot; s++)
            {
                var meter = c.FirstMeter + s;
                var blockStart = s * (codec.Table is null ? 0 : stride);
                var from = Math.Max(address, blockStart);
                var to = Math.Min(address + request.Quantity, blockStart + (codec.Table is null ? 0x10000 : stride));
                ref readonly var state = ref StateForRead(c, meter, stale);
                EncodeBlock(codec, kind, in state, meter, now, from - blockStart, values.Slice(from - address, to - from));
            }

            ModbusResponseWriter.WriteReadRegisters(output, request.TransactionId, request.UnitId, function, values);
            return RequestOutcome.Replied;
        }

        Span<ushort> written = stackalloc ushort[request.Quantity];
        if (function == ModbusFunction.WriteSingleRegister)
        {
            written[0] = request.Value;
        }
        else
        {
            request.CopyRegisters(written);
        }

        var error = ApplyWrites(c, firstSlot, request.Address - blockBase, written);
        if (error is { } e)
        {
            return Answer(c, request, e, output);
        }

        ModbusResponseWriter.WriteWriteEcho(output, request.TransactionId, request.UnitId, function, request.Address,
            function == ModbusFunction.WriteSingleRegister ? request.Value : request.Quantity);
        return RequestOutcome.Replied;
    }

    private ref readonly MeterState StateForRead(Concentrator c, int meter, bool stale)
    {
        if (stale)
        {
            if (_meterFaults.TryGetValue(meter, out var f) && f.Fault.Kind == FaultKind.StaleRegisters)
            {
                return ref f.FrozenRef;
            }

            if (c.Frozen is { } frozen)
            {
                return ref frozen[meter - c.FirstMeter];
            }
        }

        return ref _meters[meter];
    }

    /// <summary>Fills <paramref name="destination"/> with the block registers [offset, offset + length) of <paramref name="kind"/>'s table.</summary>
    private void EncodeBlock(LayoutCodec codec, RegisterKind kind, in MeterState m, int meter, int now, int offset, Span<ushort> destination)
    {
        Span<ushort> scratch = stackalloc ushort[4];
        var end = offset + destination.Length;
        var unixSecond = _startUnix + m.LastS;
        var powerW = -1;
        foreach (ref readonly var field in codec.FieldsOf(kind).AsSpan())
        {
            if (field.End <= offset || field.Start >= end)
            {
                continue;
            }

            if (field.Id == FieldId.ActivePower && powerW < 0)
            {
                powerW = PowerNow(in m, meter);
            }

            var raw = codec.RawOf(in field, in m, unixSecond, powerW);
            var format = field.Point.Format;
            var registers = scratch[..format.RegisterCount];
            format.WriteRaw(raw, registers);
            var from = Math.Max(field.Start, offset);
            var to = Math.Min(field.End, end);
            registers.Slice(from - field.Start, to - from).CopyTo(destination[(from - offset)..]);
        }
    }

    private int PowerNow(in MeterState m, int meter)
    {
        if (!m.IsClosed)
        {
            return 0;
        }

        var demand = ConsumptionModel.DemandW(m.Kind, MeterSeed(meter), m.NominalW, _startUnix + m.LastS + _offsetS);
        return m.LimitW > 0 ? Math.Min(demand, m.LimitW) : demand;
    }

    private ModbusExceptionCode? ApplyWrites(Concentrator c, int gatewaySlot, int address, ReadOnlySpan<ushort> values)
    {
        var codec = c.Codec;
        var stride = codec.Table?.Stride ?? 0x10000;
        var fields = codec.Holding;
        Span<(int Slot, int FieldIndex, int ValueOffset)> plan = stackalloc (int, int, int)[values.Length];
        var planned = 0;
        var i = 0;
        while (i < values.Length)
        {
            var a = address + i;
            var slot = codec.Table is null ? 0 : a / stride;
            var offset = codec.Table is null ? a : a % stride;
            var index = Array.FindIndex(fields, f => f.Start <= offset && offset < f.End);
            if (index < 0 || !fields[index].Writable)
            {
                return ModbusExceptionCode.IllegalDataAddress;
            }

            var field = fields[index];
            var length = field.End - field.Start;
            if (offset != field.Start || i + length > values.Length)
            {
                return ModbusExceptionCode.IllegalDataAddress; // a multi-register value must be written whole
            }

            plan[planned++] = (codec.Table is null ? gatewaySlot : slot, index, i);
            i += length;
        }

        // Validate every value before applying any: all or none.
        Span<long> decoded = stackalloc long[planned];
        for (var p = 0; p < planned; p++)
        {
            var (_, index, valueOffset) = plan[p];
            var field = fields[index];
            var raw = field.Point.Format.ReadRaw(values.Slice(valueOffset, field.Point.Format.RegisterCount));
            long? value = field.Id switch
            {
                FieldId.RelayControl => raw == codec.Map.RelayControl!.ClosedRaw ? 1 : raw == codec.Map.RelayControl.OpenRaw ? 0 : null,
                FieldId.PowerLimit => LimitWatts(codec.Map.PowerLimit!, raw),
                _ => codec.EventsOfRaw(raw),
            };
            if (value is null)
            {
                return ModbusExceptionCode.IllegalDataValue;
            }

            decoded[p] = value.Value;
        }

        var now = Clock.SecondsSinceStart;
        for (var p = 0; p < planned; p++)
        {
            var (slot, index, _) = plan[p];
            var meter = c.FirstMeter + slot;
            ref var m = ref _meters[meter];
            Integrate(ref m, meter, now);
            switch (fields[index].Id)
            {
                case FieldId.RelayControl:
                    ApplyRelay(ref m, decoded[p] == 1);
                    break;
                case FieldId.PowerLimit:
                    ApplyLimit(ref m, (int)decoded[p]);
                    break;
                default:
                    m.Events = (ushort)(m.Events & ~decoded[p]);
                    break;
            }
        }

        return null;
    }

    private static long? LimitWatts(PowerLimitRegister register, ulong raw)
    {
        if (raw == register.UnlimitedRaw)
        {
            return 0;
        }

        var signed = register.Point.Format.Type switch
        {
            RegisterDataType.Int16 => (short)raw,
            RegisterDataType.Int32 => (int)raw,
            RegisterDataType.Int64 => (long)raw,
            _ => (decimal)raw,
        };
        var watts = signed * register.WattsPerCount;
        return watts <= 0 || watts > int.MaxValue || watts != decimal.Truncate(watts) ? null : (long)watts;
    }

    private void ApplyRelay(ref MeterState m, bool closed)
    {
        if (closed)
        {
            m.Relay |= MeterState.CommandClosed;
            if ((m.Events & SafetyEvents) == 0)
            {
                m.Relay |= MeterState.RelayClosed;
            }
        }
        else
        {
            m.Relay = 0;
        }

        m.OverSinceS = -1;
    }

    private static void ApplyLimit(ref MeterState m, int watts)
    {
        m.LimitW = watts;
        m.OverSinceS = -1;
    }

    private delegate void MeterMutation(ref MeterState m);

    private void Mutate(int meter, MeterMutation mutation)
    {
        var c = ConcentratorOf(meter);
        lock (c.Lock)
        {
            ref var m = ref _meters[meter];
            Integrate(ref m, meter, Clock.SecondsSinceStart);
            mutation(ref m);
        }
    }

    /// <summary>
    /// Brings a meter from <see cref="MeterState.LastS"/> to <paramref name="toS"/>: demand is constant per local minute;
    /// a closed relay passes min(demand, limit); demand above the limit for the trip delay opens the relay (overload).
    /// W·s accumulate exactly; every whole Wh goes to the total and to the band of the minute it completes in.
    /// </summary>
    internal void Integrate(ref MeterState m, int meter, int toS)
    {
        if (toS <= m.LastS)
        {
            return;
        }

        if (!m.IsClosed)
        {
            m.OverSinceS = -1;
            m.LastS = toS;
            return;
        }

        var seed = MeterSeed(meter);
        var t = m.LastS;
        while (t < toS)
        {
            var local = _startUnix + t + _offsetS;
            var slotEnd = (int)Math.Min(toS, t + 60 - ConsumptionModel.Mod(local, 60));
            var demand = ConsumptionModel.DemandW(m.Kind, seed, m.NominalW, local);
            var power = demand;
            var segmentEnd = slotEnd;
            var trip = false;
            if (m.LimitW > 0 && demand > m.LimitW)
            {
                power = m.LimitW;
                if (m.OverSinceS < 0)
                {
                    m.OverSinceS = t;
                }

                var tripAt = (long)m.OverSinceS + _tripDelayS;
                if (tripAt < slotEnd)
                {
                    segmentEnd = (int)Math.Max(tripAt, t);
                    trip = true;
                }
            }
            else
            {
                m.OverSinceS = -1;
            }

            var ws = m.RemainderWs + ((long)power * (segmentEnd - t));
            var wh = ws / 3600;
            m.RemainderWs = (ushort)(ws - (wh * 3600));
            if (wh > 0)
            {
                m.TotalWh += wh;
                m.BandWh[TouSchedule.BandAt(local)] += (uint)wh;
            }

            t = segmentEnd;
            if (trip)
            {
                m.Relay = (byte)(m.Relay & ~MeterState.RelayClosed);
                m.Events |= (ushort)(1 << (int)MeterEvent.Overload);
                m.OverSinceS = -1;
                break;
            }
        }

        m.LastS = toS;
    }

    private MeterTruth TruthOf(Concentrator c, int meter, in MeterState m, int now)
    {
        var codec = c.Codec;
        var counter = m.TotalWh - m.InstallWh;
        (long RegisteredWh, int Rollovers, int Exchanges) past;
        lock (_historyLock)
        {
            past = _past.GetValueOrDefault(meter);
        }

        return new MeterTruth(
            meter,
            c.Index,
            Clock.Start.AddSeconds(now),
            m.TotalWh,
            past.RegisteredWh + (counter / codec.TotalWhPerCount * codec.TotalWhPerCount),
            LayoutCodec.EnergyRaw(m.StartRaw, counter, codec.TotalWhPerCount, codec.TotalRolloverAt),
            codec.TotalWhPerCount,
            counter,
            m.BandWh[0],
            m.BandWh[1],
            m.BandWh[2],
            m.BandWh[3],
            past.Exchanges,
            past.Rollovers + LayoutCodec.Rollovers(m.StartRaw, counter, codec.TotalWhPerCount, codec.TotalRolloverAt),
            m.IsClosed,
            (m.Relay & MeterState.CommandClosed) != 0,
            m.LimitW,
            m.Events,
            m.Kind,
            m.NominalW);
    }

    private ulong MeterSeed(int meter) => ConsumptionModel.Mix(_seed, meter);

    private Concentrator ConcentratorOf(int meter)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(meter);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(meter, _meters.Length);
        var big = _withExtra * (_perConcentrator + 1);
        return _concentrators[meter < big ? meter / (_perConcentrator + 1) : _withExtra + ((meter - big) / _perConcentrator)];
    }

    private static int Severity(FaultKind kind) => kind switch
    {
        FaultKind.DropConnection => 4,
        FaultKind.Timeout => 3,
        FaultKind.ExceptionResponse => 2,
        FaultKind.StaleRegisters => 1,
        _ => 0,
    };

    private static RequestOutcome Tally(Concentrator c, RequestOutcome outcome)
    {
        switch (outcome)
        {
            case RequestOutcome.NoReply:
                c.Unanswered++;
                break;
            case RequestOutcome.Drop:
                c.Dropped++;
                break;
            default:
                c.Responses++;
                break;
        }

        return outcome;
    }

    private static RequestOutcome Answer(Concentrator c, in ModbusRequest request, ModbusExceptionCode code, ArrayBufferWriter<byte> output)
    {
        c.Exceptions++;
        output.ResetWrittenCount();
        ModbusResponseWriter.WriteException(output, request.TransactionId, request.UnitId, request.FunctionByte, code);
        return RequestOutcome.Replied;
    }

    private ArgumentException NoLayout(string layout) =>
        new($"Simulator option Layout: device profile '{Profile.Id}' has no {layout} layout; choose a layout it offers.", nameof(Options));

    private sealed class Concentrator(int index, LayoutCodec codec, int firstMeter, int meterCount)
    {
        public readonly Lock Lock = new();
        public long Requests;
        public long Responses;
        public long Exceptions;
        public long Unanswered;
        public long Dropped;

        public int Index { get; } = index;

        public LayoutCodec Codec { get; } = codec;

        public int FirstMeter { get; } = firstMeter;

        public int MeterCount { get; } = meterCount;

        public ActiveFault Fault { get; set; }

        public MeterState[]? Frozen { get; set; }

        public ConcentratorInfo Info => new(Index, Codec.Layout, FirstMeter, MeterCount, Codec.Table?.UnitId, Codec.Table?.FirstBlockAddress, Codec.Table?.Stride);

        public ConcentratorCounters Counters => new(Interlocked.Read(ref Requests), Responses, Exceptions, Unanswered, Dropped);
    }

    private sealed class MeterFault(ActiveFault fault, MeterState frozen)
    {
        private MeterState _frozen = frozen;

        public ActiveFault Fault { get; } = fault;

        public ref MeterState FrozenRef => ref _frozen;
    }
}

internal enum RequestOutcome
{
    Replied,
    NoReply,
    Drop,
}
