using PrepaidPower.Contracts.Concentrators;

namespace PrepaidPower.Grains.Concentrators;

/// <summary>A queued command: waiting to be written, or written without confirmation (waiting for its machine's timeout).</summary>
internal sealed class QueuedCommand(ConcentratorCommand command, long sequence)
{
    public ConcentratorCommand Command { get; set; } = command;

    public long Sequence { get; set; } = sequence;

    /// <summary>False until this attempt has been written (successfully or not).</summary>
    public bool Executed { get; set; }
}

/// <summary>
/// The concentrator's supply command queue, at most one command per meter (a newer command supersedes an older one,
/// as in the meter's supply machine). Execution order: priority (safety, enforcement, restore, supply), then arrival.
/// Each attempt is executed once; retries belong to the meter's supply machine, which re-submits the next attempt
/// after <see cref="CommandQueue.DueTimeouts"/> reports the timeout. In memory only: the meters' states are the
/// durable record, and every relay status the concentrator reports returns the meter's pending command.
/// </summary>
internal sealed class CommandQueue
{
    private readonly Dictionary<string, QueuedCommand> _byMeter = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (Guid Id, int Attempt)> _executed = new(StringComparer.Ordinal);
    private long _sequence;

    public int Count => _byMeter.Count;

    public bool HasWaiting => _byMeter.Values.Any(c => !c.Executed);

    /// <summary>
    /// Adds or replaces the meter's command. Returns false (nothing changes) for an attempt already queued or executed:
    /// a duplicate hand-over, or a pending command seen again in a relay status report.
    /// </summary>
    public bool Upsert(ConcentratorCommand command)
    {
        if (_executed.TryGetValue(command.MeterId, out var done) && done.Id == command.CommandId && done.Attempt >= command.Attempt)
        {
            return false;
        }

        if (_byMeter.TryGetValue(command.MeterId, out var existing)
            && existing.Command.CommandId == command.CommandId
            && existing.Command.Attempt >= command.Attempt)
        {
            return false;
        }

        _byMeter[command.MeterId] = new QueuedCommand(command, ++_sequence);
        return true;
    }

    /// <summary>The next command to write: highest priority (<see cref="Rank"/>), then oldest; null when none waits.</summary>
    public QueuedCommand? NextToExecute()
    {
        QueuedCommand? best = null;
        foreach (var c in _byMeter.Values)
        {
            if (!c.Executed && (best is null || (Rank(c.Command.Priority), c.Sequence).CompareTo((Rank(best.Command.Priority), best.Sequence)) < 0))
            {
                best = c;
            }
        }

        return best;
    }

    /// <summary>
    /// Execution rank, lower first. Not the enum's value: <see cref="CommandPriority.Restore"/> was added after
    /// <see cref="CommandPriority.Supply"/> and wire values are never renumbered. A reconnect goes before arrears cuts
    /// and limits, so a wave of cuts does not hold back a customer who has just paid.
    /// </summary>
    internal static int Rank(CommandPriority priority) => priority switch
    {
        CommandPriority.Safety => 0,
        CommandPriority.Enforcement => 1,
        CommandPriority.Restore => 2,
        _ => 3,
    };

    /// <summary>Marks the attempt as written; it stays queued until confirmed, superseded or timed out.</summary>
    public void MarkExecuted(QueuedCommand command)
    {
        command.Executed = true;
        _executed[command.Command.MeterId] = (command.Command.CommandId, command.Command.Attempt);
    }

    /// <summary>Commands whose supply machine retry time has passed, written or not (a dead device path must surface too).</summary>
    public QueuedCommand[] DueTimeouts(DateTimeOffset now) => [.. _byMeter.Values.Where(c => c.Command.NextRetryAt <= now).OrderBy(c => c.Sequence)];

    /// <summary>Removes the meter's command if it is still <paramref name="commandId"/> (a newer one may have replaced it).</summary>
    public void Remove(string meterId, Guid commandId)
    {
        if (_byMeter.TryGetValue(meterId, out var c) && c.Command.CommandId == commandId)
        {
            _byMeter.Remove(meterId);
        }
    }

    /// <summary>Forgets a meter's command whatever it is (the meter has nothing pending any more).</summary>
    public void Forget(string meterId) => _byMeter.Remove(meterId);

    public bool TryGet(string meterId, out QueuedCommand command) => _byMeter.TryGetValue(meterId, out command!);

    public void Clear()
    {
        _byMeter.Clear();
        _executed.Clear();
    }
}
