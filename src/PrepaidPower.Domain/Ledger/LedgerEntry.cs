namespace PrepaidPower.Domain.Ledger;

/// <summary>What a ledger entry records. The numeric values are stored in PostgreSQL: never renumber.</summary>
public enum LedgerEntryKind : short
{
    /// <summary>Money paid in by the customer (positive). Carries the caller's payment id.</summary>
    TopUp = 1,

    /// <summary>Money paid back to the customer (negative). Carries the operator's refund id.</summary>
    Refund = 2,

    /// <summary>A manual correction by an operator (either sign). Carries the operator's adjustment id.</summary>
    Adjustment = 3,

    /// <summary>Energy charge (negative), with the register range [from, to) it bills.</summary>
    Usage = 4,

    /// <summary>Daily standing charge (negative), accrued whatever the balance.</summary>
    StandingCharge = 5,

    /// <summary>Money taken from a top-up or the balance towards a debt register (negative).</summary>
    DebtRecovery = 6,

    /// <summary>Emergency credit repaid from a top-up (negative on the balance; it reduces emergency credit used).</summary>
    EmergencyCreditRepaid = 7,

    /// <summary>Reverses an earlier entry (opposite sign), naming it in <see cref="LedgerEntry.ReversesSequence"/>.</summary>
    Reversal = 8,
}

/// <summary>
/// One append-only ledger row. <see cref="Sequence"/> is gap-free per account, starting at 1. Amounts are signed minor
/// units of <see cref="Currency"/> as their effect on the balance (a top-up is positive, a charge negative), and
/// <see cref="BalanceAfterMinor"/> is the balance once this entry is applied — so the ledger alone reproduces every
/// balance (<see cref="LedgerReplay"/>).
/// </summary>
/// <param name="AccountId">The account.</param>
/// <param name="Sequence">1, 2, 3 … per account, no gaps.</param>
/// <param name="Kind">What happened.</param>
/// <param name="AmountMinor">Signed effect on the balance, in minor units.</param>
/// <param name="Currency">ISO 4217 code of the account's currency.</param>
/// <param name="BalanceAfterMinor">Balance after this entry, in minor units.</param>
/// <param name="OccurredAt">When it happened (UTC): payment time, or end of the rated interval.</param>
/// <param name="ExternalId">The caller's id for money from outside (payment id, refund id, adjustment id); null otherwise.</param>
/// <param name="RequestHash">Hash of the request that created an external entry, to tell a replay from a conflicting reuse of the id.</param>
/// <param name="MeterId">For usage: the meter whose registers are billed.</param>
/// <param name="RegisterFromWh">For usage: the register value billed from (exclusive lower end of the range).</param>
/// <param name="RegisterToWh">For usage: the register value billed up to — the account's new billed-up-to for that meter.</param>
/// <param name="ExactMinor">For charges: the exact (unrounded) amount in minor units; the rounding carry is derivable from it.</param>
/// <param name="ReversesSequence">For reversals: the sequence of the entry reversed.</param>
/// <param name="Details">Free JSON for people and statements (rated lines, reason, operator, debt id, tier counter).</param>
public sealed record LedgerEntry(
    string AccountId,
    long Sequence,
    LedgerEntryKind Kind,
    long AmountMinor,
    string Currency,
    long BalanceAfterMinor,
    DateTimeOffset OccurredAt,
    string? ExternalId = null,
    string? RequestHash = null,
    string? MeterId = null,
    long? RegisterFromWh = null,
    long? RegisterToWh = null,
    decimal? ExactMinor = null,
    long? ReversesSequence = null,
    string? Details = null);
