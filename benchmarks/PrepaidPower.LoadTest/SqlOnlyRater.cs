// The SQL-only baseline of the load harness (issue 5, deliverable 2b): the same simulated city, polled over Modbus, but
// each poll batch priced by set-based SQL against an accounts table instead of by actors.
using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using PrepaidPower.Domain.Tariffs;
using PrepaidPower.Simulator;

namespace PrepaidPower.LoadTest;

/// <summary>
/// A SQL-only run. <see cref="Readings"/> are the registers read and priced in the timed rounds; <see cref="PollSeconds"/>
/// is the sum of the timed rounds (poll + price + cut); <see cref="ReadingsPerSecond"/> = Readings / PollSeconds.
/// <see cref="AccountsCut"/> counts accounts cut by the end. <see cref="EnergyDifferenceWh"/> = Σ |billed Wh − the
/// simulator's registered Wh| and <see cref="MoneyDifferenceMinor"/> = Σ |opening − Σ posted charges − balance|; both 0
/// in a correct run.
/// </summary>
internal sealed record SqlOnlyResult(long Readings, int Rounds, double PollSeconds, double ReadingsPerSecond,
    int AccountsCut, long EnergyDifferenceWh, long MoneyDifferenceMinor);

/// <summary>
/// The way many vending systems rate: a poll batch is COPYed into a staging table and ONE statement prices it against
/// the accounts (cumulative tiers, exact running charge posted in whole minor units), deducts it, writes the charges
/// and decides the cuts (balance at or below zero, once; no notice, grace or protected windows, as in the harness);
/// then a relay-open command goes over Modbus to every meter newly cut. Same simulator, tariff and registers as the
/// grain run.
/// </summary>
internal static class SqlOnlyRater
{
    /// <summary>The tariff the grain run uses, copied next to the harness (samples/tariffs).</summary>
    public const string TariffFile = "shanghai-residential.json";

    /// <summary>
    /// Starts its own simulator (table layout, seed 5, on <paramref name="clock"/>), re-creates schema
    /// <see cref="SqlOnlyStore.Schema"/> in the database at <paramref name="connectionString"/> (left in place afterwards
    /// for inspection), opens one account per meter with <paramref name="openingMinor"/>(m) minor units, reads the
    /// opening registers as baselines (untimed), then until <paramref name="duration"/> of wall time has passed:
    /// advances the clock by <paramref name="step"/>, polls every concentrator (in parallel, one connection each),
    /// prices the batch in SQL and opens the relays of the accounts newly cut. Finally reconciles against the simulator.
    /// </summary>
    /// <exception cref="InvalidOperationException">A cut account's relay is still closed at the end (its command never got through).</exception>
    public static async Task<SqlOnlyResult> RunAsync(string connectionString, int meters, int concentrators,
        FakeTimeProvider clock, TimeSpan step, TimeSpan duration, Func<int, long> openingMinor,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(openingMinor);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(step, TimeSpan.Zero);
        var tariff = TariffLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "tariffs", TariffFile));
        await using var sim = await SimulatorHost.StartAsync(new SimulatorOptions
        {
            Meters = meters,
            Concentrators = concentrators,
            Layout = SimulatedLayouts.Table,
            Seed = 5,
            Start = clock.GetUtcNow(),
            TimeProvider = clock,
        }, cancellationToken);
        await using var store = await SqlOnlyStore.CreateAsync(connectionString, tariff, cancellationToken);
        await store.OpenAccountsAsync(meters, openingMinor, clock.GetUtcNow(), cancellationToken);

        var pollers = sim.Endpoints.Select(e => new TablePoller(sim.City.Profile, e)).ToArray();
        try
        {
            var batches = sim.Endpoints.Select(e => new ReadingBatch(e.Info.MeterCount)).ToArray();
            var pending = pollers.Select(_ => new List<int>()).ToArray();
            await PollAsync(pollers, batches, cancellationToken);
            Queue(sim, pending, await store.BaselineAsync(batches, clock.GetUtcNow(), cancellationToken));
            await CutAsync(pollers, pending, cancellationToken);

            long readings = 0;
            var rounds = 0;
            var timed = TimeSpan.Zero;
            var run = Stopwatch.StartNew();
            while (run.Elapsed < duration)
            {
                clock.Advance(step);
                var round = Stopwatch.StartNew();
                readings += await PollAsync(pollers, batches, cancellationToken);
                Queue(sim, pending, await store.PriceAsync(batches, clock.GetUtcNow(), cancellationToken));
                await CutAsync(pollers, pending, cancellationToken);
                timed += round.Elapsed;
                rounds++;
            }

            // Commands that failed in the last round get a few more tries (untimed) before the run is declared failed.
            for (var retry = 0; retry < 5 && pending.Any(p => p.Count > 0); retry++)
            {
                await CutAsync(pollers, pending, cancellationToken);
            }

            var accounts = await store.ReadAccountsAsync(cancellationToken);
            long energy = 0, money = 0;
            var cut = 0;
            foreach (var a in accounts)
            {
                var truth = sim.City.GetTruth(a.Id);
                energy += Math.Abs(a.BilledWh - truth.RegisteredWh);
                money += Math.Abs(a.OpeningMinor - a.PostedMinor - a.BalanceMinor);
                if (a.Cut)
                {
                    cut++;
                    if (truth.RelayClosed)
                    {
                        throw new InvalidOperationException($"Account {a.Id} was cut but meter {a.Id}'s relay is still closed: its relay-open command never got through ({pollers.Sum(p => p.Failed)} meter reads failed in the run).");
                    }
                }
            }

            var seconds = timed.TotalSeconds;
            return new SqlOnlyResult(readings, rounds, seconds, seconds > 0 ? readings / seconds : 0, cut, energy, money);
        }
        finally
        {
            foreach (var poller in pollers)
            {
                await poller.DisposeAsync();
            }
        }
    }

    private static async Task<long> PollAsync(TablePoller[] pollers, ReadingBatch[] batches, CancellationToken cancellationToken)
    {
        var counts = await Task.WhenAll(pollers.Select((p, c) =>
        {
            batches[c].Clear();
            return p.PollAsync(batches[c], cancellationToken);
        }));
        return counts.Sum();
    }

    private static void Queue(RunningSimulator sim, List<int>[] pending, List<int> newlyCut)
    {
        foreach (var meter in newlyCut)
        {
            pending[sim.City.AddressOf(meter).Concentrator].Add(meter);
        }
    }

    /// <summary>Opens the relays queued per concentrator (concentrators in parallel); a command that fails stays queued.</summary>
    private static Task CutAsync(TablePoller[] pollers, List<int>[] pending, CancellationToken cancellationToken) =>
        Task.WhenAll(pollers.Select(async (poller, c) =>
        {
            var queue = pending[c];
            if (queue.Count == 0)
            {
                return;
            }

            var failed = new List<int>();
            foreach (var meter in queue)
            {
                if (!await poller.OpenRelayAsync(meter, cancellationToken))
                {
                    failed.Add(meter);
                }
            }

            queue.Clear();
            queue.AddRange(failed);
        }));
}
