using Orleans.Concurrency;

namespace PrepaidPower.Contracts.Concentrators;

/// <summary>
/// One data concentrator (a Modbus TCP gateway or register table), keyed by the concentrator id. Polls every mapped
/// meter on a grain timer, sends readings, relay status and safety events to the meter grains with bounded
/// concurrency, and executes the meters' supply commands (write, read back, confirm). A registered concentrator keeps
/// an Orleans reminder, so it is reactivated and keeps polling after a restart or a silo failure.
/// </summary>
[Alias("pp.IConcentratorGrain")]
public interface IConcentratorGrain : IGrainWithStringKey
{
    /// <summary>Most meters one registration maps (a table concentrator of 20-register blocks holds 3,276).</summary>
    public const int MaxMeters = 4_096;

    /// <summary>
    /// Registers the concentrator, or replaces its whole configuration (endpoint, layout, profile, poll period and meter
    /// map). Polling starts at once; the same registration again changes nothing.
    /// </summary>
    /// <exception cref="Errors.InvalidRequestException">A field is wrong (the message names it); nothing was changed.</exception>
    [Alias("Register")] Task<ConcentratorStatus> RegisterAsync(ConcentratorRegistration registration);

    /// <summary>Stops polling, removes the reminder and forgets the configuration.</summary>
    [Alias("Unregister")] Task UnregisterAsync(string operatorId);

    /// <summary>Health, counters and the command queue; answered even while a poll is running.</summary>
    /// <exception cref="Errors.NotFoundException">Never registered.</exception>
    [AlwaysInterleave, Alias("GetStatus")] Task<ConcentratorStatus> GetStatusAsync();

    /// <summary>Runs one poll now (after any poll in progress) and returns what it did. Operators and tests use it.</summary>
    [Alias("PollNow")] Task<PollSummary> PollNowAsync();

    /// <summary>
    /// A meter grain hands over a supply command to write. Queued by priority and executed as soon as the device
    /// path is free (between read batches of a running poll, or at once). Interleaves with a running poll, so a meter
    /// called by this concentrator may submit without deadlock. A newer command for the same meter replaces an older one.
    /// </summary>
    /// <exception cref="Errors.NotFoundException">The concentrator is not registered, or the meter is not on it.</exception>
    [AlwaysInterleave, Alias("SubmitCommand")] Task SubmitCommandAsync(ConcentratorCommand command);
}
