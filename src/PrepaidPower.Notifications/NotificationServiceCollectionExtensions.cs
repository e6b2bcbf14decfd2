// Composition: options → channels → composer → outbox → dispatcher (a hosted service).
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using PrepaidPower.Notifications.Channels;
using PrepaidPower.Notifications.Outbox;
using PrepaidPower.Notifications.Templates;

namespace PrepaidPower.Notifications;

/// <summary>Registers the notification outbox, its channels and its dispatcher.</summary>
public static class NotificationServiceCollectionExtensions
{
    /// <summary>The key of the outbox's own <see cref="NpgsqlDataSource"/>, so it never collides with the host's.</summary>
    public const string DataSourceKey = "PrepaidPower.Notifications";

    /// <summary>Binds <see cref="NotificationOptions"/> from <paramref name="section"/> (normally <c>Notifications</c>) and registers the services.</summary>
    public static IServiceCollection AddPrepaidPowerNotifications(this IServiceCollection services, IConfiguration section)
    {
        services.AddOptions<NotificationOptions>().Bind(section);
        return services.AddCore();
    }

    /// <summary>
    /// Binds <see cref="NotificationOptions"/> from <paramref name="section"/> and registers the services with the
    /// <b>in-memory, not durable</b> <see cref="InMemoryNotificationOutbox"/> — for the quick-look mode only.
    /// </summary>
    public static IServiceCollection AddPrepaidPowerNotificationsInMemory(this IServiceCollection services, IConfiguration section)
    {
        services.AddOptions<NotificationOptions>().Bind(section);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(TemplateCatalog.Default);
        services.AddSingleton<NotificationChannelSet>();
        services.AddSingleton(Composer);
        services.AddSingleton(sp => new InMemoryNotificationOutbox(sp.GetRequiredService<NotificationComposer>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<INotificationOutbox>(sp => sp.GetRequiredService<InMemoryNotificationOutbox>());
        return services.AddDispatcher(sp => sp.GetRequiredService<InMemoryNotificationOutbox>());
    }

    private static NotificationComposer Composer(IServiceProvider sp) => new(
        sp.GetRequiredService<TemplateCatalog>(),
        sp.GetRequiredService<NotificationChannelSet>().Channels.Select(c => c.Kind).ToHashSet());

    private static IServiceCollection AddDispatcher(this IServiceCollection services, Func<IServiceProvider, IOutboxQueue> queue)
    {
        services.AddSingleton(sp => new NotificationDispatcher(
            queue(sp),
            sp.GetRequiredService<NotificationChannelSet>().Channels,
            sp.GetRequiredService<IOptions<NotificationOptions>>().Value.Outbox,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<NotificationDispatcher>()));
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<NotificationDispatcher>());
        return services;
    }

    /// <summary>Configures <see cref="NotificationOptions"/> in code and registers the services.</summary>
    public static IServiceCollection AddPrepaidPowerNotifications(this IServiceCollection services, Action<NotificationOptions> configure)
    {
        services.AddOptions<NotificationOptions>().Configure(configure);
        return services.AddCore();
    }

    private static IServiceCollection AddCore(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(TemplateCatalog.Default);
        services.AddSingleton<NotificationChannelSet>();
        services.AddSingleton(Composer);
        services.AddKeyedSingleton(DataSourceKey, (sp, _) =>
        {
            var outbox = sp.GetRequiredService<IOptions<NotificationOptions>>().Value.Outbox;
            outbox.Validate();
            return new NpgsqlDataSourceBuilder(outbox.ConnectionString).UseLoggerFactory(sp.GetService<ILoggerFactory>()).Build();
        });
        services.AddSingleton(sp => new PostgresNotificationOutbox(
            sp.GetRequiredKeyedService<NpgsqlDataSource>(DataSourceKey),
            sp.GetRequiredService<NotificationComposer>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<INotificationOutbox>(sp => sp.GetRequiredService<PostgresNotificationOutbox>());
        return services.AddDispatcher(sp => sp.GetRequiredService<PostgresNotificationOutbox>());
    }
}

/// <summary>The channels the options turn on, and the HTTP clients they own.</summary>
public sealed class NotificationChannelSet : IDisposable
{
    private readonly List<HttpClient> _clients = [];

    public NotificationChannelSet(IOptions<NotificationOptions> options, TimeProvider time, ILoggerFactory loggers)
    {
        var o = options.Value;
        var channels = new List<INotificationChannel>();
        if (o.Sms?.Url is not null)
        {
            channels.Add(new WebhookChannel(ChannelKind.Sms, NewClient(), o.Sms, time, loggers.CreateLogger<WebhookChannel>()));
        }

        if (o.Push?.Url is not null)
        {
            channels.Add(new WebhookChannel(ChannelKind.Push, NewClient(), o.Push, time, loggers.CreateLogger<WebhookChannel>()));
        }

        if (!string.IsNullOrWhiteSpace(o.Smtp?.Host))
        {
            channels.Add(new SmtpChannel(o.Smtp, time, loggers.CreateLogger<SmtpChannel>()));
        }

        if (o.LogChannel)
        {
            channels.Add(new LogChannel(loggers.CreateLogger<LogChannel>()));
        }

        Channels = channels;
    }

    /// <summary>The configured channels, one per kind.</summary>
    public IReadOnlyList<INotificationChannel> Channels { get; }

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }

    private HttpClient NewClient()
    {
        // A long-lived client must still notice DNS changes of the gateway: recycle pooled connections.
        var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("PrepaidPower-Notifications/1.0");
        _clients.Add(client);
        return client;
    }
}
