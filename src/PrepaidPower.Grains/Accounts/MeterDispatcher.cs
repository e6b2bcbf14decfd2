using Microsoft.Extensions.Logging;
using PrepaidPower.Contracts.Errors;

namespace PrepaidPower.Grains.Accounts;

/// <summary>One call an account makes to one of its meters, with a description for the log.</summary>
/// <param name="What">E.g. "Reconnect (credit restored)"; names the order in warnings.</param>
/// <param name="Send">The grain call.</param>
internal sealed record MeterCall(string What, Func<Task> Send);

/// <summary>
/// Sends an account's supply orders to its meters without the account's turn waiting for them. A meter's poll turn
/// waits for the account (it bills the usage it just read), so an account turn waiting for that meter is a cycle that
/// only Orleans' response timeout breaks. Calls to one meter go out one at a time in the order given, across turns too;
/// a failed call is retried after each of the retry delays, then given up with a warning (the order is lost, not
/// half-applied). Meant to be used from the grain's scheduler only: the continuations run there, one at a time, so
/// the per-meter chain needs no lock.
/// </summary>
internal sealed partial class MeterDispatcher(string accountId, IReadOnlyList<TimeSpan> retryDelays, ILogger logger)
{
    /// <summary>Retry delays after a failed call: 1 s, 2 s, 4 s (four attempts in all, about 7 s).</summary>
    public static readonly IReadOnlyList<TimeSpan> DefaultRetryDelays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)];

    /// <summary>Per meter, the last chain of calls started and its hand-over number (at most one entry per attached meter).</summary>
    private readonly Dictionary<string, (Task Chain, long Number)> tails = new(StringComparer.Ordinal);
    private long handOvers;

    /// <summary>Meters with calls still going out.</summary>
    public int Busy => tails.Count;

    /// <summary>Starts <paramref name="calls"/> to <paramref name="meterId"/> after every call handed over earlier for it; does not wait.</summary>
    public void Send(string meterId, IReadOnlyList<MeterCall> calls)
    {
        if (calls.Count == 0)
        {
            return;
        }

        var number = ++handOvers;
        var previous = tails.TryGetValue(meterId, out var tail) ? tail.Chain : Task.CompletedTask;
        var chain = RunAsync(previous, meterId, number, calls);
        if (!chain.IsCompleted)
        {
            tails[meterId] = (chain, number);
        }
    }

    /// <summary>Completes when every call handed over so far has been sent or given up (e.g. before deactivation).</summary>
    public Task DrainAsync() => Task.WhenAll(tails.Values.Select(t => t.Chain));

    private async Task RunAsync(Task previous, string meterId, long number, IReadOnlyList<MeterCall> calls)
    {
        try
        {
            await previous;
            foreach (var call in calls)
            {
                await SendAsync(meterId, call);
            }
        }
        finally
        {
            // The last chain for this meter forgets itself; an earlier one leaves the entry to the chain that waits for it.
            if (tails.TryGetValue(meterId, out var tail) && tail.Number == number)
            {
                tails.Remove(meterId);
            }
        }
    }

    private async Task SendAsync(string meterId, MeterCall call)
    {
        var attempts = retryDelays.Count + 1;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await call.Send();
                return;
            }
            catch (PrepaidPowerException e)
            {
                // The meter answered and said no (not registered, a bad order): the same call would get the same answer.
                LogRejected(logger, e, accountId, call.What, meterId);
                return;
            }
            catch (Exception e)
            {
                if (attempt == attempts)
                {
                    LogGaveUp(logger, e, accountId, call.What, meterId, attempts);
                    return;
                }

                var delay = retryDelays[attempt - 1];
                LogFailed(logger, e, accountId, call.What, meterId, attempt, attempts, delay);
                // Real time, not the domain clock: this waits for a transport or a silo, not for a tariff or a deadline.
                await Task.Delay(delay);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId}: sending {Order} to meter {MeterId} failed (attempt {Attempt} of {Attempts}); retrying in {Delay}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string accountId, string order, string meterId, int attempt, int attempts, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId}: {Order} for meter {MeterId} not delivered after {Attempts} attempts; given up (the meter keeps its supply state until the account's next order)")]
    private static partial void LogGaveUp(ILogger logger, Exception exception, string accountId, string order, string meterId, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId}: meter {MeterId} rejected {Order}")]
    private static partial void LogRejected(ILogger logger, Exception exception, string accountId, string order, string meterId);
}
