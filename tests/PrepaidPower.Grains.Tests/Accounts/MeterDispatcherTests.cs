using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using PrepaidPower.Contracts.Errors;
using PrepaidPower.Grains.Accounts;

namespace PrepaidPower.Grains.Tests.Accounts;

/// <summary>
/// The account's order dispatcher, run on an exclusive scheduler as a grain activation runs it: per-meter order
/// across hand-overs, retries, giving up, and no retry of an answer.
/// </summary>
[Trait("Category", "Unit")]
public sealed class MeterDispatcherTests
{
    private static readonly TimeSpan[] NoDelay = [TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero];

    [Fact]
    public async Task Send_TwoHandOversToOneMeter_SecondWaitsForTheFirst_OtherMetersDoNot()
    {
        var log = new ConcurrentQueue<string>();
        var firstGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var dispatcher = new MeterDispatcher("acc-1", NoDelay, new ListLogger());

        await OnGrainSchedulerAsync(async () =>
        {
            dispatcher.Send("m1", [Call("limit", log, firstGate.Task), Call("disconnect", log)]);
            dispatcher.Send("m1", [Call("reconnect", log)]);
            dispatcher.Send("m2", [Call("m2-reconnect", log)]);
            await Task.Yield();
            Assert.Equal(["limit", "m2-reconnect"], log);
            Assert.Equal(1, dispatcher.Busy);

            firstGate.SetResult();
            await dispatcher.DrainAsync();
        });

        Assert.Equal(["limit", "m2-reconnect", "disconnect", "reconnect"], log);
        Assert.Equal(0, dispatcher.Busy);
    }

    [Fact]
    public async Task Send_CallFailsTwice_RetriedThenSent_LaterCallKeepsItsPlace()
    {
        var attempts = 0;
        var log = new ConcurrentQueue<string>();
        var logger = new ListLogger();
        var dispatcher = new MeterDispatcher("acc-1", NoDelay, logger);

        await OnGrainSchedulerAsync(async () =>
        {
            dispatcher.Send("m1",
            [
                new MeterCall("Reconnect (credit restored)", () => ++attempts <= 2 ? Task.FromException(new TimeoutException("no answer")) : Log(log, "reconnect")),
                Call("limit", log),
            ]);
            await dispatcher.DrainAsync();
        });

        Assert.Equal(3, attempts);
        Assert.Equal(["reconnect", "limit"], log);
        Assert.Equal(
            [
                "Warning: Account acc-1: sending Reconnect (credit restored) to meter m1 failed (attempt 1 of 4); retrying in 00:00:00",
                "Warning: Account acc-1: sending Reconnect (credit restored) to meter m1 failed (attempt 2 of 4); retrying in 00:00:00",
            ],
            logger.Lines);
    }

    [Fact]
    public async Task Send_CallAlwaysFails_GivenUpAfterFourAttempts_NextCallStillSent()
    {
        var attempts = 0;
        var log = new ConcurrentQueue<string>();
        var logger = new ListLogger();
        var dispatcher = new MeterDispatcher("acc-1", NoDelay, logger);

        await OnGrainSchedulerAsync(async () =>
        {
            dispatcher.Send("m1", [new MeterCall("Limit (arrears: limit step)", () => { attempts++; throw new TimeoutException("no answer"); }), Call("reconnect", log)]);
            await dispatcher.DrainAsync();
        });

        Assert.Equal(4, attempts);
        Assert.Equal(["reconnect"], log);
        Assert.Equal("Warning: Account acc-1: Limit (arrears: limit step) for meter m1 not delivered after 4 attempts; given up (the meter keeps its supply state until the account's next order)", logger.Lines[^1]);
    }

    [Fact]
    public async Task Send_MeterRejects_NotRetried()
    {
        var attempts = 0;
        var logger = new ListLogger();
        var dispatcher = new MeterDispatcher("acc-1", NoDelay, logger);

        await OnGrainSchedulerAsync(async () =>
        {
            dispatcher.Send("m1", [new MeterCall("ClearSafety by op-1", () => { attempts++; throw new NotFoundException(ErrorCodes.MeterNotFound, "not registered"); })]);
            await dispatcher.DrainAsync();
        });

        Assert.Equal(1, attempts);
        Assert.Equal(["Warning: Account acc-1: meter m1 rejected ClearSafety by op-1"], logger.Lines);
    }

    /// <summary>Runs <paramref name="body"/> one continuation at a time, like a grain activation's scheduler.</summary>
    private static Task OnGrainSchedulerAsync(Func<Task> body) =>
        Task.Factory.StartNew(body, CancellationToken.None, TaskCreationOptions.None, new ConcurrentExclusiveSchedulerPair().ExclusiveScheduler).Unwrap();

    private static MeterCall Call(string what, ConcurrentQueue<string> log, Task? gate = null) =>
        new(what, async () =>
        {
            log.Enqueue(what);
            if (gate is not null)
            {
                await gate;
            }
        });

    private static Task Log(ConcurrentQueue<string> log, string what)
    {
        log.Enqueue(what);
        return Task.CompletedTask;
    }

    private sealed class ListLogger : ILogger
    {
        private readonly ConcurrentQueue<string> lines = new();

        public string[] Lines => [.. lines];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
    }
}
