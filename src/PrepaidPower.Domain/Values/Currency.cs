using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace PrepaidPower.Domain;

/// <summary>
/// An ISO 4217 currency with the number of decimals of its minor unit (CNY 2 = fen, GBP 2 = pence, JPY 0, KWD 3).
/// Only currencies in <see cref="Known"/> can be constructed; <c>default(Currency)</c> is "no currency" and is
/// rejected by every <see cref="Money"/> operation.
/// </summary>
public readonly struct Currency : IEquatable<Currency>
{
    private static readonly FrozenDictionary<string, Currency> Table = new Currency[]
    {
        new("CNY", 2), new("GBP", 2), new("EUR", 2), new("USD", 2), new("ZAR", 2), new("KES", 2), new("NGN", 2),
        new("INR", 2), new("HKD", 2), new("AUD", 2), new("CAD", 2), new("CHF", 2), new("SGD", 2), new("GHS", 2),
        new("UGX", 0), new("JPY", 0), new("KRW", 0), new("KWD", 3), new("BHD", 3), new("OMR", 3),
    }.ToFrozenDictionary(c => c.Code, StringComparer.Ordinal);

    private Currency(string code, byte minorDigits)
    {
        Code = code;
        MinorDigits = minorDigits;
    }

    /// <summary>Three upper-case letters, e.g. "CNY"; null only for <c>default</c>.</summary>
    public string Code { get; }

    /// <summary>Decimals of the minor unit (0–3).</summary>
    public byte MinorDigits { get; }

    /// <summary>Minor units in one major unit: 10^<see cref="MinorDigits"/>.</summary>
    public long MinorPerMajor => MinorDigits switch { 0 => 1, 1 => 10, 2 => 100, _ => 1000 };

    /// <summary>True for every currency except <c>default</c>.</summary>
    public bool IsDefined => Code is not null;

    public static IEnumerable<Currency> Known => Table.Values;

    public static readonly Currency CNY = Table["CNY"];
    public static readonly Currency GBP = Table["GBP"];
    public static readonly Currency EUR = Table["EUR"];
    public static readonly Currency USD = Table["USD"];

    /// <summary>Looks up an ISO 4217 code (exact, upper case).</summary>
    public static bool TryFromCode(string? code, out Currency currency)
    {
        if (code is not null && Table.TryGetValue(code, out currency))
        {
            return true;
        }
        currency = default;
        return false;
    }

    /// <exception cref="ArgumentException">The code is not a supported ISO 4217 currency.</exception>
    public static Currency FromCode(string code) =>
        TryFromCode(code, out var c)
            ? c
            : throw new ArgumentException(
                $"Unknown currency '{code}'. Use an ISO 4217 code in upper case, one of: {string.Join(", ", Table.Keys.Order(StringComparer.Ordinal))}.",
                nameof(code));

    public bool Equals(Currency other) => string.Equals(Code, other.Code, StringComparison.Ordinal);

    public override bool Equals([NotNullWhen(true)] object? obj) => obj is Currency other && Equals(other);

    public override int GetHashCode() => Code is null ? 0 : StringComparer.Ordinal.GetHashCode(Code);

    public override string ToString() => Code ?? "(no currency)";

    public static bool operator ==(Currency left, Currency right) => left.Equals(right);

    public static bool operator !=(Currency left, Currency right) => !left.Equals(right);
}
