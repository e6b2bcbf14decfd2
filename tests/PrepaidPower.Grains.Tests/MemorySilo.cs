using PrepaidPower.Contracts.Accounts;

namespace PrepaidPower.Grains.Tests;

/// <summary>The in-memory parts every test cluster's silos share.</summary>
internal static class MemorySilo
{
    /// <summary>Memory grain storage (default, accounts, meters, PubSubStore), memory account streams, in-memory reminders.</summary>
    public static ISiloBuilder UseMemoryParts(this ISiloBuilder siloBuilder) =>
        siloBuilder
            .AddMemoryGrainStorageAsDefault()
            .AddMemoryGrainStorage(PrepaidPowerGrainOptions.AccountStorage)
            .AddMemoryGrainStorage(PrepaidPowerGrainOptions.MeterStorage)
            .AddMemoryGrainStorage("PubSubStore")
            .AddMemoryStreams(AccountEventStream.ProviderName)
            .UseInMemoryReminderService();
}
