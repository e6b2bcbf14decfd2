namespace PrepaidPower.Contracts.Meters;

/// <summary>
/// One physical meter (supply point), keyed by the meter id. Validates readings (VEE), forwards accepted energy to its
/// account, runs the supply (relay) state machine and keeps the command waiting for the concentrator. Holds no history.
/// </summary>
[Alias("pp.IMeterGrain")]
public interface IMeterGrain : IGrainWithStringKey
{
    /// <summary>Most held readings a meter keeps for review (oldest dropped first; every hold is also logged).</summary>
    public const int MaxHeldReadings = 16;

    [Alias("Register")] Task<MeterView> RegisterAsync(RegisterMeterRequest request);

    /// <summary>The meter. <exception cref="Errors.NotFoundException">Never registered.</exception></summary>
    [Alias("Get")] Task<MeterView> GetAsync();

    /// <summary>Attaches the meter to an account; billing starts at its current position. Conflict when attached elsewhere.</summary>
    [Alias("Attach")] Task<MeterView> AttachAsync(AttachMeterRequest request);

    /// <summary>Detaches the meter from its account (e.g. moving out); later energy is not billed to it.</summary>
    [Alias("Detach")] Task<MeterView> DetachAsync(string operatorId);

    /// <summary>Records a physical exchange; the final advance of the old meter is billed.</summary>
    [Alias("Exchange")] Task<MeterView> ExchangeAsync(MeterExchangeRequest request);

    /// <summary>A cumulative reading (from a concentrator, the API or a test).</summary>
    [Alias("ReportReading")] Task<ReadingResult> ReportReadingAsync(ReadingReport reading);

    /// <summary>Readings held for review, oldest first.</summary>
    [Alias("GetHeldReadings")] Task<IReadOnlyList<HeldReading>> GetHeldReadingsAsync();

    [Alias("GetSupply")] Task<SupplyView> GetSupplyAsync();

    /// <summary>An order from the account (credit policy or operator through the account).</summary>
    [Alias("ApplySupplyOrder")] Task<SupplyView> ApplySupplyOrderAsync(SupplyOrderRequest order);

    /// <summary>The device path confirmed a command by reading the relay back.</summary>
    [Alias("ConfirmCommand")] Task<SupplyView> ConfirmCommandAsync(Guid commandId, RelayReading observed);

    /// <summary>
    /// The device path reports that <paramref name="commandId"/> was not confirmed by its supply machine's retry time.
    /// The machine retries (the next attempt goes to the concentrator again) or gives up (Unknown, critical alarm).
    /// A timeout for a command that is no longer pending, or not yet due, changes nothing.
    /// </summary>
    [Alias("CommandTimedOut")] Task<SupplyView> CommandTimedOutAsync(Guid commandId);

    /// <summary>
    /// One routine poll of this meter in one call (the ingest path's hot call): the relay status when the device
    /// reports one, exactly as <see cref="ReportRelayStatusAsync"/>, then the reading, exactly as
    /// <see cref="ReportReadingAsync"/>. A poll that raises a safety flag goes through the separate calls instead.
    /// </summary>
    [Alias("ReportPoll")] Task<MeterPollResult> ReportPollAsync(MeterPoll poll);

    /// <summary>A routine relay status read (keeps the status fresh for arrears cuts).</summary>
    [Alias("ReportRelayStatus")] Task<SupplyView> ReportRelayStatusAsync(RelayReading observed);

    /// <summary>The meter or breaker reported a safety event: supply opens and stays off until cleared.</summary>
    [Alias("ReportSafetyEvent")] Task<SupplyView> ReportSafetyEventAsync(SafetyEventType type);

    /// <summary>An operator clears the safety trip after inspection (normally through the account).</summary>
    [Alias("ClearSafety")] Task<SupplyView> ClearSafetyAsync(string operatorId);
}
