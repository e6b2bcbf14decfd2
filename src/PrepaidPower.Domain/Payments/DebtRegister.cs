using System.Globalization;

namespace PrepaidPower.Domain.Payments;

/// <summary>The period of a time-based debt rate. Days and weeks are local calendar periods in the account's zone.</summary>
public enum DebtPeriod
{
    /// <summary>Due at each local midnight (the start of each calendar day).</summary>
    Day = 1,

    /// <summary>Due at each local Monday 00:00 (the start of each Monday–Sunday week).</summary>
    Week = 2,
}

/// <summary>How a debt is recovered: <see cref="TimeBasedRecovery"/> or <see cref="PaymentBasedRecovery"/>.</summary>
public abstract record DebtRecovery
{
    private protected DebtRecovery()
    {
    }
}

/// <summary>
/// A fixed amount per local day or week, due whether or not the customer tops up (like a standing charge). The account
/// charges the balance for it; what the balance cannot pay stays due and is recovered from the next top-up.
/// </summary>
public sealed record TimeBasedRecovery(Money AmountPerPeriod, DebtPeriod Period) : DebtRecovery;

/// <summary>
/// <see cref="Percent"/> % (0 &lt; p ≤ 100, any decimals) of every top-up, rounded down to the minor unit, and at most
/// <see cref="WeeklyCap"/> per local Monday–Sunday week.
/// </summary>
public sealed record PaymentBasedRecovery(decimal Percent, Money WeeklyCap) : DebtRecovery;

/// <summary>
/// One debt being recovered from an account (arrears carried over, a meter-change debt, a loan). Immutable: every
/// change returns a new register. Small and fixed-size for grain state.
/// <list type="bullet">
/// <item><see cref="Outstanding"/>: what is still owed, ≥ 0, in the account's currency.</item>
/// <item><see cref="DueUnpaid"/> (time-based only): accrued, not yet paid; 0 ≤ DueUnpaid ≤ Outstanding.</item>
/// <item><see cref="CollectedThisWeek"/> and <see cref="WeekStart"/> (payment-based only): taken in the local week
/// starting on Monday <see cref="WeekStart"/>; null before the first collection. 0 ≤ collected ≤ weekly cap.</item>
/// </list>
/// </summary>
public sealed record DebtRegister
{
    private DebtRegister(string id, string label, Money outstanding, DebtRecovery recovery)
    {
        Id = id;
        Label = label;
        Outstanding = outstanding;
        Recovery = recovery;
        DueUnpaid = Money.Zero(outstanding.Currency);
        CollectedThisWeek = Money.Zero(outstanding.Currency);
    }

    /// <summary>Unique within the account (e.g. "time-1", "payment-1").</summary>
    public string Id { get; }

    /// <summary>Shown to the customer, e.g. "Arrears from old meter".</summary>
    public string Label { get; }

    public Money Outstanding { get; private init; }

    public DebtRecovery Recovery { get; }

    public Money DueUnpaid { get; private init; }

    public Money CollectedThisWeek { get; private init; }

    /// <summary>The local Monday of the week <see cref="CollectedThisWeek"/> counts; null before the first collection.</summary>
    public DateOnly? WeekStart { get; private init; }

    public Currency Currency => Outstanding.Currency;

    public bool IsCleared => Outstanding.IsZero;

    /// <summary>A debt recovered at a fixed amount per local day or week.</summary>
    /// <exception cref="ArgumentException">Empty id, negative outstanding, non-positive rate, currencies differ, bad period.</exception>
    public static DebtRegister TimeBased(string id, string label, Money outstanding, Money amountPerPeriod, DebtPeriod period)
    {
        Common(id, outstanding);
        if (!Enum.IsDefined(period))
        {
            throw new ArgumentException($"Debt {id}: unknown period {(int)period}; use Day or Week.", nameof(period));
        }
        Positive(id, amountPerPeriod, outstanding.Currency, "amount per period", nameof(amountPerPeriod));
        return new DebtRegister(id, label ?? "", outstanding, new TimeBasedRecovery(amountPerPeriod, period));
    }

    /// <summary>A debt recovered as a percentage of each top-up with a weekly cap.</summary>
    /// <exception cref="ArgumentException">Empty id, negative outstanding, percent outside (0, 100], non-positive cap, currencies differ.</exception>
    public static DebtRegister PaymentBased(string id, string label, Money outstanding, decimal percent, Money weeklyCap)
    {
        Common(id, outstanding);
        if (percent is <= 0 or > 100)
        {
            throw new ArgumentException(
                $"Debt {id}: recovery percent must be above 0 and at most 100, not {percent.ToString(CultureInfo.InvariantCulture)}.", nameof(percent));
        }
        Positive(id, weeklyCap, outstanding.Currency, "weekly cap", nameof(weeklyCap));
        return new DebtRegister(id, label ?? "", outstanding, new PaymentBasedRecovery(percent, weeklyCap));
    }

    /// <summary>
    /// The balance paid <paramref name="amount"/> of what is due on this time-based debt: both due and outstanding go
    /// down by it.
    /// </summary>
    /// <exception cref="ArgumentException">Not time-based, negative, more than is due, or another currency.</exception>
    public DebtRegister SettleDueFromBalance(Money amount)
    {
        if (Recovery is not TimeBasedRecovery)
        {
            throw new ArgumentException($"Debt {Id} is payment-based; only a time-based debt has an amount due.", nameof(amount));
        }
        if (amount.Currency != Currency || amount.IsNegative || amount > DueUnpaid)
        {
            throw new ArgumentException(
                $"Debt {Id}: the balance can settle 0 to {DueUnpaid} of what is due, not {amount}.", nameof(amount));
        }
        return this with { DueUnpaid = DueUnpaid - amount, Outstanding = Outstanding - amount };
    }

    internal DebtRegister WithDue(Money due) => this with { DueUnpaid = due };

    /// <summary>Recovers <paramref name="amount"/> from a top-up (≤ outstanding, and ≤ due for time-based debts).</summary>
    /// <remarks>Call <see cref="InWeek"/> first so a payment-based debt counts the right week.</remarks>
    internal DebtRegister Recover(Money amount) => Recovery switch
    {
        TimeBasedRecovery => this with { Outstanding = Outstanding - amount, DueUnpaid = DueUnpaid - amount },
        _ => this with { Outstanding = Outstanding - amount, CollectedThisWeek = CollectedThisWeek + amount },
    };

    /// <summary>The register as seen in <paramref name="week"/>: a new week starts with nothing collected. A top-up
    /// dated in an earlier week than the one recorded counts against the recorded week (never more than one cap).</summary>
    internal DebtRegister InWeek(DateOnly week) =>
        Recovery is PaymentBasedRecovery && (WeekStart is not { } w || week > w)
            ? this with { CollectedThisWeek = Money.Zero(Currency), WeekStart = week }
            : this;

    public override string ToString() => $"{Id} ({Label}): {Outstanding} outstanding";

    private static void Common(string id, Money outstanding)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new ArgumentException("A debt register needs an id.", nameof(id));
        }
        if (!outstanding.Currency.IsDefined || outstanding.IsNegative)
        {
            throw new ArgumentException($"Debt {id}: outstanding must be zero or more with a currency, not {outstanding}.", nameof(outstanding));
        }
    }

    private static void Positive(string id, Money value, Currency currency, string what, string param)
    {
        if (value.Currency != currency || !value.IsPositive)
        {
            throw new ArgumentException($"Debt {id}: the {what} must be a positive amount in {currency}, not {value}.", param);
        }
    }
}
