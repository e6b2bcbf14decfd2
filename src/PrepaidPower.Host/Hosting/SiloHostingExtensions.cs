// The Orleans silo inside the host: cluster identity, endpoints, storage per mode, and the dashboard.
using System.Net;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Dashboard;
using PrepaidPower.Contracts.Accounts;
using PrepaidPower.Grains;
using PrepaidPower.Host.Limits;
using PrepaidPower.Persistence.Orleans;

namespace PrepaidPower.Host.Hosting;

/// <summary><c>builder.AddPrepaidPowerSilo(options, storage, ports)</c>: the grains with their storage, reminders, event stream and the dashboard.</summary>
internal static class SiloHostingExtensions
{
    public static WebApplicationBuilder AddPrepaidPowerSilo(this WebApplicationBuilder builder, PrepaidPowerHostOptions options, HostStorage storage, HostPorts ports)
    {
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = options.ClusterId;
                o.ServiceId = options.ServiceId;
            });

            if (storage.ConnectionString is null)
            {
                // One silo per process; "localhost clustering" is Orleans' in-memory membership.
                silo.UseLocalhostClustering(ports.Silo, ports.Gateway, serviceId: options.ServiceId, clusterId: options.ClusterId);
                silo.AddMemoryGrainStorageAsDefault();
                foreach (var name in new PrepaidPowerPostgresOptions().StorageNames)
                {
                    silo.AddMemoryGrainStorage(name);
                }

                silo.UseInMemoryReminderService();
            }
            else
            {
                silo.ConfigureEndpoints(IPAddress.Loopback, ports.Silo, ports.Gateway, listenOnAnyHostAddress: false);
                silo.UsePrepaidPowerPostgres(storage.ConnectionString);
            }

            // Account events: memory streams (not durable; the notification outbox is what must not lose a message).
            silo.AddMemoryStreams(AccountEventStream.ProviderName);
            silo.AddMemoryGrainStorage("PubSubStore");
            silo.AddPrepaidPowerGrains();
            silo.Services.AddOptions<PrepaidPowerGrainOptions>().Configure<IOptions<ApiLimitsOptions>>(
                (grains, limits) => grains.MaxPaymentMajor = limits.Value.MaxAmount);
            silo.AddDashboard();
        });
        return builder;
    }
}
