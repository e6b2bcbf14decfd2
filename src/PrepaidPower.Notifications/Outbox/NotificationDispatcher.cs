// Drains the outbox: claim due rows, send each through its channel, record delivered / retry later / dead.
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PrepaidPower.Notifications.Channels;

namespace PrepaidPower.Notifications.Outbox;

/// <summary>
/// The outbox's consumer. Run it as a hosted service (it loops <see cref="DrainOnceAsync"/>, pausing
/// <see cref="OutboxOptions.PollInterval"/> when nothing is due), or call <see cref="DrainOnceAsync"/> yourself. Several
/// dispatchers, in one process or many, may drain one outbox. A transient failure is retried after a jittered
/// exponential backoff (at least what the far side asked for); a permanent failure, or the
/// <see cref="OutboxOptions.MaxAttempts"/>th failure, makes the row dead. A dispatcher that stops mid-send leaves its rows
/// claimed; they are sent again once their lease ends, so a message can arrive twice but is never lost — receivers
/// de-duplicate by the delivery id.
/// </summary>
public sealed partial class NotificationDispatcher : BackgroundService
{
    private readonly IOutboxQueue _outbox;
    private readonly Dictionary<ChannelKind, INotificationChannel> _channels;
    private readonly OutboxOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<double> _random;

    /// <param name="outbox">The outbox to drain.</param>
    /// <param name="channels">One channel per kind; rows for a kind with no channel fail transiently (and die after the maximum attempts).</param>
    /// <param name="options">Validated on construction.</param>
    /// <param name="time">The clock for due times, leases and the idle pause.</param>
    /// <param name="logger">Failures and dead rows are logged here.</param>
    /// <param name="random">Jitter source in [0, 1); default <c>Random.Shared.NextDouble</c>.</param>
    public NotificationDispatcher(
        IOutboxQueue outbox,
        IEnumerable<INotificationChannel> channels,
        OutboxOptions options,
        TimeProvider time,
        ILogger<NotificationDispatcher> logger,
        Func<double>? random = null)
    {
        options.ValidateDispatch();
        _outbox = outbox;
        _channels = [];
        foreach (var channel in channels)
        {
            if (!_channels.TryAdd(channel.Kind, channel))
            {
                throw new ArgumentException($"Two channels are registered for '{channel.Kind.Name()}'; register one per kind.", nameof(channels));
            }
        }

        _options = options;
        _time = time;
        _logger = logger;
        _random = random ?? Random.Shared.NextDouble;
    }

    /// <summary>Claims up to <see cref="OutboxOptions.BatchSize"/> due rows, sends them and records the outcomes. Returns the number claimed.</summary>
    public async Task<int> DrainOnceAsync(CancellationToken cancellationToken = default)
    {
        var claimed = await _outbox.ClaimAsync(_options.BatchSize, _options.Lease, cancellationToken);
        if (claimed.Count == 0)
        {
            return 0;
        }

        await Parallel.ForEachAsync(
            claimed,
            new ParallelOptions { MaxDegreeOfParallelism = _options.MaxParallelism, CancellationToken = cancellationToken },
            async (claim, ct) => await SendAndRecordAsync(claim, ct));
        return claimed.Count;
    }

    /// <summary>Creates the PostgreSQL outbox table first when <see cref="OutboxOptions.EnsureSchema"/> is on, then starts the loop.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.EnsureSchema && _outbox is PostgresNotificationOutbox postgres)
        {
            await postgres.EnsureSchemaAsync(cancellationToken);
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            int claimed;
            try
            {
                claimed = await DrainOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The database may be restarting; what was claimed comes back after its lease, so wait and go on.
                LogRoundFailed(_logger, e);
                claimed = 0;
            }

            if (claimed < _options.BatchSize)
            {
                try
                {
                    await Task.Delay(_options.PollInterval, _time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task SendAndRecordAsync(ClaimedNotification claim, CancellationToken cancellationToken)
    {
        var notification = claim.Notification;
        if (claim.Attempt > _options.MaxAttempts)
        {
            // Earlier claims ended without a verdict (the claimer died each time): stop before this becomes a crash loop.
            var error = $"Claimed {claim.Attempt - 1} times without finishing; giving up.";
            await _outbox.MarkFailedAsync(claim, error, retryAt: null, cancellationToken);
            LogDead(_logger, notification.DeliveryId, claim.Attempt - 1, error);
            return;
        }

        DeliveryResult result;
        if (!_channels.TryGetValue(notification.Channel, out var channel))
        {
            result = DeliveryResult.Transient($"No '{notification.Channel.Name()}' channel is configured in this dispatcher.");
        }
        else
        {
            try
            {
                result = await channel.SendAsync(notification, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                result = DeliveryResult.Transient($"{e.GetType().Name}: {e.Message}");
            }
        }

        switch (result.Outcome)
        {
            case DeliveryOutcome.Delivered:
                if (!await _outbox.MarkDeliveredAsync(claim, cancellationToken))
                {
                    LogLeaseLost(_logger, notification.DeliveryId);
                }

                break;
            case DeliveryOutcome.Transient when claim.Attempt < _options.MaxAttempts:
                var delay = Backoff.Delay(claim.Attempt, _options.RetryInitialDelay, _options.RetryMaxDelay, _random());
                if (result.RetryAfter is { } asked && asked > delay)
                {
                    delay = asked < _options.RetryMaxDelay ? asked : _options.RetryMaxDelay;
                }

                await _outbox.MarkFailedAsync(claim, result.Error ?? "transient failure", _time.GetUtcNow() + delay, cancellationToken);
                LogRetryLater(_logger, notification.DeliveryId, claim.Attempt, delay, result.Error);
                break;
            default:
                var reason = result.Outcome == DeliveryOutcome.Permanent
                    ? result.Error ?? "permanent failure"
                    : $"{result.Error} (attempt {claim.Attempt} of {_options.MaxAttempts})";
                await _outbox.MarkFailedAsync(claim, reason, retryAt: null, cancellationToken);
                LogDead(_logger, notification.DeliveryId, claim.Attempt, reason);
                break;
        }
    }

    [LoggerMessage(EventId = 3301, Level = LogLevel.Information, Message = "Notification {DeliveryId} attempt {Attempt} failed ({Error}); due again in {Delay}")]
    private static partial void LogRetryLater(ILogger logger, string deliveryId, int attempt, TimeSpan delay, string? error);

    [LoggerMessage(EventId = 3302, Level = LogLevel.Error, Message = "Notification {DeliveryId} is dead after {Attempts} attempt(s): {Error}")]
    private static partial void LogDead(ILogger logger, string deliveryId, int attempts, string error);

    [LoggerMessage(EventId = 3303, Level = LogLevel.Warning, Message = "Notification {DeliveryId} was delivered after its lease ended; another dispatcher may send it again")]
    private static partial void LogLeaseLost(ILogger logger, string deliveryId);

    [LoggerMessage(EventId = 3304, Level = LogLevel.Error, Message = "Outbox round failed; trying again after the poll interval")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);
}
