namespace PrepaidPower.Domain.Protection;

/// <summary>A set of weekly protected windows (e.g. nights every day plus all weekend). Empty means no weekly protection.</summary>
public sealed class WeeklyProfile
{
    /// <summary>At most this many windows: a weekly profile is configuration, not history.</summary>
    public const int MaxWindows = 64;

    public static readonly WeeklyProfile Empty = new([]);

    private WeeklyProfile(ProtectedWindow[] windows) => Windows = windows;

    public IReadOnlyList<ProtectedWindow> Windows { get; }

    /// <exception cref="ArgumentException">More than <see cref="MaxWindows"/> windows, or a default window.</exception>
    public static WeeklyProfile Of(IEnumerable<ProtectedWindow> windows)
    {
        ArgumentNullException.ThrowIfNull(windows);
        var array = windows.ToArray();
        if (array.Length > MaxWindows)
        {
            throw new ArgumentException($"A weekly profile holds at most {MaxWindows} windows; {array.Length} were given.", nameof(windows));
        }
        if (array.Any(w => w.Length == TimeSpan.Zero))
        {
            throw new ArgumentException("A weekly profile contains an empty (default) window; build windows with ProtectedWindow.Create.", nameof(windows));
        }
        return new WeeklyProfile(array);
    }

    public static WeeklyProfile Of(params IEnumerable<ProtectedWindow>[] groups) => Of(groups.SelectMany(g => g));
}
