using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PrepaidPower.Notifications.Channels;
using PrepaidPower.Notifications.Outbox;
using PrepaidPower.Notifications.Templates;
using PrepaidPower.Notifications.Tests.Support;

namespace PrepaidPower.Notifications.Tests.Outbox;

/// <summary>The quick-look mode: the dispatcher drains the in-memory outbox exactly like the PostgreSQL one.</summary>
[Trait("Category", "Unit")]
public sealed class InMemoryDispatchTests
{
    [Fact]
    public async Task DrainOnceAsync_InMemoryOutbox_DeliversOncePerKeyAndChannel()
    {
        var time = new FakeTimeProvider(Samples.Noon);
        var logger = new TestLogger<LogChannel>();
        var composer = new NotificationComposer(TemplateCatalog.Default, new HashSet<ChannelKind> { ChannelKind.Log });
        var outbox = new InMemoryNotificationOutbox(composer, time);
        var dispatcher = new NotificationDispatcher(outbox, [new LogChannel(logger)], new OutboxOptions(), time, new TestLogger<NotificationDispatcher>());

        Assert.Equal(1, await outbox.EnqueueAsync([Samples.Request(key: "ACC-1:LOW_CREDIT_1:1")]));
        Assert.Equal(0, await outbox.EnqueueAsync([Samples.Request(key: "ACC-1:LOW_CREDIT_1:1")]));

        Assert.Equal(1, await dispatcher.DrainOnceAsync());
        Assert.Equal(0, await dispatcher.DrainOnceAsync());
        Assert.Single(logger.Entries, e => e.Message.Contains("ACC-1", StringComparison.Ordinal));
        Assert.Equal(1, (await outbox.CountByStatusAsync())[OutboxStatus.Delivered]);
    }

    [Fact]
    public void AddPrepaidPowerNotificationsInMemory_NoConnectionString_BuildsOutboxAndDispatcher()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddPrepaidPowerNotificationsInMemory(new ConfigurationBuilder().Build());
        using var provider = services.BuildServiceProvider();

        Assert.IsType<InMemoryNotificationOutbox>(provider.GetRequiredService<INotificationOutbox>());
        Assert.NotNull(provider.GetRequiredService<NotificationDispatcher>());
    }
}
