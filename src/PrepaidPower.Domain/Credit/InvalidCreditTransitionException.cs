namespace PrepaidPower.Domain.Credit;

/// <summary>
/// The one way the credit machine rejects a trigger: the (status, trigger) pair is not in its table, or its guard fails
/// (then the message adds why). The message always starts "Cannot handle &lt;trigger&gt; in state &lt;status&gt;".
/// Nothing is applied.
/// </summary>
public sealed class InvalidCreditTransitionException : InvalidOperationException
{
    public InvalidCreditTransitionException(CreditStatus status, CreditTriggerKind trigger, string? why = null)
        : base($"Cannot handle {trigger} in state {status}" + (why is null ? "." : ": " + why))
    {
        Status = status;
        Trigger = trigger;
    }

    public InvalidCreditTransitionException()
    {
    }

    public InvalidCreditTransitionException(string message)
        : base(message)
    {
    }

    public InvalidCreditTransitionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CreditStatus Status { get; }

    public CreditTriggerKind Trigger { get; }
}
