namespace PrepaidPower.Contracts.Accounts;

/// <summary>
/// One customer account, keyed by the account id (1–100 characters). The authority on money: balance, what each meter
/// has been billed up to, the tier counter and the credit policy state. Every method that changes money commits to the
/// ledger before it returns. Rejections throw <see cref="Errors.PrepaidPowerException"/> subclasses and write nothing.
/// </summary>
[Alias("pp.IAccountGrain")]
public interface IAccountGrain : IGrainWithStringKey
{
    /// <summary>Most entries one ledger page or statement returns.</summary>
    public const int MaxPageSize = 500;

    /// <summary>Most entries one statement lists.</summary>
    public const int MaxStatementEntries = 5_000;

    /// <summary>Opens the account. Opening again with the same request returns the account; with another, a conflict.</summary>
    [Alias("Open")] Task<AccountView> OpenAsync(OpenAccountRequest request);

    /// <summary>The account. <exception cref="Errors.NotFoundException">Never opened.</exception></summary>
    [Alias("Get")] Task<AccountView> GetAsync();

    /// <summary>Closes the account: no more top-ups, usage is still billed (the ledger stays). Meters stay attached until detached.</summary>
    [Alias("Close")] Task<AccountView> CloseAsync(OperatorAction action);

    /// <summary>Switches the tariff from now on (usage already billed keeps its price). Same currency required.</summary>
    [Alias("ChangeTariff")] Task<AccountView> ChangeTariffAsync(string tariffId, string operatorId);

    [Alias("SetHouseholdSize")] Task<AccountView> SetHouseholdSizeAsync(int householdSize, string operatorId);

    [Alias("SetContact")] Task<AccountView> SetContactAsync(ContactDetails? contact, string operatorId);

    /// <summary>Grants a protection from arrears cuts (keep-supply-on override, medical, weather hold).</summary>
    [Alias("AddProtection")] Task<AccountView> AddProtectionAsync(ProtectionRequest request);

    [Alias("RemoveProtection")] Task<AccountView> RemoveProtectionAsync(ProtectionType type, string operatorId);

    /// <summary>Money paid in. Committed to the ledger before it returns; idempotent by <see cref="PaymentRequest.Id"/>.</summary>
    [Alias("TopUp")] Task<PaymentReceipt> TopUpAsync(PaymentRequest request);

    /// <summary>Money paid back (amount positive; the balance goes down). Idempotent by id; needs reason and operator.</summary>
    [Alias("Refund")] Task<PaymentReceipt> RefundAsync(PaymentRequest request);

    /// <summary>A manual correction, either sign. Idempotent by id; needs reason and operator.</summary>
    [Alias("Adjust")] Task<PaymentReceipt> AdjustAsync(PaymentRequest request);

    [Alias("GetBalance")] Task<BalanceView> GetBalanceAsync();

    /// <summary>Ledger entries after <paramref name="afterSequence"/> (0 = from the start), at most <paramref name="max"/> (≤ <see cref="MaxPageSize"/>).</summary>
    [Alias("GetLedger")] Task<LedgerPage> GetLedgerAsync(long afterSequence, int max);

    /// <summary>Statement for entries that occurred in [from, to).</summary>
    [Alias("GetStatement")] Task<Statement> GetStatementAsync(DateTimeOffset from, DateTimeOffset to);

    /// <summary>The most recent account events, newest last (at most <paramref name="max"/>; the account keeps the last 32).</summary>
    [Alias("GetRecentEvents")] Task<IReadOnlyList<AccountEvent>> GetRecentEventsAsync(int max);

    /// <summary>The customer asks for emergency credit.</summary>
    [Alias("ActivateEmergencyCredit")] Task<BalanceView> ActivateEmergencyCreditAsync();

    /// <summary>An authorised operator cuts supply now (fraud, tamper, breach); bypasses protections; audited.</summary>
    [Alias("EnforcementCut")] Task<BalanceView> EnforcementCutAsync(OperatorAction action);

    /// <summary>Lifts an enforcement cut; the normal rules then decide (a balance below the reconnect threshold stays cut).</summary>
    [Alias("LiftEnforcement")] Task<BalanceView> LiftEnforcementAsync(OperatorAction action);

    /// <summary>Clears a safety trip after inspection (on the account and on every attached meter).</summary>
    [Alias("ClearSafetyTrip")] Task<BalanceView> ClearSafetyTripAsync(OperatorAction action);

    // ---- Called by meter grains (not by the API) ----

    /// <summary>A meter attaches itself; <paramref name="positionWh"/> is its current continuous position (null before its first reading), from which billing starts.</summary>
    [Alias("AttachMeter")] Task AttachMeterAsync(string meterId, long? positionWh);

    [Alias("DetachMeter")] Task DetachMeterAsync(string meterId);

    /// <summary>Bills accepted usage. Idempotent by range: see <see cref="UsageReport"/>. Supply orders for the reporting meter come back in the result.</summary>
    [Alias("BillUsage")] Task<UsageBilled> BillUsageAsync(UsageReport report);

    /// <summary>A meter confirmed its relay is open after a disconnect. Returns the orders for that meter (the account never calls back into the meter that called it).</summary>
    [Alias("DisconnectConfirmed")] Task<IReadOnlyList<Meters.SupplyOrderRequest>> DisconnectConfirmedAsync(string meterId);

    /// <summary>A meter reported a safety trip. Returns the orders for that meter.</summary>
    [Alias("SafetyTripped")] Task<IReadOnlyList<Meters.SupplyOrderRequest>> SafetyTrippedAsync(string meterId, string cause);
}
