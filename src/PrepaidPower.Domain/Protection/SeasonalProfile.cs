namespace PrepaidPower.Domain.Protection;

/// <summary>
/// A weekly profile that applies to windows starting on or after local date <see cref="FromMonth"/>/<see cref="FromDay"/>
/// each year, until the next season starts (e.g. summer from 1 April: 21:00–09:00; winter from 1 October: 20:00–08:00).
/// </summary>
public sealed record SeasonalProfile
{
    private SeasonalProfile(int fromMonth, int fromDay, WeeklyProfile profile)
    {
        FromMonth = fromMonth;
        FromDay = fromDay;
        Profile = profile;
    }

    public int FromMonth { get; }

    public int FromDay { get; }

    public WeeklyProfile Profile { get; }

    /// <exception cref="ArgumentException">Not a day of a non-leap year (29 February cannot start a season).</exception>
    public static SeasonalProfile Create(int fromMonth, int fromDay, WeeklyProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (fromMonth is < 1 or > 12 || fromDay < 1 || fromDay > DateTime.DaysInMonth(2001, fromMonth))
        {
            throw new ArgumentException($"A season starts on a day of a non-leap year; {fromMonth}/{fromDay} is not one.", nameof(fromDay));
        }
        return new SeasonalProfile(fromMonth, fromDay, profile);
    }

    internal int Key => (FromMonth * 100) + FromDay;
}
