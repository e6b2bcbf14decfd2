using System.Globalization;
using PrepaidPower.Contracts;
using PrepaidPower.Contracts.Errors;
using PrepaidPower.Host.Errors;

namespace PrepaidPower.Host.Api.Money;

/// <summary>What the API accepts as an amount of money from outside, checked before any grain is called.</summary>
internal static class AmountRules
{
    /// <summary>Parses and checks an amount: the currency's decimals, not zero, positive unless <paramref name="allowNegative"/>, at most <paramref name="maxMajor"/>.</summary>
    public static MoneyAmount Parse(string amount, string currency, decimal maxMajor, bool allowNegative)
    {
        MoneyAmount money;
        try
        {
            money = MoneyAmount.Parse(amount, currency);
        }
        catch (InvalidRequestException e)
        {
            throw ApiRequestException.BadRequest(e.Code == ErrorCodes.WrongCurrency ? "currency" : "amount", e.Message, e.Code);
        }

        if (money.Minor == 0)
        {
            throw ApiRequestException.BadRequest("amount", $"The amount is zero; send a non-zero amount such as \"100.00\".", ErrorCodes.InvalidAmount);
        }

        if (money.Minor < 0 && !allowNegative)
        {
            throw ApiRequestException.BadRequest("amount", $"The amount {amount} is negative; send a positive amount (a refund takes a positive amount and lowers the balance).", ErrorCodes.InvalidAmount);
        }

        var major = Math.Abs(money.ToMoney().ToMajor());
        if (major > maxMajor)
        {
            throw ApiRequestException.BadRequest(
                "amount",
                $"The amount {amount} {currency} is above the largest single payment this system accepts ({maxMajor.ToString(CultureInfo.InvariantCulture)}); check for a typo, or split it.",
                ErrorCodes.AmountTooLarge);
        }

        return money;
    }
}
