// Builders of well-formed ledger entries for the store tests: chained balances, hand-checkable numbers.
using PrepaidPower.Domain.Ledger;

namespace PrepaidPower.Persistence.Tests.Ledger;

internal static class LedgerTestData
{
    /// <summary>08:00 UTC on 1 March 2025; entry n of a chain occurred n minutes later.</summary>
    public static readonly DateTimeOffset T0 = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);

    public static string NewAccount(string prefix = "acct") => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>Usage charges of the given amounts, from <paramref name="firstSequence"/>, balances chained from <paramref name="openingBalance"/>.</summary>
    public static LedgerEntry[] Charges(string account, long firstSequence, long openingBalance, params long[] amounts)
    {
        var result = new LedgerEntry[amounts.Length];
        var balance = openingBalance;
        for (var i = 0; i < amounts.Length; i++)
        {
            var sequence = firstSequence + i;
            balance += amounts[i];
            result[i] = new LedgerEntry(account, sequence, LedgerEntryKind.Usage, amounts[i], "CNY", balance, T0.AddMinutes(sequence), MeterId: "m-1");
        }

        return result;
    }

    /// <summary>A top-up of <paramref name="amount"/> followed by debt-recovery allocations (negative amounts).</summary>
    public static LedgerEntry[] TopUp(string account, long sequence, long openingBalance, long amount, string paymentId, string hash, params long[] allocations)
    {
        var result = new LedgerEntry[1 + allocations.Length];
        var balance = openingBalance + amount;
        result[0] = new LedgerEntry(account, sequence, LedgerEntryKind.TopUp, amount, "CNY", balance, T0.AddMinutes(sequence), ExternalId: paymentId, RequestHash: hash);
        for (var i = 0; i < allocations.Length; i++)
        {
            balance += allocations[i];
            result[i + 1] = new LedgerEntry(account, sequence + i + 1, LedgerEntryKind.DebtRecovery, allocations[i], "CNY", balance, T0.AddMinutes(sequence + i + 1), Details: """{"debt": "d-1"}""");
        }

        return result;
    }
}
