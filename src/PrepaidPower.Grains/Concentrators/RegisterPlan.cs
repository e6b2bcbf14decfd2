// How a concentrator's meters are read and written: which requests one poll sends, and how their registers decode.
using PrepaidPower.Contracts.Concentrators;
using PrepaidPower.Modbus.Profiles;

namespace PrepaidPower.Grains.Concentrators;

/// <summary>Where one mapped meter is: its index in the map, unit id and (table layout) first register of its block.</summary>
internal readonly record struct MeterLocation(int Index, int Slot, string MeterId, byte UnitId, ushort BaseAddress);

/// <summary>One read request: function by register kind, start address and count (≤ the profile's maxReadRegisters).</summary>
internal readonly record struct ReadRequest(RegisterKind Kind, ushort Address, ushort Count);

/// <summary>
/// Meters read together and the requests that read them. For each register kind the requests cover
/// [start, start + length) of that kind's table; the gaps between requests hold no value the decoder uses.
/// </summary>
internal sealed record ReadGroup(byte UnitId, MeterLocation[] Meters, ReadRequest[] Requests, ushort HoldingStart, int HoldingLength, ushort InputStart, int InputLength);

/// <summary>One register write of a supply command, in order.</summary>
internal readonly record struct RegisterWrite(ushort Address, ushort[] Values, string What);

/// <summary>
/// A concentrator's read and write plan, built once per configuration from the device profile, the layout and the
/// meter map. Gateway: one group per meter (unit id = slot), the needed values of each register kind read in as few
/// requests as maxReadRegisters allows. Table: consecutive block indices grouped up to ⌊maxReadRegisters / stride⌋
/// meters per request.
/// </summary>
internal sealed class RegisterPlan
{
    private readonly Dictionary<string, MeterLocation> _byMeter;

    private RegisterPlan(DeviceProfile profile, ConcentratorLayout layout, RegisterMap map, IReadOnlyList<EnergyRegister> bands, MeterLocation[] meters, ReadGroup[] groups)
    {
        Profile = profile;
        Layout = layout;
        Map = map;
        Bands = bands;
        Meters = meters;
        Groups = groups;
        _byMeter = meters.ToDictionary(m => m.MeterId, StringComparer.Ordinal);
        MaxHolding = groups.Select(g => g.HoldingLength).DefaultIfEmpty(0).Max();
        MaxInput = groups.Select(g => g.InputLength).DefaultIfEmpty(0).Max();
    }

    public DeviceProfile Profile { get; }

    public ConcentratorLayout Layout { get; }

    public RegisterMap Map { get; }

    /// <summary>The band registers reported, in the registration's order.</summary>
    public IReadOnlyList<EnergyRegister> Bands { get; }

    public MeterLocation[] Meters { get; }

    public ReadGroup[] Groups { get; }

    /// <summary>Longest holding span of any group (scratch buffer size).</summary>
    public int MaxHolding { get; }

    public int MaxInput { get; }

    public bool TryLocate(string meterId, out MeterLocation location) => _byMeter.TryGetValue(meterId, out location);

    /// <summary>Builds the plan. The registration has been validated (slots fit the layout, bands exist).</summary>
    public static RegisterPlan Build(DeviceProfile profile, ConcentratorLayout layout, IReadOnlyList<ConcentratorMeter> meters, IReadOnlyList<TouBand> bands)
    {
        var map = profile.RegistersFor(layout);
        var bandRegisters = bands.Select(b => map.BandEnergy.First(x => x.Band == b).Register).ToArray();
        var points = NeededPoints(map, bandRegisters);
        var sorted = meters.OrderBy(m => m.Slot).ToArray();
        var locations = new MeterLocation[sorted.Length];
        for (var i = 0; i < sorted.Length; i++)
        {
            var m = sorted[i];
            locations[i] = layout == ConcentratorLayout.Gateway
                ? new MeterLocation(i, m.Slot, m.MeterId, (byte)m.Slot, 0)
                : new MeterLocation(i, m.Slot, m.MeterId, profile.Table!.UnitId, profile.Table.BlockAddress(m.Slot));
        }

        var groups = layout == ConcentratorLayout.Gateway
            ? GatewayGroups(profile, points, locations)
            : TableGroups(profile, points, locations);
        return new RegisterPlan(profile, layout, map, bandRegisters, locations, groups);
    }

    /// <summary>The writes that carry out a command on one meter, or an explanation when the profile cannot.</summary>
    public bool TryPlanWrites(SupplyCommandType kind, int? limitWatts, MeterLocation meter, out RegisterWrite[] writes, out string why)
    {
        writes = [];
        var control = Map.RelayControl;
        if (control is null)
        {
            why = $"device profile '{Profile.Id}' has no relay control register (read-only device): the platform cannot switch this meter";
            return false;
        }

        var list = new List<RegisterWrite>(2);
        var limit = Map.PowerLimit;
        switch (kind)
        {
            case SupplyCommandType.SetLimit:
                if (limit is null || limitWatts is not (> 0 and <= 1_000_000))
                {
                    why = limit is null
                        ? $"device profile '{Profile.Id}' has no power limit register: this meter cannot be limited"
                        : $"a limit of {limitWatts} W is not 1 – 1,000,000 W";
                    return false;
                }

                var value = limit.Unit == PowerUnit.Kilowatts ? limitWatts.Value / 1000m : limitWatts.Value;
                var registers = new ushort[limit.Point.Format.RegisterCount];
                try
                {
                    limit.Point.Format.Encode(value, registers);
                }
                catch (ArgumentOutOfRangeException e)
                {
                    why = $"a limit of {limitWatts} W cannot be written to {limit.Point}: {e.Message}";
                    return false;
                }

                list.Add(new RegisterWrite((ushort)(meter.BaseAddress + limit.Point.Address), registers, $"power limit {limitWatts} W"));
                list.Add(Raw(control, control.ClosedRaw, meter, "relay closed"));
                break;
            case SupplyCommandType.Close:
                if (limit is not null)
                {
                    var unlimited = new ushort[limit.Point.Format.RegisterCount];
                    limit.Point.Format.WriteRaw(limit.UnlimitedRaw, unlimited);
                    list.Add(new RegisterWrite((ushort)(meter.BaseAddress + limit.Point.Address), unlimited, "no power limit"));
                }

                list.Add(Raw(control, control.ClosedRaw, meter, "relay closed"));
                break;
            case SupplyCommandType.Open:
                list.Add(Raw(control, control.OpenRaw, meter, "relay open"));
                break;
            default:
                why = $"unknown command kind {(int)kind}";
                return false;
        }

        writes = [.. list];
        why = "";
        return true;
    }

    private static RegisterWrite Raw(RelayRegister register, ulong raw, MeterLocation meter, string what)
    {
        var values = new ushort[register.Point.Format.RegisterCount];
        register.Point.Format.WriteRaw(raw, values);
        return new RegisterWrite((ushort)(meter.BaseAddress + register.Point.Address), values, what);
    }

    /// <summary>The values one poll needs: total, reported bands, relay status, power limit, event flags, clock.</summary>
    private static RegisterPoint[] NeededPoints(RegisterMap map, IEnumerable<EnergyRegister> bands)
    {
        var points = new List<RegisterPoint> { map.TotalEnergy.Point };
        points.AddRange(bands.Select(b => b.Point));
        if (map.RelayStatus is not null)
        {
            points.Add(map.RelayStatus.Point);
            if (map.PowerLimit is not null)
            {
                points.Add(map.PowerLimit.Point);
            }
        }

        if (map.EventFlags is not null)
        {
            points.Add(map.EventFlags.Point);
        }

        if (map.Clock is not null)
        {
            points.Add(map.Clock);
        }

        return [.. points];
    }

    private static ReadGroup[] GatewayGroups(DeviceProfile profile, RegisterPoint[] points, MeterLocation[] meters)
    {
        // Every meter has the same absolute addresses: plan the requests once, reuse them for every unit id.
        var requests = new List<ReadRequest>();
        var spans = new Dictionary<RegisterKind, (ushort Start, int Length)>();
        foreach (var kind in new[] { RegisterKind.Holding, RegisterKind.Input })
        {
            var ofKind = points.Where(p => p.Kind == kind).OrderBy(p => p.Address).ToArray();
            if (ofKind.Length == 0)
            {
                continue;
            }

            var segStart = ofKind[0].Address;
            var segEnd = ofKind[0].End;
            foreach (var p in ofKind.Skip(1))
            {
                if (Math.Max(segEnd, p.End) - segStart <= profile.MaxReadRegisters)
                {
                    segEnd = Math.Max(segEnd, p.End);
                    continue;
                }

                requests.Add(new ReadRequest(kind, segStart, (ushort)(segEnd - segStart)));
                segStart = p.Address;
                segEnd = p.End;
            }

            requests.Add(new ReadRequest(kind, segStart, (ushort)(segEnd - segStart)));
            spans[kind] = (ofKind[0].Address, ofKind.Max(p => p.End) - ofKind[0].Address);
        }

        var shared = requests.ToArray();
        var holding = spans.GetValueOrDefault(RegisterKind.Holding);
        var input = spans.GetValueOrDefault(RegisterKind.Input);
        return [.. meters.Select(m => new ReadGroup(m.UnitId, [m], shared, holding.Start, holding.Length, input.Start, input.Length))];
    }

    private static ReadGroup[] TableGroups(DeviceProfile profile, RegisterPoint[] points, MeterLocation[] meters)
    {
        var table = profile.Table!;
        var perRead = table.MetersPerRead(profile.MaxReadRegisters);
        var groups = new List<ReadGroup>();
        var run = new List<MeterLocation>(perRead);
        foreach (var m in meters)
        {
            if (run.Count > 0 && (run.Count == perRead || m.Slot != run[^1].Slot + 1))
            {
                groups.Add(TableGroup(table, points, [.. run]));
                run.Clear();
            }

            run.Add(m);
        }

        if (run.Count > 0)
        {
            groups.Add(TableGroup(table, points, [.. run]));
        }

        return [.. groups];
    }

    private static ReadGroup TableGroup(TableLayout table, RegisterPoint[] points, MeterLocation[] run)
    {
        // Consecutive blocks: one request per register kind from the first meter's first value to the last meter's last.
        var requests = new List<ReadRequest>(2);
        (ushort Start, int Length) holding = default, input = default;
        foreach (var kind in new[] { RegisterKind.Holding, RegisterKind.Input })
        {
            var ofKind = points.Where(p => p.Kind == kind).ToArray();
            if (ofKind.Length == 0)
            {
                continue;
            }

            var start = run[0].BaseAddress + ofKind.Min(p => p.Address);
            var end = run[^1].BaseAddress + ofKind.Max(p => p.End);
            requests.Add(new ReadRequest(kind, (ushort)start, (ushort)(end - start)));
            if (kind == RegisterKind.Holding)
            {
                holding = ((ushort)start, end - start);
            }
            else
            {
                input = ((ushort)start, end - start);
            }
        }

        return new ReadGroup(table.UnitId, run, [.. requests], holding.Start, holding.Length, input.Start, input.Length);
    }
}
