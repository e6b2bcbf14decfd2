using PrepaidPower.Contracts.Meters;
using PrepaidPower.Domain;
using PrepaidPower.Domain.Readings;
using PrepaidPower.Domain.Supply;

namespace PrepaidPower.Grains.Meters;

/// <summary>Converts the meter's storable state to and from the domain's validation and supply states.</summary>
internal static class MeterMapping
{
    public static MeterValidationState ToDomain(ValidationData d) => MeterValidationState.Restore(
        d.HasBaseline, Energy.FromWattHours(d.RegisterWh), Bands(d.BandsWh), Energy.FromWattHours(d.PositionWh), Bands(d.BandPositionsWh),
        d.ReceivedAt, d.MeterTime, d.ResetPending, Energy.FromWattHours(d.SpikeFloorWh),
        d.AcceptedCount, d.DuplicateCount, d.LateCount, d.HeldCount, d.ExchangeCount, d.RebaseCount);

    public static ValidationData ToData(MeterValidationState s) => new()
    {
        HasBaseline = s.HasBaseline,
        RegisterWh = s.Register.WattHours,
        BandsWh = List(s.Bands),
        PositionWh = s.Position.WattHours,
        BandPositionsWh = List(s.BandPositions),
        ReceivedAt = s.ReceivedAt,
        MeterTime = s.MeterTime,
        ResetPending = s.ResetPending,
        SpikeFloorWh = s.SpikeFloor.WattHours,
        AcceptedCount = s.AcceptedCount,
        DuplicateCount = s.DuplicateCount,
        LateCount = s.LateCount,
        HeldCount = s.HeldCount,
        ExchangeCount = s.ExchangeCount,
        RebaseCount = s.RebaseCount,
    };

    public static BandRegisters Bands(IReadOnlyList<long> wattHours)
    {
        Span<long> values = stackalloc long[wattHours.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = wattHours[i];
        }
        return BandRegisters.OfWattHours(values);
    }

    public static List<long> List(BandRegisters bands)
    {
        var list = new List<long>(bands.Count);
        for (var i = 0; i < bands.Count; i++)
        {
            list.Add(bands[i].WattHours);
        }
        return list;
    }

    public static SupplyState ToDomain(SupplyData d) => new()
    {
        Status = (SupplyStatus)d.Status,
        Limit = d.LimitWatts is { } w ? PowerLimit.FromWatts(w) : null,
        Pending = d.Pending is { } p
            ? new PendingCommand(p.Id, (SupplyCommandKind)p.Kind, p.LimitWatts is { } pw ? PowerLimit.FromWatts(pw) : null, p.Attempts, p.NextRetryAt)
            : null,
        LastStatus = d.LastStatusClosed is { } closed
            ? RelayStatus.From(closed ? RelayPosition.Closed : RelayPosition.Open, d.LastStatusLimitWatts is { } lw ? PowerLimit.FromWatts(lw) : null)
            : null,
        LastStatusAt = d.LastStatusAt,
        LastConfirmedCommandId = d.LastConfirmedCommandId,
        TrippedBy = d.TrippedBy is { } t ? (SafetyEventKind)t : null,
    };

    public static SupplyData ToData(SupplyState s) => new()
    {
        Status = (int)s.Status,
        LimitWatts = s.Limit?.Watts,
        Pending = s.Pending is { } p
            ? new PendingData { Id = p.Id, Kind = (int)p.Kind, LimitWatts = p.Limit?.Watts, Attempts = p.Attempts, NextRetryAt = p.NextRetryAt }
            : null,
        LastStatusClosed = s.LastStatus is { } st ? st.Position == RelayPosition.Closed : null,
        LastStatusLimitWatts = s.LastStatus?.Limit?.Watts,
        LastStatusAt = s.LastStatusAt,
        LastConfirmedCommandId = s.LastConfirmedCommandId,
        TrippedBy = s.TrippedBy is { } t ? (int)t : null,
    };

    public static RelayStatus ToRelay(RelayReading r) =>
        !r.Closed ? RelayStatus.Open
        : r.LimitKilowatts is { } kw ? RelayStatus.ClosedLimited(PowerLimit.FromKilowatts(kw))
        : RelayStatus.Closed;

    public static SupplyView View(SupplyState s, string? lastOrderReason) => new()
    {
        Status = s.Status.ToString(),
        LimitKilowatts = s.Limit?.Kilowatts,
        Pending = s.Pending is { } p
            ? new PendingCommandView { CommandId = p.Id, Kind = p.Kind.ToString(), LimitKilowatts = p.Limit?.Kilowatts, Attempts = p.Attempts, NextRetryAt = p.NextRetryAt }
            : null,
        LastStatus = s.LastStatus?.ToString(),
        LastStatusAt = s.LastStatusAt,
        LastOrderReason = lastOrderReason,
    };
}
