// The composition root: one process = an Orleans silo + the REST API + the Orleans dashboard. It only composes;
// every piece is configured in its own Add…/Use…/Map… extension.
using System.Net;
using Orleans.Dashboard;
using PrepaidPower.Host.Api;
using PrepaidPower.Host.Errors;
using PrepaidPower.Host.Hosting;
using PrepaidPower.Host.Limits;
using PrepaidPower.Host.Security;

namespace PrepaidPower.Host;

/// <summary>Starts and runs a PrepaidPower host. <see cref="RunAsync"/> is what <c>prepaidpower run</c> calls.</summary>
public static class PrepaidPowerHost
{
    /// <summary>Starts the host, prints where to find it, runs until <paramref name="cancellationToken"/> fires, then stops cleanly.</summary>
    /// <returns>The process exit code: 0 after a clean stop.</returns>
    public static async Task<int> RunAsync(PrepaidPowerHostOptions options, CancellationToken cancellationToken, TextWriter? output = null)
    {
        output ??= Console.Out;
        await using var host = await StartAsync(options, cancellationToken);
        await output.WriteLineAsync(Welcome.Text(host));
        await host.WaitForShutdownAsync(cancellationToken);
        await output.WriteLineAsync("Stopping…");
        await host.StopAsync();
        await output.WriteLineAsync("Stopped.");
        return 0;
    }

    /// <summary>Starts the host and returns once the silo is up and the API answers. Dispose the result to stop it.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public static async Task<PrepaidPowerRunningHost> StartAsync(PrepaidPowerHostOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var builder = CreateBuilder(options);
        var devKey = await UseDevelopmentKeyIfNoneAsync(builder, options, cancellationToken);
        // Lives as long as the host: the managed PostgreSQL logs through it until it stops.
        var bootLoggers = LoggerFactory.Create(l => l.AddConfiguration(builder.Configuration.GetSection("Logging")).AddConsole());
        var bootLog = bootLoggers.CreateLogger("PrepaidPower.Host");
        if (options.Storage == StorageMode.InMemory)
        {
            await Console.Error.WriteLineAsync(InMemoryBanner.Text);
            HostLog.InMemoryMode(bootLog);
        }

        HostStorage storage;
        try
        {
            storage = await HostStorage.PrepareAsync(options, bootLog, cancellationToken);
        }
        catch
        {
            bootLoggers.Dispose();
            throw;
        }

        WebApplication? app = null;
        PrepaidPowerRunningHost? host = null;
        try
        {
            var ports = HostPorts.Resolve(options);
            app = Compose(builder, options, storage, ports);
            await app.StartAsync(cancellationToken);
            host = new PrepaidPowerRunningHost(app, storage, bootLoggers, options, ports, devKey);
            await host.AfterStartAsync(cancellationToken);
            return host;
        }
        catch
        {
            // Leave nothing running behind a failed start: the host owns app and storage once it exists.
            if (host is not null)
            {
                await host.StopAsync();
            }
            else
            {
                if (app is not null)
                {
                    await app.DisposeAsync();
                }

                await storage.DisposeAsync();
                bootLoggers.Dispose();
            }

            throw;
        }
    }

    /// <summary>The table of contents: what the process is made of, in order.</summary>
    private static WebApplication Compose(WebApplicationBuilder builder, PrepaidPowerHostOptions options, HostStorage storage, HostPorts ports)
    {
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Parse(options.HttpAddress), ports.Http));
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        builder.AddPrepaidPowerSilo(options, storage, ports);
        builder.AddLedgerStore(storage);
        builder.AddCustomerNotifications(storage);
        builder.AddCityClock(options);
        builder.AddApiKeyAuthentication();
        builder.AddApiLimits();
        builder.AddProblemResponses();
        builder.AddApiDocument();

        var app = builder.Build();
        app.UseProblemResponses();
        app.UseRouting();
        app.UseEndpointBodyLimits();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();

        app.MapOpenApi().AllowAnonymous();
        app.MapPrepaidPowerApi();
        app.MapOrleansDashboard(routePrefix: "/dashboard").RequireAuthorization(ApiPolicies.Operate);
        return app;
    }

    private static WebApplicationBuilder CreateBuilder(PrepaidPowerHostOptions options)
    {
        // Shipped defaults sit beside the binaries; a working-directory appsettings.json and PREPAIDPOWER_* variables override them.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        builder.Configuration.AddJsonFile(Path.Combine(Path.GetFullPath(options.WorkingDirectory), "appsettings.json"), optional: true, reloadOnChange: false);
        builder.Configuration.AddEnvironmentVariables("PREPAIDPOWER_");
        builder.Configuration.AddInMemoryCollection(options.Configuration);
        return builder;
    }

    private static async Task<DevelopmentApiKey?> UseDevelopmentKeyIfNoneAsync(WebApplicationBuilder builder, PrepaidPowerHostOptions options, CancellationToken cancellationToken)
    {
        if (builder.Configuration.GetSection($"{ApiKeyOptions.Section}:ApiKeys").GetChildren().Any())
        {
            return null;
        }

        var key = await DevelopmentApiKey.LoadOrCreateAsync(options.StateDirectory, cancellationToken);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{ApiKeyOptions.Section}:ApiKeys:{DevelopmentApiKey.KeyName}:Key"] = key.Key,
            [$"{ApiKeyOptions.Section}:ApiKeys:{DevelopmentApiKey.KeyName}:Role"] = nameof(ApiRole.Operator),
        });
        return key;
    }
}
