using PrepaidPower.Modbus.Profiles;

namespace PrepaidPower.Grains.Concentrators;

/// <summary>Silo-wide settings of the concentrator grains (<c>siloBuilder.ConfigureConcentrators(o => …)</c>).</summary>
public sealed class ConcentratorOptions
{
    /// <summary>
    /// A folder of device profiles (every <c>*.json</c>, format docs/devices.md) added to the built-in ones (the files of
    /// samples/devices). A folder profile replaces a built-in profile of the same id. Null = built-in profiles only.
    /// </summary>
    public string? ProfileFolder { get; set; }

    /// <summary>Profiles added in code (tests, embedders); they replace folder and built-in profiles of the same id.</summary>
    public IList<DeviceProfile> Profiles { get; } = [];

    /// <summary>Time a Modbus request may take when the registration does not say. Default 1 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Time to open the TCP connection. Default 3 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Meter grain calls one concentrator has in flight at once (back-pressure on ingest). Each waits for its charge to
    /// be committed, and the ledger commits the charges waiting together, so a wider window makes bigger commit groups;
    /// but every call in flight also waits for the same database connections as top-ups and supply commands. With 256
    /// per concentrator and 32 concentrators on one silo, top-up → reconnect took over 30 s for 259 of 1,200 accounts
    /// (README, Performance). The same number bounds, separately, the command confirmations in flight (the next command
    /// is written while the meters take the last ones). Default 32.
    /// </summary>
    public int MaxConcurrentReports { get; set; } = 32;

    /// <summary>Polls in a row without one good read before the concentrator is Offline. Default 3.</summary>
    public int OfflineAfterFailedPolls { get; set; } = 3;

    /// <summary>Offline also when the last good read is older than this many poll periods. Default 3.</summary>
    public int OfflineAfterPollPeriods { get; set; } = 3;

    /// <summary>
    /// Transport failures in a row (timeouts, lost or refused connections, protocol errors) after which a poll stops
    /// reading: a dead concentrator costs a few timeouts per poll, not one per meter. Default 3.
    /// </summary>
    public int AbortPollAfterTransportFailures { get; set; } = 3;

    /// <summary>
    /// A meter whose clock register has not moved while the domain clock moved at least this far is frozen (stale
    /// registers): its values are not reported. Only for profiles with a clock register. Default 2 minutes.
    /// </summary>
    public TimeSpan FrozenClockAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Period of the keep-alive reminder that reactivates a registered concentrator after a restart. Default 5 min (at least 1 min).</summary>
    public TimeSpan KeepAliveReminderPeriod { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Domain-clock seconds per real second (<see cref="PrepaidPowerGrainOptions.Time"/> against the real timers that
    /// poll). 1 in production; the main job's accelerated simulated city sets its speed, so that "no good read for
    /// three poll periods" compares like with like. Default 1.
    /// </summary>
    public double ClockRate { get; set; } = 1;

    /// <exception cref="ArgumentException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        Require(ClockRate is >= 1 and <= 3600, nameof(ClockRate), "must be 1 (real time) to 3600");
        Require(RequestTimeout > TimeSpan.Zero, nameof(RequestTimeout), "must be positive");
        Require(ConnectTimeout > TimeSpan.Zero, nameof(ConnectTimeout), "must be positive");
        Require(MaxConcurrentReports is >= 1 and <= 10_000, nameof(MaxConcurrentReports), "must be 1 to 10,000");
        Require(OfflineAfterFailedPolls is >= 1 and <= 1_000, nameof(OfflineAfterFailedPolls), "must be 1 to 1,000");
        Require(OfflineAfterPollPeriods is >= 1 and <= 1_000, nameof(OfflineAfterPollPeriods), "must be 1 to 1,000");
        Require(AbortPollAfterTransportFailures is >= 1 and <= 1_000, nameof(AbortPollAfterTransportFailures), "must be 1 to 1,000");
        Require(FrozenClockAfter > TimeSpan.Zero, nameof(FrozenClockAfter), "must be positive");
        Require(KeepAliveReminderPeriod >= TimeSpan.FromMinutes(1), nameof(KeepAliveReminderPeriod), "must be at least 1 minute (the Orleans reminder minimum)");
    }

    private static void Require(bool ok, string name, string what)
    {
        if (!ok)
        {
            throw new ArgumentException($"ConcentratorOptions.{name} {what}.", name);
        }
    }
}
