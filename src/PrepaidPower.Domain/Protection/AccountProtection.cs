namespace PrepaidPower.Domain.Protection;

/// <summary>
/// A per-account protection from arrears cuts that lasts until <see cref="Until"/> (exclusive, UTC).
/// Only the three account kinds exist here (<see cref="ProtectionKind.KeepSupplyOn"/>, <see cref="ProtectionKind.Medical"/>,
/// <see cref="ProtectionKind.WeatherHold"/>); build one with the factories, which validate.
/// </summary>
public sealed record AccountProtection
{
    /// <summary>Longest reason, operator id or region kept in account state (the full record belongs in the audit log).</summary>
    public const int MaxTextLength = 200;

    private AccountProtection(ProtectionKind kind, DateTimeOffset until, string reason, string? operatorId, string? region)
    {
        Kind = kind;
        Until = until.ToUniversalTime();
        Reason = reason;
        OperatorId = operatorId;
        Region = region;
    }

    public ProtectionKind Kind { get; }

    /// <summary>The protection ends at this instant (exclusive), in UTC.</summary>
    public DateTimeOffset Until { get; }

    public string Reason { get; }

    /// <summary>The operator who granted a keep-supply-on override; null for other kinds unless given.</summary>
    public string? OperatorId { get; }

    /// <summary>The region of a weather hold; null for other kinds.</summary>
    public string? Region { get; }

    /// <summary>An operator's "keep supply on" override until <paramref name="until"/>.</summary>
    /// <exception cref="ArgumentException">Blank or over-long reason or operator.</exception>
    public static AccountProtection KeepSupplyOn(DateTimeOffset until, string reason, string operatorId) =>
        new(ProtectionKind.KeepSupplyOn, until, Text(reason, nameof(reason)), Text(operatorId, nameof(operatorId)), null);

    /// <summary>Medical or vulnerability protection until <paramref name="until"/> (e.g. certificate expiry).</summary>
    /// <exception cref="ArgumentException">Blank or over-long reason.</exception>
    public static AccountProtection Medical(DateTimeOffset until, string reason) =>
        new(ProtectionKind.Medical, until, Text(reason, nameof(reason)), null, null);

    /// <summary>A weather hold for <paramref name="region"/> until <paramref name="until"/>.</summary>
    /// <exception cref="ArgumentException">Blank or over-long region or reason.</exception>
    public static AccountProtection WeatherHold(DateTimeOffset until, string region, string reason) =>
        new(ProtectionKind.WeatherHold, until, Text(reason, nameof(reason)), null, Text(region, nameof(region)));

    /// <summary>True when the protection still covers <paramref name="instant"/>.</summary>
    public bool CoversAt(DateTimeOffset instant) => instant < Until;

    private static string Text(string? value, string name)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"A protection needs a {name}; it is recorded for audit.", name);
        }
        var trimmed = value.Trim();
        return trimmed.Length <= MaxTextLength
            ? trimmed
            : throw new ArgumentException($"The protection's {name} is {trimmed.Length} characters; at most {MaxTextLength} are kept.", name);
    }
}
