namespace PrepaidPower.Notifications.Outbox;

/// <summary>How the outbox is drained, bound from <c>Notifications:Outbox</c>.</summary>
public sealed class OutboxOptions
{
    /// <summary>Npgsql connection string of the database that holds <c>notification_outbox</c>.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>Create the table on start-up (idempotent). Default true; turn off when the schema migrator owns it.</summary>
    public bool EnsureSchema { get; set; } = true;

    /// <summary>Rows claimed per round (1–1000). Default 50.</summary>
    public int BatchSize { get; set; } = 50;

    /// <summary>Rows sent at once within a round (≥ 1). Default 4.</summary>
    public int MaxParallelism { get; set; } = 4;

    /// <summary>Pause after a round that found nothing due. Default 1 s.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a claim lasts; a row whose claimer has not finished by then is sent again by whoever claims it next.
    /// Must exceed the slowest send (a webhook's retries included). Default 5 min.
    /// </summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Send attempts before a row is declared dead (≥ 1), counting claims that never finished. Default 10.</summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>Upper bound of the first outbox retry's delay (jittered down to half). Default 30 s.</summary>
    public TimeSpan RetryInitialDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Cap on an outbox retry's delay. Default 1 h.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Throws with the setting's full name when a value is unusable.</summary>
    public void Validate(string section = "Notifications:Outbox")
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException($"{section}:ConnectionString must be set.");
        }
        ValidateDispatch(section);
    }

    /// <summary>Checks the dispatching settings only (batch, leases, retries): what any outbox, durable or not, needs.</summary>
    public void ValidateDispatch(string section = "Notifications:Outbox")
    {

        if (BatchSize is < 1 or > 1000 || MaxParallelism < 1 || MaxAttempts < 1)
        {
            throw new ArgumentException($"{section}: BatchSize must be 1–1000, MaxParallelism and MaxAttempts at least 1.");
        }

        if (PollInterval <= TimeSpan.Zero || Lease <= TimeSpan.Zero || RetryInitialDelay <= TimeSpan.Zero || RetryMaxDelay < RetryInitialDelay)
        {
            throw new ArgumentException($"{section}: PollInterval, Lease and RetryInitialDelay must be positive, RetryMaxDelay at least RetryInitialDelay.");
        }
    }
}
