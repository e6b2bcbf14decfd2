namespace PrepaidPower.Domain.Credit;

/// <summary>The days-of-credit-left forecast from recent consumption, for <see cref="BalanceChanged.DaysOfCreditLeft"/>.</summary>
public static class CreditForecast
{
    /// <summary>
    /// Days until the balance reaches <paramref name="disconnectionThreshold"/> at the average daily spend of the recent
    /// <paramref name="window"/> (<paramref name="spentInWindow"/> over it), rounded down to 0.1 day; 0 when already at or
    /// below the threshold; null when nothing was spent (no forecast possible).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The window is shorter than one hour.</exception>
    public static decimal? DaysOfCreditLeft(Money balance, Money disconnectionThreshold, Money spentInWindow, TimeSpan window)
    {
        if (window < TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, "The consumption window must be at least one hour.");
        }
        var headroom = balance - disconnectionThreshold;
        if (!headroom.IsPositive)
        {
            return 0m;
        }
        _ = spentInWindow + headroom; // refuses a spend in another currency
        if (!spentInWindow.IsPositive)
        {
            return null;
        }
        var perDay = (decimal)spentInWindow.MinorUnits * (decimal)TimeSpan.TicksPerDay / window.Ticks;
        var days = headroom.MinorUnits / perDay;
        return decimal.Floor(days * 10) / 10;
    }
}
