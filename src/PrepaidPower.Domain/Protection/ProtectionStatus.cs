namespace PrepaidPower.Domain.Protection;

/// <summary>
/// The answer of <see cref="ProtectionCalendar.Evaluate"/>: whether an instant is protected, the protection with the
/// highest precedence that covers it (<see cref="Kind"/>, <see cref="Reason"/>), and <see cref="Until"/>: the first
/// instant after it that no protection covers (null when unprotected, or when none is found within the search horizon).
/// </summary>
public readonly record struct ProtectionStatus(bool IsProtected, ProtectionKind? Kind, string? Reason, DateTimeOffset? Until)
{
    public static readonly ProtectionStatus Unprotected = new(false, null, null, null);
}
