namespace PrepaidPower.Persistence.Ledger;

/// <summary>
/// How <see cref="PostgresLedgerStore"/>'s group-commit writer gathers appends. The defaults suit one silo on a
/// small machine; <see cref="Validate"/> runs when the store is built.
/// </summary>
public sealed record PostgresLedgerStoreOptions
{
    /// <summary>
    /// Most entries written in one transaction, 1–100,000. Default 2,000. A single append larger than this is
    /// written alone in its own transaction (an append is never split).
    /// </summary>
    public int MaxBatchEntries { get; init; } = 2_000;

    /// <summary>
    /// How long the writer, once it holds an append, waits for more before it writes, 0–1 s. Default 2 ms. Zero
    /// writes whatever is waiting at once; under load, appends gather anyway while the previous transaction commits.
    /// </summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>
    /// Most appends (calls, not entries) waiting for the writer, 1–1,000,000. Default 10,000. When it is full,
    /// <see cref="PostgresLedgerStore.AppendAsync"/> waits for room (back-pressure on the callers).
    /// </summary>
    public int QueueCapacity { get; init; } = 10_000;

    /// <summary>
    /// Group-commit writers working at once, 1–64, each with its own connection and transaction. Default 2: while one
    /// group commits, the next is written, so the commit latency does not cap the rate. One account's appends never
    /// overlap (its grain waits for each), and two writers racing on one account (a stale activation) are caught by
    /// the gap check like any stale writer.
    /// </summary>
    public int Writers { get; init; } = 2;

    /// <summary>The clock for <see cref="MaxDelay"/>. Default the system clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad option and its allowed range.</summary>
    public void Validate()
    {
        if (Writers is < 1 or > 64)
        {
            throw new ArgumentException($"Writers {Writers} is out of range; use 1–64 (default 2).", nameof(Writers));
        }

        if (MaxBatchEntries is < 1 or > 100_000)
        {
            throw new ArgumentException($"MaxBatchEntries {MaxBatchEntries} is out of range; use 1–100,000 (default 2,000).", nameof(MaxBatchEntries));
        }

        if (MaxDelay < TimeSpan.Zero || MaxDelay > TimeSpan.FromSeconds(1))
        {
            throw new ArgumentException($"MaxDelay {MaxDelay} is out of range; use 0 to 1 second (default 2 ms).", nameof(MaxDelay));
        }

        if (QueueCapacity is < 1 or > 1_000_000)
        {
            throw new ArgumentException($"QueueCapacity {QueueCapacity} is out of range; use 1–1,000,000 (default 10,000).", nameof(QueueCapacity));
        }

        if (TimeProvider is null)
        {
            throw new ArgumentException("TimeProvider must not be null; leave it at the default for the system clock.", nameof(TimeProvider));
        }
    }
}
