namespace PrepaidPower.Domain.Protection;

/// <summary>
/// A whole local day protected from arrears cuts: a public holiday or special day on one date, or a special day that
/// recurs every year on the same month and day (e.g. 25 December).
/// </summary>
public sealed record ProtectedDay
{
    private ProtectedDay(DateOnly? date, int month, int day, string name, ProtectionKind kind)
    {
        Date = date;
        Month = month;
        Day = day;
        Name = name;
        Kind = kind;
    }

    /// <summary>The date, or null for an annual day.</summary>
    public DateOnly? Date { get; }

    public int Month { get; }

    public int Day { get; }

    public string Name { get; }

    /// <summary><see cref="ProtectionKind.PublicHoliday"/> or <see cref="ProtectionKind.SpecialDay"/>.</summary>
    public ProtectionKind Kind { get; }

    public static ProtectedDay PublicHoliday(DateOnly date, string name) => new(date, date.Month, date.Day, ValidName(name), ProtectionKind.PublicHoliday);

    public static ProtectedDay SpecialDay(DateOnly date, string name) => new(date, date.Month, date.Day, ValidName(name), ProtectionKind.SpecialDay);

    /// <summary>A special day every year on <paramref name="month"/>/<paramref name="day"/> (29 February only in leap years).</summary>
    /// <exception cref="ArgumentException">Not a calendar day.</exception>
    public static ProtectedDay AnnualSpecialDay(int month, int day, string name)
    {
        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(2000, month))
        {
            throw new ArgumentException($"{month}/{day} is not a calendar day.", nameof(day));
        }
        return new(null, month, day, ValidName(name), ProtectionKind.SpecialDay);
    }

    private static string ValidName(string name) =>
        string.IsNullOrWhiteSpace(name) ? throw new ArgumentException("A protected day needs a name (it is shown as the reason).", nameof(name)) : name.Trim();
}
