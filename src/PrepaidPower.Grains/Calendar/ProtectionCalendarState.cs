using PrepaidPower.Contracts.Calendar;

namespace PrepaidPower.Grains.Calendar;

/// <summary>
/// The stored calendar (default storage). Bounded: at most 64 weekly windows and 2,000 days (about 100 KB), checked
/// before anything is written.
/// </summary>
[GenerateSerializer, Alias("pp.ProtectionCalendarState")]
public sealed class ProtectionCalendarState
{
    /// <summary>0 = never set: the calendar is <see cref="ProtectionCalendarSpec.Default"/>; +1 per accepted change.</summary>
    [Id(0)] public int Revision { get; set; }

    [Id(1)] public ProtectionCalendarSpec Calendar { get; set; } = ProtectionCalendarSpec.Default;

    [Id(2)] public DateTimeOffset? UpdatedAt { get; set; }

    [Id(3)] public string? UpdatedBy { get; set; }
}
