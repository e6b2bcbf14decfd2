namespace PrepaidPower.Host.Hosting;

/// <summary>The host's own log lines.</summary>
internal static partial class HostLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "IN-MEMORY MODE: nothing is saved; every account, payment and reading is lost when this process stops")]
    public static partial void InMemoryMode(ILogger logger);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "PrepaidPower instance {Instance} of cluster {ClusterId} listening on {Url} (silo port {SiloPort}, gateway port {GatewayPort}); storage: {Storage}")]
    public static partial void Started(ILogger logger, int instance, string clusterId, Uri url, int siloPort, int gatewayPort, string storage);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "No API keys configured: using the development operator key stored in {File}")]
    public static partial void DevelopmentKey(ILogger logger, string file);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Stopping PrepaidPower instance {Instance}")]
    public static partial void Stopping(ILogger logger, int instance);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Seeded sample tariff {TariffId} from {File}")]
    public static partial void SeededTariff(ILogger logger, string tariffId, string file);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "No samples folder found (looked beside the binaries and up from {WorkingDirectory}); nothing seeded")]
    public static partial void NoSamples(ILogger logger, string workingDirectory);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Sample tariff {File} was not seeded: {Reason}")]
    public static partial void SeedFailed(ILogger logger, string file, string reason);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "Simulated city started: {Meters} meters behind {Concentrators} concentrators (ids {Prefix}-…), simulated time at {Acceleration}× real time")]
    public static partial void CityStarted(ILogger logger, int meters, int concentrators, string prefix, double acceleration);
}
