namespace PrepaidPower.Grains.Concentrators;

/// <summary>A concentrator's health, worst first.</summary>
public enum ConcentratorHealth
{
    /// <summary>Not answering: several polls in a row without one good read, no good read for several periods, or never polled.</summary>
    Offline,

    /// <summary>Answering, but the last poll (or the ones before it) failed for some or all meters.</summary>
    Degraded,

    /// <summary>The last poll read every meter.</summary>
    Online,
}

/// <summary>
/// Health from poll outcomes, on the domain clock. A poll "fails" when it read no meter at all (fresh and decoded);
/// per-meter failures only degrade. Pure: the grain feeds it and asks.
/// </summary>
internal sealed class ConcentratorHealthTracker
{
    public DateTimeOffset? LastPollAt { get; private set; }

    public DateTimeOffset? LastGoodReadAt { get; private set; }

    public int ConsecutiveFailedPolls { get; private set; }

    public int LastPollFailures { get; private set; }

    public void RecordPoll(DateTimeOffset at, int read, int failed)
    {
        LastPollAt = at;
        LastPollFailures = failed;
        if (read > 0)
        {
            LastGoodReadAt = at;
            ConsecutiveFailedPolls = 0;
        }
        else if (failed > 0)
        {
            ConsecutiveFailedPolls++;
        }
    }

    public (ConcentratorHealth Health, string Reason) Evaluate(DateTimeOffset now, TimeSpan pollPeriod, ConcentratorOptions options)
    {
        if (LastPollAt is null)
        {
            return (ConcentratorHealth.Offline, "not polled yet");
        }

        if (ConsecutiveFailedPolls >= options.OfflineAfterFailedPolls)
        {
            return (ConcentratorHealth.Offline, $"{ConsecutiveFailedPolls} polls in a row without a good read");
        }

        var staleAfter = pollPeriod * options.OfflineAfterPollPeriods;
        if (LastGoodReadAt is not { } good)
        {
            return (ConcentratorHealth.Degraded, "no good read yet");
        }

        if (now - good > staleAfter)
        {
            return (ConcentratorHealth.Offline, $"no good read since {good:O} (more than {options.OfflineAfterPollPeriods} poll periods)");
        }

        if (ConsecutiveFailedPolls > 0)
        {
            return (ConcentratorHealth.Degraded, $"{ConsecutiveFailedPolls} failed poll(s) in a row");
        }

        return LastPollFailures > 0
            ? (ConcentratorHealth.Degraded, $"{LastPollFailures} meter(s) not read in the last poll")
            : (ConcentratorHealth.Online, "every meter read in the last poll");
    }
}
