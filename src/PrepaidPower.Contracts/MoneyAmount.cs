using System.Globalization;
using PrepaidPower.Contracts.Errors;
using PrepaidPower.Domain;

namespace PrepaidPower.Contracts;

/// <summary>
/// An amount of money as it crosses grain and API boundaries: signed minor units (fen, pence) and an ISO 4217 code.
/// <c>default</c> has no currency and is never valid in a request.
/// </summary>
[GenerateSerializer, Alias("pp.MoneyAmount")]
public readonly record struct MoneyAmount
{
    public MoneyAmount(long minor, string currency)
    {
        Minor = minor;
        Currency = currency;
    }

    /// <summary>Signed minor units of <see cref="Currency"/>.</summary>
    [Id(0)]
    public long Minor { get; init; }

    /// <summary>ISO 4217 code in upper case, e.g. "CNY".</summary>
    [Id(1)]
    public string Currency { get; init; }

    /// <summary>The amount in major units with exactly the currency's decimals, e.g. "154.10" (invariant culture).</summary>
    public string Amount => ToMoney().ToAmountString();

    public static MoneyAmount From(Money money) => new(money.MinorUnits, money.Currency.Code);

    /// <summary>The domain value.</summary>
    /// <exception cref="InvalidRequestException">Unknown currency.</exception>
    public Money ToMoney() =>
        Domain.Currency.TryFromCode(Currency, out var c)
            ? Money.FromMinor(Minor, c)
            : throw new InvalidRequestException(ErrorCodes.WrongCurrency, $"'{Currency}' is not a known ISO 4217 currency code; use an upper-case code such as CNY or GBP.");

    /// <summary>
    /// Parses an amount in major units ("12.50") for a currency, as an API receives it; rejects more decimals than
    /// the currency has, a malformed number or an unknown currency.
    /// </summary>
    /// <exception cref="InvalidRequestException">What was wrong and what to send instead.</exception>
    public static MoneyAmount Parse(string? amount, string? currency)
    {
        if (!Domain.Currency.TryFromCode(currency, out var c))
        {
            throw new InvalidRequestException(ErrorCodes.WrongCurrency, $"'{currency}' is not a known ISO 4217 currency code; use an upper-case code such as CNY or GBP.");
        }
        if (Money.TryParse(amount, c, out var money, out var error))
        {
            return From(money);
        }
        var code = amount is not null && amount.Contains('.', StringComparison.Ordinal)
            && amount.Length - amount.IndexOf('.', StringComparison.Ordinal) - 1 > c.MinorDigits
            ? ErrorCodes.TooManyDecimals
            : ErrorCodes.InvalidAmount;
        throw new InvalidRequestException(code, $"Amount '{amount}' is not valid for {c.Code}: {error} Send at most {c.MinorDigits.ToString(CultureInfo.InvariantCulture)} decimals, e.g. \"12.50\".");
    }

    public override string ToString() => $"{Minor.ToString(CultureInfo.InvariantCulture)} minor {Currency}";
}
