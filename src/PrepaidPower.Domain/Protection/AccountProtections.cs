namespace PrepaidPower.Domain.Protection;

/// <summary>
/// The per-account protections in force: at most one of each kind, so account state stays small.
/// Adding a protection of a kind replaces the previous one. <see cref="None"/> is the empty set.
/// </summary>
public sealed record AccountProtections
{
    public static readonly AccountProtections None = new();

    public AccountProtection? KeepSupplyOn { get; init; }

    public AccountProtection? Medical { get; init; }

    public AccountProtection? WeatherHold { get; init; }

    public bool IsEmpty => KeepSupplyOn is null && Medical is null && WeatherHold is null;

    /// <summary>All protections held, in precedence order.</summary>
    public IEnumerable<AccountProtection> All()
    {
        if (KeepSupplyOn is not null)
        {
            yield return KeepSupplyOn;
        }
        if (Medical is not null)
        {
            yield return Medical;
        }
        if (WeatherHold is not null)
        {
            yield return WeatherHold;
        }
    }

    public AccountProtection? Get(ProtectionKind kind) => kind switch
    {
        ProtectionKind.KeepSupplyOn => KeepSupplyOn,
        ProtectionKind.Medical => Medical,
        ProtectionKind.WeatherHold => WeatherHold,
        _ => null,
    };

    /// <summary>This set with <paramref name="protection"/> replacing any protection of the same kind.</summary>
    public AccountProtections With(AccountProtection protection) => protection.Kind switch
    {
        ProtectionKind.KeepSupplyOn => this with { KeepSupplyOn = protection },
        ProtectionKind.Medical => this with { Medical = protection },
        ProtectionKind.WeatherHold => this with { WeatherHold = protection },
        _ => throw new ArgumentException($"{protection.Kind} is a calendar protection, not an account protection.", nameof(protection)),
    };

    /// <summary>This set without the protection of <paramref name="kind"/>.</summary>
    public AccountProtections Without(ProtectionKind kind) => kind switch
    {
        ProtectionKind.KeepSupplyOn => this with { KeepSupplyOn = null },
        ProtectionKind.Medical => this with { Medical = null },
        ProtectionKind.WeatherHold => this with { WeatherHold = null },
        _ => throw new ArgumentException($"{kind} is a calendar protection, not an account protection.", nameof(kind)),
    };

    /// <summary>This set without protections that have ended at <paramref name="now"/> (returns this when nothing ended).</summary>
    public AccountProtections Pruned(DateTimeOffset now)
    {
        var result = this;
        foreach (var p in All())
        {
            if (!p.CoversAt(now))
            {
                result = result.Without(p.Kind);
            }
        }
        return result;
    }
}
