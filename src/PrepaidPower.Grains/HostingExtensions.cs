using Microsoft.Extensions.DependencyInjection;
using PrepaidPower.Grains.Calendar;
using PrepaidPower.Grains.Concentrators;
using PrepaidPower.Grains.Tariffs;

namespace PrepaidPower.Grains;

/// <summary>Registers what the PrepaidPower grains need in a silo (the ledger store and storage providers come from the host).</summary>
public static class HostingExtensions
{
    /// <summary>
    /// Adds the grain options, the silo-local tariff and protection-calendar caches and the device profile catalog of the
    /// concentrator grains. The silo must also register an <see cref="Domain.Ledger.ILedgerStore"/>, grain storage named
    /// <see cref="PrepaidPowerGrainOptions.AccountStorage"/> and <see cref="PrepaidPowerGrainOptions.MeterStorage"/> plus
    /// a default one (tariffs, protection calendars, concentrators), a reminder service, and a stream provider named
    /// <see cref="Contracts.Accounts.AccountEventStream.ProviderName"/>.
    /// </summary>
    public static ISiloBuilder AddPrepaidPowerGrains(this ISiloBuilder builder, Action<PrepaidPowerGrainOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<PrepaidPowerGrainOptions>().Configure(o => configure?.Invoke(o));
        builder.Services.AddSingleton<TariffCache>();
        builder.Services.AddSingleton<ProtectionCalendarCache>();
        builder.Services.AddOptions<ConcentratorOptions>();
        builder.Services.AddSingleton<DeviceProfileCatalog>();
        return builder;
    }

    /// <summary>Settings of the concentrator grains: profile folder, timeouts, back-pressure, health thresholds.</summary>
    public static ISiloBuilder ConfigureConcentrators(this ISiloBuilder builder, Action<ConcentratorOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<ConcentratorOptions>().Configure(configure);
        return builder;
    }
}
