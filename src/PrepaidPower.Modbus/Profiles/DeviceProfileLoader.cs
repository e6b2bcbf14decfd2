using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace PrepaidPower.Modbus.Profiles;

/// <summary>
/// Reads device profile JSON (format: docs/devices.md) strictly: unknown properties, duplicate keys, comments, missing
/// required fields, unknown types or word orders, values that do not fit their register, overlapping registers, writable
/// values in input registers and table blocks that overflow their stride are all errors. Every problem is reported with
/// its JSON path in one <see cref="DeviceProfileLoadException"/>; nothing is half-loaded.
/// </summary>
public static partial class DeviceProfileLoader
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = false,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowDuplicateProperties = false,
        ReadCommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        NumberHandling = JsonNumberHandling.Strict,
    };

    private static readonly Dictionary<string, MeterEvent> EventNames = new(StringComparer.Ordinal)
    {
        ["arcFault"] = MeterEvent.ArcFault,
        ["residualCurrent"] = MeterEvent.ResidualCurrent,
        ["overTemperature"] = MeterEvent.OverTemperature,
        ["overload"] = MeterEvent.Overload,
        ["tamper"] = MeterEvent.Tamper,
        ["coverOpen"] = MeterEvent.CoverOpen,
    };

    /// <summary>Reads and validates a profile file.</summary>
    /// <exception cref="DeviceProfileLoadException">The file is missing or not a valid profile; every problem is listed.</exception>
    public static DeviceProfile LoadFile(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DeviceProfileLoadException($"file '{path}'", [new DeviceProfileProblem("$", $"cannot read the file: {e.Message}")]);
        }

        return Parse(json, $"file '{path}'");
    }

    /// <summary>Parses and validates a profile document.</summary>
    /// <param name="json">The document.</param>
    /// <param name="source">Names the document in error messages (e.g. a file name).</param>
    /// <exception cref="DeviceProfileLoadException">The document is not a valid profile; every problem is listed.</exception>
    public static DeviceProfile Parse(string json, string source = "document")
    {
        ArgumentNullException.ThrowIfNull(json);
        ProfileDto doc;
        try
        {
            doc = JsonSerializer.Deserialize<ProfileDto>(json, Options)
                ?? throw new DeviceProfileLoadException(source, [new DeviceProfileProblem("$", "the document is null; expected an object")]);
        }
        catch (JsonException e)
        {
            throw new DeviceProfileLoadException(source, [Describe(e)]);
        }

        var problems = new List<DeviceProfileProblem>();
        var profile = Build(doc, problems);
        if (problems.Count > 0 || profile is null)
        {
            throw new DeviceProfileLoadException(source, problems);
        }

        return profile;
    }

    private static DeviceProfileProblem Describe(JsonException e)
    {
        var path = e.Path is null or "$" ? "$" : e.Path.StartsWith("$.", StringComparison.Ordinal) ? e.Path[2..] : e.Path;
        var message = e.Message;
        if (message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            // The serializer names our internal DTO types; say it in the file's terms instead.
            var start = message.IndexOf('\'', StringComparison.Ordinal);
            var end = start >= 0 ? message.IndexOf('\'', start + 1) : -1;
            var property = start >= 0 && end > start ? message[(start + 1)..end] : "?";
            message = $"unknown property '{property}' (names are case-sensitive camelCase; see docs/devices.md)";
        }
        else if (e.LineNumber is { } line)
        {
            message = $"{message} (line {line + 1})";
        }

        return new DeviceProfileProblem(path, message);
    }

    private static DeviceProfile? Build(ProfileDto doc, List<DeviceProfileProblem> problems)
    {
        if (string.IsNullOrWhiteSpace(doc.Id))
        {
            problems.Add(new("id", "missing; give the profile a short identifier such as \"acrel-dtsd1352\""));
        }
        else if (!IdPattern().IsMatch(doc.Id))
        {
            problems.Add(new("id", $"'{doc.Id}' is not an identifier; use lower-case letters, digits and dashes"));
        }

        if (string.IsNullOrWhiteSpace(doc.Name))
        {
            problems.Add(new("name", "missing; give the model's display name"));
        }

        if (doc.MaxReadRegisters is not { } maxRead)
        {
            problems.Add(new("maxReadRegisters", "missing; give the most registers one FC03/FC04 request may read (1–125; 125 unless the manual says less)"));
            maxRead = 0;
        }
        else if (maxRead is < 1 or > ModbusLimits.MaxReadRegisters)
        {
            problems.Add(new("maxReadRegisters", $"{maxRead} is outside 1–125 (the Modbus limit)"));
        }

        var write = ModbusFunction.WriteMultipleRegisters;
        switch (doc.WriteFunction)
        {
            case null or "fc16":
                break;
            case "fc06":
                write = ModbusFunction.WriteSingleRegister;
                break;
            default:
                problems.Add(new("writeFunction", $"unknown '{doc.WriteFunction}'; use \"fc06\" or \"fc16\" (for devices that reject FC06)"));
                break;
        }

        if (doc.Gateway is null && doc.Table is null)
        {
            problems.Add(new("$", "no layout; give \"gateway\" (one meter per unit id) and/or \"table\" (meters as register blocks)"));
        }

        GatewayLayout? gateway = null;
        if (doc.Gateway is not null)
        {
            var map = BuildMap(doc.Gateway.Registers, "gateway.registers", null, problems);
            gateway = map is null ? null : new GatewayLayout(map);
        }

        TableLayout? table = null;
        if (doc.Table is { } t)
        {
            table = BuildTable(t, maxRead, problems);
        }

        if (problems.Count > 0)
        {
            return null;
        }

        return new DeviceProfile
        {
            Id = doc.Id!,
            Name = doc.Name!,
            Description = doc.Description ?? "",
            Manufacturer = doc.Manufacturer,
            Model = doc.Model,
            MaxReadRegisters = maxRead,
            SingleRegisterWrite = write,
            Gateway = gateway,
            Table = table,
        };
    }

    private static TableLayout? BuildTable(TableDto t, int maxRead, List<DeviceProfileProblem> problems)
    {
        var ok = true;
        if (t.UnitId is not { } unit || unit is < 1 or > 255)
        {
            problems.Add(new("table.unitId", t.UnitId is null ? "missing; give the concentrator's unit id (1–255)" : $"{t.UnitId} is outside 1–255 (0 is broadcast)"));
            ok = false;
            unit = 0;
        }

        var first = t.FirstBlockAddress ?? 0;
        if (first is < 0 or > 0xFFFF)
        {
            problems.Add(new("table.firstBlockAddress", $"{first} is outside 0–65535"));
            ok = false;
        }

        if (t.Stride is not { } stride || stride < 1 || stride > 0x10000 - first)
        {
            problems.Add(new("table.stride", t.Stride is null
                ? "missing; give the number of registers in one meter's block"
                : $"{t.Stride} must be at least 1 and leave room for one block after firstBlockAddress {first}"));
            ok = false;
            stride = 0;
        }

        var map = BuildMap(t.Registers, "table.registers", ok ? stride : null, problems);
        if (ok && maxRead > 0 && stride > maxRead)
        {
            problems.Add(new("table.stride", $"a block of {stride} registers is larger than maxReadRegisters {maxRead}; one read must carry at least one whole meter"));
            ok = false;
        }

        return ok && map is not null ? new TableLayout((byte)unit, (ushort)first, stride, map) : null;
    }

    private static RegisterMap? BuildMap(RegistersDto? dto, string path, int? stride, List<DeviceProfileProblem> problems)
    {
        if (dto is null)
        {
            problems.Add(new(path, "missing; give at least \"totalEnergy\""));
            return null;
        }

        var before = problems.Count;
        EnergyRegister? total = null;
        if (dto.TotalEnergy is null)
        {
            problems.Add(new(path + ".totalEnergy", "missing; every profile reads the cumulative total energy register"));
        }
        else
        {
            total = BuildEnergy(dto.TotalEnergy, path + ".totalEnergy", problems);
        }

        var bands = new List<BandEnergyRegister>();
        if (dto.BandEnergy is { } bandDtos)
        {
            for (var i = 0; i < bandDtos.Count; i++)
            {
                var bandPath = $"{path}.bandEnergy[{i}]";
                var b = bandDtos[i];
                if (b is null)
                {
                    problems.Add(new(bandPath, "is null; expected a band register object"));
                    continue;
                }

                TouBand? band = b.Band switch
                {
                    "sharp" => TouBand.Sharp,
                    "peak" => TouBand.Peak,
                    "flat" => TouBand.Flat,
                    "valley" => TouBand.Valley,
                    _ => null,
                };
                if (band is null)
                {
                    problems.Add(new(bandPath + ".band", b.Band is null ? "missing; one of sharp, peak, flat, valley" : $"unknown band '{b.Band}'; use sharp, peak, flat or valley"));
                }
                else if (bands.Any(x => x.Band == band))
                {
                    problems.Add(new(bandPath + ".band", $"band '{b.Band}' is listed twice"));
                }

                var energy = BuildEnergy(b, bandPath, problems);
                if (band is { } bb && energy is not null)
                {
                    bands.Add(new BandEnergyRegister(bb, energy));
                }
            }
        }

        PowerRegister? power = null;
        if (dto.ActivePower is { } p)
        {
            var point = BuildPoint(p, path + ".activePower", problems);
            var unit = PowerUnitOf(p.Unit, path + ".activePower.unit", problems);
            power = point is null || unit is null ? null : new PowerRegister(point, unit.Value);
        }

        var relayStatus = dto.RelayStatus is null ? null : BuildRelay(dto.RelayStatus, path + ".relayStatus", writable: false, problems);
        var relayControl = dto.RelayControl is null ? null : BuildRelay(dto.RelayControl, path + ".relayControl", writable: true, problems);
        if (dto.RelayControl is not null && dto.RelayStatus is null)
        {
            problems.Add(new(path + ".relayStatus", "missing; a relay command is only confirmed by reading the relay status back"));
        }

        PowerLimitRegister? limit = null;
        if (dto.PowerLimit is { } l)
        {
            var lp = path + ".powerLimit";
            var point = BuildPoint(l, lp, problems);
            var unit = PowerUnitOf(l.Unit, lp + ".unit", problems);
            if (point is not null)
            {
                RequireHolding(point, lp, problems);
                RequireInteger(point, lp, problems);
            }

            var unlimited = l.Unlimited ?? 0;
            if (point is not null && !Fits(point.Format, unlimited))
            {
                problems.Add(new(lp + ".unlimited", $"{unlimited} does not fit {point.Format.Type}"));
            }

            limit = point is null || unit is null ? null : new PowerLimitRegister(point, unit.Value, unlimited);
        }

        FlagsRegister? flags = null;
        if (dto.EventFlags is { } f)
        {
            var fp = path + ".eventFlags";
            var point = BuildPoint(f, fp, problems);
            var bits = new Dictionary<MeterEvent, int>();
            if (f.Bits is null || f.Bits.Count == 0)
            {
                problems.Add(new(fp + ".bits", $"missing or empty; map event names ({string.Join(", ", EventNames.Keys)}) to bit numbers"));
            }
            else if (point is not null && RequireInteger(point, fp, problems))
            {
                var width = point.Format.RegisterCount * 16;
                foreach (var (name, bit) in f.Bits)
                {
                    if (!EventNames.TryGetValue(name, out var ev))
                    {
                        problems.Add(new($"{fp}.bits.{name}", $"unknown event '{name}'; use {string.Join(", ", EventNames.Keys)}"));
                    }
                    else if (bit < 0 || bit >= width)
                    {
                        problems.Add(new($"{fp}.bits.{name}", $"bit {bit} is outside 0–{width - 1} of a {point.Format.Type}"));
                    }
                    else if (bits.ContainsValue(bit))
                    {
                        problems.Add(new($"{fp}.bits.{name}", $"bit {bit} is already used by {bits.First(x => x.Value == bit).Key}"));
                    }
                    else
                    {
                        bits[ev] = bit;
                    }
                }
            }

            flags = point is null ? null : new FlagsRegister(point, bits);
        }

        RegisterPoint? clear = null;
        if (dto.EventClear is { } c)
        {
            clear = BuildPoint(c, path + ".eventClear", problems);
            if (clear is not null)
            {
                RequireHolding(clear, path + ".eventClear", problems);
                RequireInteger(clear, path + ".eventClear", problems);
            }

            if (dto.EventFlags is null)
            {
                problems.Add(new(path + ".eventClear", "given without eventFlags; the clear register uses the flags' bit numbers"));
            }
        }

        RegisterPoint? clock = null;
        if (dto.Clock is { } k)
        {
            clock = BuildPoint(k, path + ".clock", problems);
            if (clock is not null && clock.Format.Type is not (RegisterDataType.UInt32 or RegisterDataType.UInt64 or RegisterDataType.Int64))
            {
                problems.Add(new(path + ".clock.type", $"{clock.Format.Type} cannot hold seconds since 1970; use UInt32, UInt64 or Int64"));
            }
        }

        if (problems.Count > before || total is null)
        {
            return null;
        }

        var map = new RegisterMap
        {
            TotalEnergy = total,
            BandEnergy = bands,
            ActivePower = power,
            RelayStatus = relayStatus,
            RelayControl = relayControl,
            PowerLimit = limit,
            EventFlags = flags,
            EventClear = clear,
            Clock = clock,
        };
        CheckOverlapAndStride(map, path, stride, problems);
        return problems.Count > before ? null : map;
    }

    private static void CheckOverlapAndStride(RegisterMap map, string path, int? stride, List<DeviceProfileProblem> problems)
    {
        var points = map.Points().ToList();
        for (var i = 0; i < points.Count; i++)
        {
            var (name, p) = points[i];
            if (stride is { } s && p.End > s)
            {
                problems.Add(new($"{path}.{name}", $"registers {p.Address}–{p.End - 1} run past the block stride {s}"));
            }

            for (var j = 0; j < i; j++)
            {
                var (otherName, q) = points[j];
                if (p.Kind == q.Kind && p.Address < q.End && q.Address < p.End)
                {
                    problems.Add(new($"{path}.{name}", $"{p.Kind} registers {p.Address}–{p.End - 1} overlap {otherName} ({q.Address}–{q.End - 1})"));
                }
            }
        }
    }

    private static EnergyRegister? BuildEnergy(EnergyDto dto, string path, List<DeviceProfileProblem> problems)
    {
        var point = BuildPoint(dto, path, problems);
        EnergyUnit? unit = dto.Unit switch
        {
            "Wh" => EnergyUnit.WattHours,
            "kWh" => EnergyUnit.KilowattHours,
            _ => null,
        };
        if (unit is null)
        {
            problems.Add(new(path + ".unit", dto.Unit is null ? "missing; \"Wh\" or \"kWh\" (the unit after scaling)" : $"unknown unit '{dto.Unit}'; use \"Wh\" or \"kWh\""));
        }

        if (point is null)
        {
            return null;
        }

        var max = TypeRange(point.Format.Type);
        UInt128 rollover = max + 1;
        if (dto.RolloverAt is { } at)
        {
            if (point.Format.Type == RegisterDataType.Float32)
            {
                problems.Add(new(path + ".rolloverAt", "applies to integer counters only"));
            }
            else if (at < 1 || at > max + 1)
            {
                problems.Add(new(path + ".rolloverAt", $"{at} is outside 1–{max + 1} for {point.Format.Type}"));
            }
            else
            {
                rollover = at;
            }
        }

        return unit is null ? null : new EnergyRegister(point, unit.Value, rollover);
    }

    private static RelayRegister? BuildRelay(RelayDto dto, string path, bool writable, List<DeviceProfileProblem> problems)
    {
        var point = BuildPoint(dto, path, problems);
        if (point is null)
        {
            return null;
        }

        if (writable)
        {
            RequireHolding(point, path, problems);
        }

        if (!RequireInteger(point, path, problems))
        {
            return null;
        }

        var ok = true;
        foreach (var (name, value) in new[] { ("closed", dto.Closed), ("open", dto.Open) })
        {
            if (value is null)
            {
                problems.Add(new($"{path}.{name}", $"missing; the raw value that means the relay is {name}"));
                ok = false;
            }
            else if (!Fits(point.Format, value.Value))
            {
                problems.Add(new($"{path}.{name}", $"{value} does not fit {point.Format.Type}"));
                ok = false;
            }
        }

        if (ok && dto.Closed == dto.Open)
        {
            problems.Add(new(path + ".open", $"open and closed are both {dto.Open}; they must differ"));
            ok = false;
        }

        return ok ? new RelayRegister(point, dto.Closed!.Value, dto.Open!.Value) : null;
    }

    private static RegisterPoint? BuildPoint(PointDto dto, string path, List<DeviceProfileProblem> problems)
    {
        var ok = true;
        if (dto.Address is not { } address)
        {
            problems.Add(new(path + ".address", "missing; the 0-based PDU address (a manual's register 40001 is address 0)"));
            ok = false;
            address = 0;
        }
        else if (address is < 0 or > 0xFFFF)
        {
            problems.Add(new(path + ".address", $"{address} is outside 0–65535"));
            ok = false;
        }

        RegisterKind? kind = dto.Kind switch
        {
            "holding" => RegisterKind.Holding,
            "input" => RegisterKind.Input,
            _ => null,
        };
        if (kind is null)
        {
            problems.Add(new(path + ".kind", dto.Kind is null ? "missing; \"holding\" (FC03) or \"input\" (FC04)" : $"unknown kind '{dto.Kind}'; use \"holding\" (FC03) or \"input\" (FC04)"));
            ok = false;
        }

        RegisterDataType type = default;
        if (dto.Type is null)
        {
            problems.Add(new(path + ".type", $"missing; one of {string.Join(", ", Enum.GetNames<RegisterDataType>())}"));
            ok = false;
        }
        else if (!Enum.TryParse(dto.Type, ignoreCase: false, out type) || !Enum.IsDefined(type) || int.TryParse(dto.Type, out _))
        {
            problems.Add(new(path + ".type", $"unknown type '{dto.Type}'; use one of {string.Join(", ", Enum.GetNames<RegisterDataType>())}"));
            ok = false;
        }

        var order = WordOrder.ABCD;
        if (dto.WordOrder is not null && (!Enum.TryParse(dto.WordOrder, ignoreCase: false, out order) || !Enum.IsDefined(order) || int.TryParse(dto.WordOrder, out _)))
        {
            problems.Add(new(path + ".wordOrder", $"unknown word order '{dto.WordOrder}'; use ABCD (high word first), CDAB, BADC or DCBA"));
            ok = false;
        }

        var scale = dto.Scale ?? 1m;
        if (scale <= 0)
        {
            problems.Add(new(path + ".scale", $"{scale} must be positive, e.g. 0.01 for a register in hundredths of a kWh"));
            ok = false;
        }

        if (!ok)
        {
            return null;
        }

        var format = new RegisterFormat(type, order, scale);
        if (address + format.RegisterCount > 0x10000)
        {
            problems.Add(new(path + ".address", $"a {type} at {address} runs past register 65535"));
            return null;
        }

        return new RegisterPoint((ushort)address, kind!.Value, format);
    }

    private static PowerUnit? PowerUnitOf(string? unit, string path, List<DeviceProfileProblem> problems)
    {
        switch (unit)
        {
            case "W":
                return PowerUnit.Watts;
            case "kW":
                return PowerUnit.Kilowatts;
            default:
                problems.Add(new(path, unit is null ? "missing; \"W\" or \"kW\" (the unit after scaling)" : $"unknown unit '{unit}'; use \"W\" or \"kW\""));
                return null;
        }
    }

    private static void RequireHolding(RegisterPoint point, string path, List<DeviceProfileProblem> problems)
    {
        if (point.Kind != RegisterKind.Holding)
        {
            problems.Add(new(path + ".kind", "is written by the platform, so it must be a holding register (input registers are read-only)"));
        }
    }

    private static bool RequireInteger(RegisterPoint point, string path, List<DeviceProfileProblem> problems)
    {
        if (point.Format.Type == RegisterDataType.Float32)
        {
            problems.Add(new(path + ".type", "must be an integer type, not Float32"));
            return false;
        }

        return true;
    }

    private static UInt128 TypeRange(RegisterDataType type) => type switch
    {
        RegisterDataType.UInt16 => ushort.MaxValue,
        RegisterDataType.Int16 => (UInt128)short.MaxValue,
        RegisterDataType.UInt32 => uint.MaxValue,
        RegisterDataType.Int32 => int.MaxValue,
        RegisterDataType.UInt64 => ulong.MaxValue,
        RegisterDataType.Int64 => long.MaxValue,
        _ => uint.MaxValue,
    };

    private static bool Fits(RegisterFormat format, ulong raw) => raw <= TypeRange(format.Type);

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex IdPattern();

    private sealed class ProfileDto
    {
        public string? Id { get; set; }

        public string? Name { get; set; }

        public string? Description { get; set; }

        public string? Manufacturer { get; set; }

        public string? Model { get; set; }

        public int? MaxReadRegisters { get; set; }

        public string? WriteFunction { get; set; }

        public GatewayDto? Gateway { get; set; }

        public TableDto? Table { get; set; }
    }

    private sealed class GatewayDto
    {
        public RegistersDto? Registers { get; set; }
    }

    private sealed class TableDto
    {
        public int? UnitId { get; set; }

        public int? FirstBlockAddress { get; set; }

        public int? Stride { get; set; }

        public RegistersDto? Registers { get; set; }
    }

    private sealed class RegistersDto
    {
        public EnergyDto? TotalEnergy { get; set; }

        public List<BandDto?>? BandEnergy { get; set; }

        public PowerDto? ActivePower { get; set; }

        public RelayDto? RelayStatus { get; set; }

        public RelayDto? RelayControl { get; set; }

        public LimitDto? PowerLimit { get; set; }

        public FlagsDto? EventFlags { get; set; }

        public PointDto? EventClear { get; set; }

        public PointDto? Clock { get; set; }
    }

    private class PointDto
    {
        public int? Address { get; set; }

        public string? Kind { get; set; }

        public string? Type { get; set; }

        public string? WordOrder { get; set; }

        public decimal? Scale { get; set; }
    }

    private class EnergyDto : PointDto
    {
        public string? Unit { get; set; }

        public ulong? RolloverAt { get; set; }
    }

    private sealed class BandDto : EnergyDto
    {
        public string? Band { get; set; }
    }

    private class PowerDto : PointDto
    {
        public string? Unit { get; set; }
    }

    private sealed class LimitDto : PowerDto
    {
        public ulong? Unlimited { get; set; }
    }

    private sealed class RelayDto : PointDto
    {
        public ulong? Closed { get; set; }

        public ulong? Open { get; set; }
    }

    private sealed class FlagsDto : PointDto
    {
        public Dictionary<string, int>? Bits { get; set; }
    }
}
