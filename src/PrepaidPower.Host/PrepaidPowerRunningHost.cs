using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using PrepaidPower.Host.Hosting;
using PrepaidPower.Host.Security;
using PrepaidPower.Host.Seeding;

namespace PrepaidPower.Host;

/// <summary>A started host: where it listens, what it runs on, and how to stop it. Disposing stops it.</summary>
public sealed class PrepaidPowerRunningHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HostStorage _storage;
    private readonly ILoggerFactory _bootLoggers;
    private readonly ILogger _logger;
    private int _stopped;
    private PrepaidPower.Simulator.RunningSimulator? _city;
    private readonly CancellationTokenSource _cityPayments = new();
    private Task _cityPaying = Task.CompletedTask;

    internal PrepaidPowerRunningHost(WebApplication app, HostStorage storage, ILoggerFactory bootLoggers, PrepaidPowerHostOptions options, HostPorts ports, DevelopmentApiKey? developmentKey)
    {
        _app = app;
        _storage = storage;
        _bootLoggers = bootLoggers;
        Options = options;
        DevelopmentKey = developmentKey;
        SiloPort = ports.Silo;
        GatewayPort = ports.Gateway;
        _logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("PrepaidPower.Host");
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
    }

    /// <summary>The API's root, e.g. http://127.0.0.1:5080/.</summary>
    public Uri BaseAddress { get; }

    public Uri DashboardUrl => new(BaseAddress, "dashboard/");

    public Uri OpenApiUrl => new(BaseAddress, "openapi/v1.json");

    public int SiloPort { get; }

    public int GatewayPort { get; }

    public PrepaidPowerHostOptions Options { get; }

    public StorageMode Storage => _storage.Mode;

    /// <summary>Where the data is, in one line for people.</summary>
    public string StorageDescription => _storage.Description;

    /// <summary>The generated operator key when the configuration has none; null otherwise.</summary>
    public DevelopmentApiKey? DevelopmentKey { get; }

    /// <summary>The sample tariffs uploaded at this start (empty when they were there already).</summary>
    public IReadOnlyList<string> SeededTariffs { get; private set; } = [];

    /// <summary>The live simulated city, when <see cref="PrepaidPowerHostOptions.CityMeters"/> asked for one.</summary>
    public PrepaidPower.Simulator.RunningSimulator? City => _city;

    /// <summary>The host's services (the grain factory, for tests and tools).</summary>
    public IServiceProvider Services => _app.Services;

    internal async Task AfterStartAsync(CancellationToken cancellationToken)
    {
        HostLog.Started(_logger, Options.Instance, Options.ClusterId, BaseAddress, SiloPort, GatewayPort, StorageDescription);
        if (DevelopmentKey is not null)
        {
            HostLog.DevelopmentKey(_logger, DevelopmentKey.File);
        }

        if (Options.SeedSamples)
        {
            SeededTariffs = await SampleSeeder.SeedAsync(_app.Services, Options, _logger, cancellationToken);
        }

        if (Options.CityMeters > 0)
        {
            var grains = _app.Services.GetRequiredService<IGrainFactory>();
            (_city, var prefix) = await CitySeeder.StartAsync(grains, Options, _app.Services.GetRequiredService<AcceleratedTimeProvider>(), _logger, cancellationToken);
            _cityPaying = CitySeeder.PayArrearsAsync(grains, prefix, _city.City.MeterCount, TimeSpan.FromSeconds(30), _logger, _cityPayments.Token);
        }
    }

    /// <summary>Completes when <paramref name="cancellationToken"/> fires or the application is asked to stop.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken)
    {
        var stopping = _app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var a = cancellationToken.Register(() => done.TrySetResult());
        var b = stopping.Register(() => done.TrySetResult());
        return done.Task.ContinueWith(_ => { a.Dispose(); b.Dispose(); }, TaskScheduler.Default);
    }

    /// <summary>Stops the API and the silo (leaving the cluster cleanly), then the managed PostgreSQL if this process runs it. Idempotent.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        HostLog.Stopping(_logger, Options.Instance);
        await _cityPayments.CancelAsync();
        try
        {
            await _cityPaying;
        }
        catch (OperationCanceledException)
        {
            // The payments loop ends this way.
        }

        try
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }
        finally
        {
            if (_city is not null)
            {
                await _city.DisposeAsync();
            }

            await _storage.DisposeAsync();
            _bootLoggers.Dispose();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
