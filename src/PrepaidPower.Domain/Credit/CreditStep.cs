namespace PrepaidPower.Domain.Credit;

/// <summary>
/// The result of one trigger: the new state to persist, the events to publish and the supply orders to send, in order.
/// Set or cancel the durable timer from <see cref="NextDeadline"/>.
/// </summary>
public sealed record CreditStep(CreditState State, IReadOnlyList<CreditEvent> Events, IReadOnlyList<SupplyOrder> Orders)
{
    public DateTimeOffset? NextDeadline => State.NextDeadline;

    public IEnumerable<string> Codes => Events.Select(e => e.Code);
}
