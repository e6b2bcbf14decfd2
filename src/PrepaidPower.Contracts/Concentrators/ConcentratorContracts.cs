// The records that cross the concentrator grain's boundary: its registration, its status, and supply commands.
namespace PrepaidPower.Contracts.Concentrators;

/// <summary>
/// A concentrator's configuration. <see cref="Layout"/> is "gateway" (one meter per unit id 1–247 behind one TCP
/// connection; <see cref="ConcentratorMeter.Slot"/> = unit id) or "table" (one unit id, each meter a fixed-stride
/// block; slot = 0-based block index). The device profile is looked up by id in the silo's profile catalog.
/// </summary>
[GenerateSerializer, Alias("pp.ConcentratorRegistration")]
public sealed record ConcentratorRegistration
{
    /// <summary>"host:port", e.g. "10.1.2.3:502" or "127.0.0.1:15020".</summary>
    [Id(0)] public string Endpoint { get; init; } = "";

    /// <summary>"gateway" or "table".</summary>
    [Id(1)] public string Layout { get; init; } = "";

    /// <summary>Device profile id, e.g. "prepaidpower-sim" (docs/devices.md).</summary>
    [Id(2)] public string ProfileId { get; init; } = "";

    /// <summary>Time between the start of one poll and the next (a poll never overlaps the previous one). 1 s – 1 day.</summary>
    [Id(3)] public TimeSpan PollPeriod { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Slot → meter id; 1 – <see cref="IConcentratorGrain.MaxMeters"/> entries, slots and meter ids unique.</summary>
    [Id(4)] public IReadOnlyList<ConcentratorMeter> Meters { get; init; } = [];

    /// <summary>
    /// Band registers to report, in the order the meters were registered with ("sharp", "peak", "flat", "valley");
    /// empty = total only. Every band must be in the profile.
    /// </summary>
    [Id(5)] public IReadOnlyList<string> Bands { get; init; } = [];

    /// <summary>Time a request may take before it counts as a timeout; null = the silo's default (1 s). 50 ms – 30 s.</summary>
    [Id(6)] public TimeSpan? RequestTimeout { get; init; }

    [Id(7)] public string OperatorId { get; init; } = "";
}

/// <summary>One meter behind a concentrator: where it is (unit id or table block index) and which meter grain it is.</summary>
[GenerateSerializer, Alias("pp.ConcentratorMeter")]
public sealed record ConcentratorMeter
{
    /// <summary>Gateway: the unit id 1–247. Table: the 0-based block index.</summary>
    [Id(0)] public int Slot { get; init; }

    [Id(1)] public string MeterId { get; init; } = "";
}

/// <summary>What a supply command asks the meter to do (the same values as the domain's command kinds).</summary>
[GenerateSerializer, Alias("pp.SupplyCommandType")]
public enum SupplyCommandType
{
    /// <summary>Close the relay with a power limit.</summary>
    SetLimit = 1,

    /// <summary>Open the relay.</summary>
    Open = 2,

    /// <summary>Close the relay with no limit (full supply).</summary>
    Close = 3,
}

/// <summary>
/// Order of execution in a concentrator's queue: <see cref="Safety"/>, <see cref="Enforcement"/>, <see cref="Restore"/>,
/// then <see cref="Supply"/>; FIFO within a priority. The numbers are wire values and are never renumbered, so they
/// are not the execution order (<see cref="Restore"/> came later): the queue ranks them.
/// </summary>
[GenerateSerializer, Alias("pp.CommandPriority")]
public enum CommandPriority
{
    /// <summary>A safety trip's open: before anything else.</summary>
    Safety = 0,

    /// <summary>An operator's enforcement cut.</summary>
    Enforcement = 1,

    /// <summary>Arrears cuts and limits that reduce supply, in the order they came (after every <see cref="Restore"/>).</summary>
    Supply = 2,

    /// <summary>
    /// Restoring supply: a reconnect (close, no limit), or a limit set on a relay last seen open or limited lower. Runs
    /// before <see cref="Supply"/>, so a customer who has paid does not wait behind a wave of arrears cuts.
    /// </summary>
    Restore = 3,
}

/// <summary>
/// A supply command from a meter's supply machine: the command id (kept on every retry), what to do, which attempt
/// this is, and when the machine will time it out. The concentrator executes each attempt once and reports the relay
/// read back (<c>IMeterGrain.ConfirmCommandAsync</c>); when <see cref="NextRetryAt"/> passes unconfirmed it reports the
/// timeout (<c>IMeterGrain.CommandTimedOutAsync</c>) and the machine decides whether to retry.
/// </summary>
[GenerateSerializer, Alias("pp.ConcentratorCommand")]
public sealed record ConcentratorCommand
{
    [Id(0)] public string MeterId { get; init; } = "";

    [Id(1)] public Guid CommandId { get; init; }

    [Id(2)] public SupplyCommandType Kind { get; init; }

    /// <summary>The limit for <see cref="SupplyCommandType.SetLimit"/>, whole W (1 – 1,000,000); null otherwise.</summary>
    [Id(3)] public int? LimitWatts { get; init; }

    /// <summary>Send number, from 1.</summary>
    [Id(4)] public int Attempt { get; init; }

    /// <summary>When the supply machine times this attempt out (UTC, the domain clock).</summary>
    [Id(5)] public DateTimeOffset NextRetryAt { get; init; }

    [Id(6)] public CommandPriority Priority { get; init; } = CommandPriority.Supply;
}

/// <summary>
/// A concentrator as operators see it. Health: "Online" (the last poll read every meter), "Degraded" (some reads
/// failed, or the last poll failed but not yet enough of them), "Offline" (several polls in a row without one good
/// read, no good read for too long, or never polled). Counters count since <see cref="CountersSince"/> (the activation).
/// </summary>
[GenerateSerializer, Alias("pp.ConcentratorStatus")]
public sealed record ConcentratorStatus
{
    [Id(0)] public string ConcentratorId { get; init; } = "";

    [Id(1)] public string Endpoint { get; init; } = "";

    [Id(2)] public string Layout { get; init; } = "";

    [Id(3)] public string ProfileId { get; init; } = "";

    [Id(4)] public TimeSpan PollPeriod { get; init; }

    [Id(5)] public int MeterCount { get; init; }

    /// <summary>"Online", "Degraded" or "Offline".</summary>
    [Id(6)] public string Health { get; init; } = "Offline";

    /// <summary>Why the concentrator has this health, in words.</summary>
    [Id(7)] public string HealthReason { get; init; } = "";

    [Id(8)] public DateTimeOffset? LastPollAt { get; init; }

    /// <summary>When a meter was last read successfully (fresh, decoded), on the domain clock.</summary>
    [Id(9)] public DateTimeOffset? LastGoodReadAt { get; init; }

    [Id(10)] public int ConsecutiveFailedPolls { get; init; }

    [Id(11)] public ConcentratorCounters Counters { get; init; } = new();

    [Id(12)] public DateTimeOffset CountersSince { get; init; }

    /// <summary>Commands waiting to be written or awaiting their machine's timeout.</summary>
    [Id(13)] public int QueuedCommands { get; init; }

    /// <summary>The most recent alarms, oldest first (the concentrator keeps the last 32; all are logged).</summary>
    [Id(14)] public IReadOnlyList<ConcentratorAlarm> RecentAlarms { get; init; } = [];

    /// <summary>Band registers reported, in order.</summary>
    [Id(15)] public IReadOnlyList<string> Bands { get; init; } = [];
}

/// <summary>What a concentrator did since its activation. Requests count reads and writes alike.</summary>
[GenerateSerializer, Alias("pp.ConcentratorCounters")]
public sealed record ConcentratorCounters
{
    [Id(0)] public long Polls { get; init; }

    [Id(1)] public long Requests { get; init; }

    /// <summary>Meters read successfully (decoded and fresh).</summary>
    [Id(2)] public long Reads { get; init; }

    /// <summary>Registers that did not decode to a possible value (relay neither open nor closed, NaN, negative energy, a limit that is not whole W).</summary>
    [Id(3)] public long DecodeErrors { get; init; }

    /// <summary>Reads whose meter clock did not move although time passed (frozen registers): not reported.</summary>
    [Id(4)] public long StaleReads { get; init; }

    [Id(5)] public long Timeouts { get; init; }

    [Id(6)] public long ExceptionResponses { get; init; }

    [Id(7)] public long ProtocolErrors { get; init; }

    /// <summary>Connections lost mid-request, plus failed connection attempts.</summary>
    [Id(8)] public long ConnectionFailures { get; init; }

    [Id(9)] public long Reconnects { get; init; }

    [Id(10)] public long ReadingsReported { get; init; }

    /// <summary>Meter grain calls that failed (meter not registered, a rejected reading, a timeout).</summary>
    [Id(11)] public long ReportFailures { get; init; }

    [Id(12)] public long SafetyEventsReported { get; init; }

    [Id(13)] public long CommandsExecuted { get; init; }

    [Id(14)] public long CommandsConfirmed { get; init; }

    [Id(15)] public long CommandsFailed { get; init; }

    /// <summary>Unconfirmed commands handed back to their meter's supply machine as timed out.</summary>
    [Id(16)] public long CommandTimeouts { get; init; }

    /// <summary>Polls cut short because the concentrator stopped answering.</summary>
    [Id(17)] public long PollsAborted { get; init; }

    /// <summary>Reads of meters that were not attempted because their poll was cut short.</summary>
    [Id(18)] public long ReadsSkipped { get; init; }
}

/// <summary>An alarm raised by a concentrator: code (e.g. CONCENTRATOR_OFFLINE, COMMAND_FAILED), severity, meter if any.</summary>
[GenerateSerializer, Alias("pp.ConcentratorAlarm")]
public sealed record ConcentratorAlarm
{
    [Id(0)] public string Code { get; init; } = "";

    /// <summary>"Warning" or "Critical".</summary>
    [Id(1)] public string Severity { get; init; } = "";

    [Id(2)] public DateTimeOffset At { get; init; }

    [Id(3)] public string? MeterId { get; init; }

    [Id(4)] public string Message { get; init; } = "";
}

/// <summary>What one poll did.</summary>
[GenerateSerializer, Alias("pp.PollSummary")]
public sealed record PollSummary
{
    [Id(0)] public int Meters { get; init; }

    /// <summary>Read, decoded and fresh.</summary>
    [Id(1)] public int Read { get; init; }

    /// <summary>Request failed, decode error or stale.</summary>
    [Id(2)] public int Failed { get; init; }

    /// <summary>Not attempted: the poll was cut short after the concentrator stopped answering.</summary>
    [Id(3)] public int Skipped { get; init; }

    [Id(4)] public int ReadingsReported { get; init; }

    [Id(5)] public int CommandsExecuted { get; init; }

    /// <summary>The health after the poll.</summary>
    [Id(6)] public string Health { get; init; } = "";
}

/// <summary>Stable error codes of the concentrator grain.</summary>
public static class ConcentratorErrorCodes
{
    public const string ConcentratorNotFound = "CONCENTRATOR_NOT_FOUND";
    public const string ProfileNotFound = "DEVICE_PROFILE_NOT_FOUND";
    public const string MeterNotOnConcentrator = "METER_NOT_ON_CONCENTRATOR";
}
