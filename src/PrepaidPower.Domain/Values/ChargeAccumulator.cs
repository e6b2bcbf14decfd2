namespace PrepaidPower.Domain;

/// <summary>
/// Turns exact (sub-minor-unit) charges into postings in whole minor units without drift: it keeps the exact
/// running total and the total posted so far, and each <see cref="Post"/> returns the difference between the
/// rounded exact total and what was already posted. So the sum of all postings always equals the exact total
/// rounded once, however the charge is split. The carry (exact − posted) is always within one minor unit.
/// Persist both fields with the account so the carry survives restarts.
/// </summary>
public struct ChargeAccumulator
{
    /// <summary>Builds an accumulator from persisted state.</summary>
    public ChargeAccumulator(decimal exactMinorTotal, long postedMinorTotal, MoneyRounding rounding)
    {
        ExactMinorTotal = exactMinorTotal;
        PostedMinorTotal = postedMinorTotal;
        Rounding = rounding;
    }

    /// <summary>Exact running total in minor units (fractions kept).</summary>
    public decimal ExactMinorTotal { get; private set; }

    /// <summary>Sum of everything posted, in minor units.</summary>
    public long PostedMinorTotal { get; private set; }

    public MoneyRounding Rounding { get; }

    /// <summary>Exact total not yet posted (the carry), in minor units; |carry| ≤ 1.</summary>
    public readonly decimal CarryMinor => ExactMinorTotal - PostedMinorTotal;

    /// <summary>Adds an exact amount (in minor units, may be fractional or negative) and returns the whole minor units to post now.</summary>
    public long Post(decimal exactMinor)
    {
        ExactMinorTotal += exactMinor;
        var target = decimal.ToInt64(Rounding.RoundToInteger(ExactMinorTotal));
        var delta = checked(target - PostedMinorTotal);
        PostedMinorTotal = target;
        return delta;
    }
}
