namespace PrepaidPower.Domain;

/// <summary>
/// How an exact charge is rounded to the currency's minor unit when it is posted. A tariff setting
/// (<c>"rounding"</c> in the tariff JSON); the default is <see cref="HalfUp"/>, the commercial rounding most
/// utilities print on bills.
/// </summary>
public enum MoneyRounding
{
    /// <summary>Nearest; halves away from zero (0.005 → 0.01, −0.005 → −0.01).</summary>
    HalfUp = 0,

    /// <summary>Nearest; halves to the even neighbour (banker's rounding: 0.005 → 0.00, 0.015 → 0.02).</summary>
    HalfEven = 1,

    /// <summary>Toward zero (truncate): the customer is never charged a part-unit in advance.</summary>
    Down = 2,

    /// <summary>Away from zero.</summary>
    Up = 3,
}

public static class MoneyRoundingExtensions
{
    /// <summary>Rounds a value to a whole number with this mode.</summary>
    public static decimal RoundToInteger(this MoneyRounding mode, decimal value) => mode switch
    {
        MoneyRounding.HalfUp => Math.Round(value, 0, MidpointRounding.AwayFromZero),
        MoneyRounding.HalfEven => Math.Round(value, 0, MidpointRounding.ToEven),
        MoneyRounding.Down => decimal.Truncate(value),
        MoneyRounding.Up => value >= 0 ? decimal.Ceiling(value) : decimal.Floor(value),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown rounding mode."),
    };
}
