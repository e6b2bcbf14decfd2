using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Streams;
using Orleans.Streams.Core;
using PrepaidPower.Contracts.Accounts;
using PrepaidPower.Contracts.Errors;
using PrepaidPower.Notifications.Outbox;
using PrepaidPower.Notifications.Templates;

namespace PrepaidPower.Grains.Notifications;

/// <summary>
/// The per-account consumer of account events (key = account id). It exists so that the account grain never waits for
/// customer messaging: events reach it through the stream, and it only stores them in the outbox.
/// </summary>
[Alias("pp.IAccountNotifierGrain")]
public interface IAccountNotifierGrain : IGrainWithStringKey
{
}

/// <summary>
/// Implicitly subscribed to every stream in namespace <see cref="AccountEventStream.Namespace"/>: each customer-facing
/// <see cref="AccountEvent"/> becomes a <see cref="PrepaidPower.Notifications.NotificationRequest"/> (contact and
/// current balance read from the account) that is enqueued in the durable <see cref="INotificationOutbox"/> from DI;
/// the dispatcher sends it from there. Delivery from the stream is at least once: the de-duplication key is
/// <c>accountId:eventCode:eventNumber</c>, so a redelivered event adds nothing to the outbox. A failure to read the
/// account or to store the request is thrown back to the stream, which delivers the event again; a template that cannot
/// be rendered is logged and skipped (it would fail the same way every time). A silo without an outbox in DI drops
/// events with one warning per activation (notifications not configured).
/// </summary>
[ImplicitStreamSubscription(AccountEventStream.Namespace)]
public sealed partial class AccountNotifierGrain(IServiceProvider services, ILogger<AccountNotifierGrain> logger)
    : Grain, IAccountNotifierGrain, IStreamSubscriptionObserver, IAsyncObserver<AccountEvent>
{
    private readonly INotificationOutbox? outbox = services.GetService<INotificationOutbox>();
    private bool warnedNoOutbox;

    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory)
    {
        ArgumentNullException.ThrowIfNull(handleFactory);
        await handleFactory.Create<AccountEvent>().ResumeAsync(this);
    }

    public async Task OnNextAsync(AccountEvent item, StreamSequenceToken? token = null)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (!CustomerNotices.IsCustomerFacing(item))
        {
            return;
        }
        if (outbox is null)
        {
            if (!warnedNoOutbox)
            {
                warnedNoOutbox = true;
                LogNoOutbox(logger, item.AccountId);
            }
            return;
        }

        AccountView account;
        try
        {
            account = await GrainFactory.GetGrain<IAccountGrain>(item.AccountId).GetAsync();
        }
        catch (NotFoundException)
        {
            LogUnknownAccount(logger, item.Id, item.AccountId);
            return;
        }

        if (CustomerNotices.ToRequest(item, account) is not { } request)
        {
            return;
        }
        try
        {
            var added = await outbox.EnqueueAsync([request]);
            LogEnqueued(logger, request.DeduplicationKey, added);
        }
        catch (TemplateException e)
        {
            LogTemplateFailed(logger, e, request.DeduplicationKey);
        }
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex)
    {
        LogStreamError(logger, ex, this.GetPrimaryKeyString());
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No INotificationOutbox is registered in this silo: account events (first: account {AccountId}) are not sent to customers")]
    private static partial void LogNoOutbox(ILogger logger, string accountId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account event {EventId} names account {AccountId}, which does not exist; no notification")]
    private static partial void LogUnknownAccount(ILogger logger, string eventId, string accountId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Notification {DeduplicationKey}: {Added} new outbox row(s)")]
    private static partial void LogEnqueued(ILogger logger, string deduplicationKey, int added);

    [LoggerMessage(Level = LogLevel.Error, Message = "Notification {DeduplicationKey} cannot be rendered; it is skipped (fix the template or the event's data)")]
    private static partial void LogTemplateFailed(ILogger logger, Exception exception, string deduplicationKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account event stream of {AccountId} reported an error")]
    private static partial void LogStreamError(ILogger logger, Exception exception, string accountId);
}
