using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace PrepaidPower.Domain;

/// <summary>
/// An amount of money: a signed whole number of the currency's minor unit (fen, pence) with its currency.
/// Range: <see cref="long"/> minor units; arithmetic is overflow-checked and refuses to mix currencies.
/// Money never holds fractions of a minor unit: exact (sub-minor) charges live in <see cref="ChargeAccumulator"/>
/// until they are posted. <c>default(Money)</c> has no currency and is rejected by every operator.
/// </summary>
public readonly struct Money : IEquatable<Money>, IComparable<Money>
{
    private Money(long minor, Currency currency)
    {
        MinorUnits = minor;
        Currency = currency;
    }

    /// <summary>The amount in minor units (e.g. 15410 for 154.10 CNY).</summary>
    public long MinorUnits { get; }

    public Currency Currency { get; }

    public bool IsZero => MinorUnits == 0;

    public bool IsNegative => MinorUnits < 0;

    public bool IsPositive => MinorUnits > 0;

    public static Money Zero(Currency currency) => FromMinor(0, currency);

    /// <exception cref="ArgumentException">The currency is <c>default</c>.</exception>
    public static Money FromMinor(long minorUnits, Currency currency)
    {
        if (!currency.IsDefined)
        {
            throw new ArgumentException("Money needs a currency.", nameof(currency));
        }
        return new Money(minorUnits, currency);
    }

    /// <summary>An amount in major units (154.10) that must be exact in the minor unit.</summary>
    /// <exception cref="ArgumentException">More decimals than the currency has, or no currency.</exception>
    /// <exception cref="OverflowException">Outside the range of <see cref="long"/> minor units.</exception>
    public static Money FromMajor(decimal amount, Currency currency)
    {
        if (!currency.IsDefined)
        {
            throw new ArgumentException("Money needs a currency.", nameof(currency));
        }
        var minor = amount * currency.MinorPerMajor;
        if (minor != decimal.Truncate(minor))
        {
            throw new ArgumentException(
                $"{amount.ToString(CultureInfo.InvariantCulture)} has more than {currency.MinorDigits} decimals, the most {currency.Code} allows.",
                nameof(amount));
        }
        return new Money(decimal.ToInt64(minor), currency);
    }

    /// <summary>Parses "154.10" (invariant culture, no exponent, no thousands separators) in the given currency.</summary>
    public static bool TryParse(string? text, Currency currency, out Money money, [NotNullWhen(false)] out string? error)
    {
        money = default;
        if (!currency.IsDefined)
        {
            error = "no currency given";
            return false;
        }
        if (string.IsNullOrWhiteSpace(text)
            || !decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            error = $"'{text}' is not an amount; write it like 12.34";
            return false;
        }
        try
        {
            money = FromMajor(value, currency);
            error = null;
            return true;
        }
        catch (ArgumentException e)
        {
            error = e.Message;
            return false;
        }
        catch (OverflowException)
        {
            error = $"'{text}' is too large";
            return false;
        }
    }

    /// <summary>The amount in major units, exactly.</summary>
    public decimal ToMajor() => (decimal)MinorUnits / Currency.MinorPerMajor;

    /// <summary>The amount with exactly the currency's decimals and no currency code: "154.10".</summary>
    public string ToAmountString() =>
        ToMajor().ToString("F" + Currency.MinorDigits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    public override string ToString() => $"{ToAmountString()} {Currency}";

    public static Money operator +(Money a, Money b)
    {
        var c = SameCurrency(a, b);
        return new Money(checked(a.MinorUnits + b.MinorUnits), c);
    }

    public static Money operator -(Money a, Money b)
    {
        var c = SameCurrency(a, b);
        return new Money(checked(a.MinorUnits - b.MinorUnits), c);
    }

    public static Money operator -(Money a)
    {
        Defined(a);
        return new Money(checked(-a.MinorUnits), a.Currency);
    }

    public static Money Min(Money a, Money b) => SameCurrency(a, b) == a.Currency && a.MinorUnits <= b.MinorUnits ? a : b;

    public static Money Max(Money a, Money b) => SameCurrency(a, b) == a.Currency && a.MinorUnits >= b.MinorUnits ? a : b;

    public static bool operator <(Money a, Money b) => a.CompareTo(b) < 0;

    public static bool operator >(Money a, Money b) => a.CompareTo(b) > 0;

    public static bool operator <=(Money a, Money b) => a.CompareTo(b) <= 0;

    public static bool operator >=(Money a, Money b) => a.CompareTo(b) >= 0;

    public static bool operator ==(Money a, Money b) => a.Equals(b);

    public static bool operator !=(Money a, Money b) => !a.Equals(b);

    /// <exception cref="InvalidOperationException">The currencies differ.</exception>
    public int CompareTo(Money other)
    {
        SameCurrency(this, other);
        return MinorUnits.CompareTo(other.MinorUnits);
    }

    public bool Equals(Money other) => MinorUnits == other.MinorUnits && Currency == other.Currency;

    public override bool Equals([NotNullWhen(true)] object? obj) => obj is Money other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(MinorUnits, Currency);

    private static void Defined(Money a)
    {
        if (!a.Currency.IsDefined)
        {
            throw new InvalidOperationException("Money without a currency (default) cannot be used.");
        }
    }

    private static Currency SameCurrency(Money a, Money b)
    {
        Defined(a);
        Defined(b);
        if (a.Currency != b.Currency)
        {
            throw new InvalidOperationException($"Cannot combine {a.Currency} with {b.Currency}.");
        }
        return a.Currency;
    }
}
