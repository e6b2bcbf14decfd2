using PrepaidPower.Grains;
using PrepaidPower.Grains.Concentrators;

namespace PrepaidPower.Host.Hosting;

/// <summary>
/// <c>builder.AddCityClock(options)</c>: with a simulated city, the grains' domain clock runs at the city's speed (an
/// <see cref="AcceleratedTimeProvider"/> starting now), so rating, protected windows and deadlines follow city time.
/// </summary>
internal static class CityClockHostingExtensions
{
    public static WebApplicationBuilder AddCityClock(this WebApplicationBuilder builder, PrepaidPowerHostOptions options)
    {
        if (options.CityMeters == 0)
        {
            return builder;
        }
        var clock = new AcceleratedTimeProvider(TimeProvider.System.GetUtcNow(), options.CitySpeed, TimeProvider.System);
        builder.Services.AddSingleton(clock);
        builder.Services.AddOptions<PrepaidPowerGrainOptions>().Configure(o => o.Time = clock);
        builder.Services.AddOptions<ConcentratorOptions>().Configure(o => o.ClockRate = options.CitySpeed);
        return builder;
    }
}
