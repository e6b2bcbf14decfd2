using PrepaidPower.Domain.Tariffs;

namespace PrepaidPower.Domain.Tests.Tariffs;

/// <summary>Loads the sample tariffs copied next to the test assembly (samples/tariffs/*.json).</summary>
internal static class Samples
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "samples", "tariffs", name + ".json");

    public static Tariff Load(string name) => TariffLoader.LoadFile(PathOf(name));

    public static Tariff ShanghaiTou { get; } = Load("shanghai-residential-tou");

    public static Tariff Shanghai { get; } = Load("shanghai-residential");

    public static Tariff Uk { get; } = Load("uk-prepayment-single-rate");

    public static Tariff Commercial { get; } = Load("commercial-four-band");

    public static readonly TimeSpan China = TimeSpan.FromHours(8);

    /// <summary>An instant given as Shanghai local time (UTC+8, no DST).</summary>
    public static DateTimeOffset Cn(int y, int mo, int d, int h = 0, int mi = 0) => new(y, mo, d, h, mi, 0, China);

    /// <summary>An instant given as UTC.</summary>
    public static DateTimeOffset Utc(int y, int mo, int d, int h = 0, int mi = 0) => new(y, mo, d, h, mi, 0, TimeSpan.Zero);
}
