// Reads one table-layout concentrator over Modbus TCP the way the concentrator grain does (same register blocks, same
// request size) and opens relays; the SQL-only baseline's stand-in for the concentrator grain.
using PrepaidPower.Modbus;
using PrepaidPower.Modbus.Profiles;
using PrepaidPower.Simulator;

namespace PrepaidPower.LoadTest;

/// <summary>
/// One connection to one table concentrator. A poll reads ⌊maxReadRegisters / stride⌋ consecutive meter blocks per
/// request, covering the values the grain run reads (total energy, relay status, power limit, event flags, clock; no
/// band registers, as the harness registers none), and decodes the total energy register strictly (a value at or above
/// the wrap, or not finite, is no reading). Requests on the connection are serial, like the grain's.
/// </summary>
internal sealed class TablePoller : IAsyncDisposable
{
    private readonly DeviceProfile _profile;
    private readonly RegisterMap _map;
    private readonly TableLayout _table;
    private readonly ConcentratorInfo _info;
    private readonly ModbusTcpClient _client;
    private readonly Group[] _groups;
    private readonly ushort[] _holding;
    private readonly ushort[] _input;
    private readonly RegisterPoint[] _points;

    public TablePoller(DeviceProfile profile, ConcentratorEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(endpoint);
        _info = endpoint.Info;
        if (_info.Layout != ConcentratorLayout.Table || profile.Table is null)
        {
            throw new ArgumentException($"Concentrator {_info.Index} is a {_info.Layout} concentrator; the SQL-only rater reads table concentrators only.", nameof(endpoint));
        }

        _profile = profile;
        _table = profile.Table;
        _map = _table.Registers;
        var points = new List<RegisterPoint> { _map.TotalEnergy.Point };
        if (_map.RelayStatus is { } status)
        {
            points.Add(status.Point);
            if (_map.PowerLimit is { } limit)
            {
                points.Add(limit.Point);
            }
        }

        if (_map.EventFlags is { } flags)
        {
            points.Add(flags.Point);
        }

        if (_map.Clock is { } clock)
        {
            points.Add(clock);
        }

        _points = [.. points];
        var perRead = Math.Max(1, _table.MetersPerRead(profile.MaxReadRegisters));
        var groups = new List<Group>();
        for (var slot = 0; slot < _info.MeterCount; slot += perRead)
        {
            groups.Add(GroupOf(slot, Math.Min(perRead, _info.MeterCount - slot)));
        }

        _groups = [.. groups];
        _holding = new ushort[_groups.Max(g => g.Holding.Count)];
        _input = new ushort[_groups.Max(g => g.Input.Count)];
        _client = new ModbusTcpClient(new ModbusTcpClientOptions { EndPoint = endpoint.EndPoint, RequestTimeout = TimeSpan.FromSeconds(5) });
    }

    /// <summary>Meters whose group could not be read or whose total register did not decode, over this poller's life.</summary>
    public long Failed { get; private set; }

    /// <summary>Reads every meter once and appends (meter, total Wh) to <paramref name="batch"/>; returns the readings added.</summary>
    public async Task<int> PollAsync(ReadingBatch batch, CancellationToken cancellationToken)
    {
        var added = 0;
        foreach (var group in _groups)
        {
            if (!await ReadAsync(group, cancellationToken))
            {
                Failed += group.Meters;
                continue;
            }

            for (var i = 0; i < group.Meters; i++)
            {
                var slot = group.FirstSlot + i;
                var block = _table.BlockAddress(slot);
                if (TryTotalWh(Window(_map.TotalEnergy.Point, group, block), out var wh))
                {
                    batch.Add(_info.FirstMeter + slot, wh);
                    added++;
                }
                else
                {
                    Failed++;
                }
            }
        }

        return added;
    }

    /// <summary>Writes "relay open" to the meter's control register and reads the status back; true when it reads open.</summary>
    public async Task<bool> OpenRelayAsync(int meter, CancellationToken cancellationToken)
    {
        var control = _map.RelayControl ?? throw new InvalidOperationException($"Device profile '{_profile.Id}' has no relay control register; no meter can be cut.");
        var status = _map.RelayStatus ?? throw new InvalidOperationException($"Device profile '{_profile.Id}' has no relay status register; no cut can be confirmed.");
        var block = _table.BlockAddress(meter - _info.FirstMeter);
        var values = new ushort[control.Point.Format.RegisterCount];
        control.Point.Format.WriteRaw(control.OpenRaw, values);
        var address = (ushort)(block + control.Point.Address);
        var written = values.Length == 1 && _profile.SingleRegisterWrite == ModbusFunction.WriteSingleRegister
            ? await _client.WriteSingleRegisterAsync(_table.UnitId, address, values[0], cancellationToken)
            : await _client.WriteMultipleRegistersAsync(_table.UnitId, address, values, cancellationToken);
        if (!written.IsSuccess)
        {
            return false;
        }

        var readBack = new ushort[status.Point.Format.RegisterCount];
        var statusAddress = (ushort)(block + status.Point.Address);
        var read = status.Point.Kind == RegisterKind.Holding
            ? await _client.ReadHoldingRegistersAsync(_table.UnitId, statusAddress, readBack, cancellationToken)
            : await _client.ReadInputRegistersAsync(_table.UnitId, statusAddress, readBack, cancellationToken);
        return read.IsSuccess && status.Point.Format.ReadRaw(readBack) == status.OpenRaw;
    }

    public ValueTask DisposeAsync() => _client.DisposeAsync();

    private async Task<bool> ReadAsync(Group group, CancellationToken cancellationToken)
    {
        if (group.Holding.Count > 0
            && !(await _client.ReadHoldingRegistersAsync(_table.UnitId, group.Holding.Start, _holding.AsMemory(0, group.Holding.Count), cancellationToken)).IsSuccess)
        {
            return false;
        }

        return group.Input.Count == 0
            || (await _client.ReadInputRegistersAsync(_table.UnitId, group.Input.Start, _input.AsMemory(0, group.Input.Count), cancellationToken)).IsSuccess;
    }

    private ReadOnlySpan<ushort> Window(RegisterPoint point, Group group, ushort block) =>
        point.Kind == RegisterKind.Holding
            ? _holding.AsSpan(block + point.Address - group.Holding.Start, point.Format.RegisterCount)
            : _input.AsSpan(block + point.Address - group.Input.Start, point.Format.RegisterCount);

    private bool TryTotalWh(ReadOnlySpan<ushort> registers, out long wattHours)
    {
        wattHours = 0;
        var register = _map.TotalEnergy;
        var format = register.Point.Format;
        if ((format.Type != RegisterDataType.Float32 && format.ReadRaw(registers) >= register.RolloverAt) || !format.TryDecode(registers, out var value))
        {
            return false;
        }

        var wh = value * (register.Unit == EnergyUnit.KilowattHours ? 1000m : 1m);
        if (wh < 0 || wh > long.MaxValue)
        {
            return false;
        }

        wattHours = (long)decimal.Truncate(wh);
        return true;
    }

    private Group GroupOf(int firstSlot, int meters)
    {
        // Like the grain's plan: per register kind, one request from the first block's first value to the last block's last.
        Extent Of(RegisterKind kind)
        {
            var ofKind = _points.Where(p => p.Kind == kind).ToArray();
            if (ofKind.Length == 0)
            {
                return default;
            }

            var start = _table.BlockAddress(firstSlot) + ofKind.Min(p => p.Address);
            var end = _table.BlockAddress(firstSlot + meters - 1) + ofKind.Max(p => p.End);
            return new Extent((ushort)start, end - start);
        }

        return new Group(firstSlot, meters, Of(RegisterKind.Holding), Of(RegisterKind.Input));
    }

    private readonly record struct Extent(ushort Start, int Count);

    private readonly record struct Group(int FirstSlot, int Meters, Extent Holding, Extent Input);
}
