using Microsoft.Extensions.Time.Testing;
using PrepaidPower.Domain.Supply;

namespace PrepaidPower.Domain.Tests.Supply;

/// <summary>Builds supply states by driving the real machine, so every test state is one the machine can reach.</summary>
internal sealed class SupplyTestKit
{
    public static readonly DateTimeOffset Start = new(2025, 3, 3, 8, 0, 0, TimeSpan.Zero);

    public static readonly SupplyOptions ExactOptions = new() { JitterFraction = 0, InitialWait = TimeSpan.FromSeconds(30), MaxWait = TimeSpan.FromMinutes(10), MaxAttempts = 5 };

    public static readonly PowerLimit Five = PowerLimit.FromKilowatts(5m);
    public static readonly PowerLimit Three = PowerLimit.FromKilowatts(3m);

    public SupplyTestKit(SupplyOptions? options = null)
    {
        Time = new FakeTimeProvider(Start);
        Machine = new SupplyMachine(options ?? ExactOptions, Time);
    }

    public FakeTimeProvider Time { get; }

    public SupplyMachine Machine { get; }

    public SupplyState Apply(SupplyState s, SupplyTrigger t) => Machine.Apply(s, t).Next;

    /// <summary>A state in <paramref name="status"/>; requested states and SafetyTripped carry a pending command.</summary>
    public SupplyState In(SupplyStatus status)
    {
        var unknown = SupplyState.Initial;
        var connected = Apply(unknown, new SupplyTrigger.StatusObserved(RelayStatus.Closed));
        return status switch
        {
            SupplyStatus.Unknown => unknown,
            SupplyStatus.Connected => connected,
            SupplyStatus.Limited => Apply(unknown, new SupplyTrigger.StatusObserved(RelayStatus.ClosedLimited(Five))),
            SupplyStatus.Disconnected => Apply(unknown, new SupplyTrigger.StatusObserved(RelayStatus.Open)),
            SupplyStatus.LimitRequested => Apply(connected, new SupplyTrigger.RequestLimit(Three, Guid.NewGuid())),
            SupplyStatus.DisconnectRequested => Apply(connected, new SupplyTrigger.RequestDisconnect(Guid.NewGuid(), DisconnectReason.Enforcement)),
            SupplyStatus.ReconnectRequested => Apply(In(SupplyStatus.Disconnected), new SupplyTrigger.RequestReconnect(Guid.NewGuid())),
            SupplyStatus.SafetyTripped => Apply(connected, new SupplyTrigger.SafetyEvent(SafetyEventKind.ArcFault, Guid.NewGuid())),
            _ => throw new ArgumentOutOfRangeException(nameof(status)),
        };
    }

    /// <summary>The "main path" trigger of each kind for a state (a matching confirmation, a due timeout, a consistent read).</summary>
    public SupplyTrigger Representative(SupplyState s, SupplyTriggerKind kind) => kind switch
    {
        SupplyTriggerKind.RequestLimit => new SupplyTrigger.RequestLimit(PowerLimit.FromKilowatts(2m), Guid.NewGuid()),
        SupplyTriggerKind.RequestDisconnect => new SupplyTrigger.RequestDisconnect(Guid.NewGuid(), DisconnectReason.Enforcement),
        SupplyTriggerKind.RequestReconnect => new SupplyTrigger.RequestReconnect(Guid.NewGuid()),
        SupplyTriggerKind.Confirmed => s.Pending is { } p
            ? new SupplyTrigger.Confirmed(p.Id, p.ExpectedStatus)
            : new SupplyTrigger.Confirmed(Guid.NewGuid(), RelayStatus.Closed),
        SupplyTriggerKind.StatusObserved => new SupplyTrigger.StatusObserved(s.LastStatus ?? RelayStatus.Closed),
        SupplyTriggerKind.Timeout => DueTimeout(s),
        SupplyTriggerKind.SafetyEvent => new SupplyTrigger.SafetyEvent(SafetyEventKind.Overload, Guid.NewGuid()),
        SupplyTriggerKind.ClearSafety => new SupplyTrigger.ClearSafety("op-7"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private SupplyTrigger.Timeout DueTimeout(SupplyState s)
    {
        if (s.Pending is { } p)
        {
            Time.SetUtcNow(p.NextRetryAt);
            return new SupplyTrigger.Timeout(p.Id);
        }
        return new SupplyTrigger.Timeout(Guid.NewGuid());
    }
}
