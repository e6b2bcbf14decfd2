using PrepaidPower.Notifications;

namespace PrepaidPower.Host.Hosting;

/// <summary>
/// <c>builder.AddCustomerNotifications(storage)</c>: the outbox the account notifier grains write to and the dispatcher
/// that sends it over the channels configured in the <c>Notifications</c> section — the PostgreSQL outbox on the host's
/// database, or the in-memory one in the quick-look mode.
/// </summary>
internal static class NotificationsHostingExtensions
{
    public static WebApplicationBuilder AddCustomerNotifications(this WebApplicationBuilder builder, HostStorage storage)
    {
        var section = builder.Configuration.GetSection("Notifications");
        if (storage.ConnectionString is null)
        {
            builder.Services.AddPrepaidPowerNotificationsInMemory(section);
            return builder;
        }
        builder.Services.AddPrepaidPowerNotifications(section);
        // The outbox lives in the host's database unless the section names another one.
        builder.Services.PostConfigure<NotificationOptions>(o =>
        {
            if (string.IsNullOrWhiteSpace(o.Outbox.ConnectionString))
            {
                o.Outbox.ConnectionString = storage.ConnectionString;
            }
        });
        return builder;
    }
}
