namespace PrepaidPower.Domain.Ledger;

/// <summary>
/// Recomputes an account's balance and billing position from its ledger alone. The ledger is the truth; grain
/// snapshots are caches that must agree with this.
/// </summary>
public static class LedgerReplay
{
    /// <summary>The balance (minor units) after applying entries in sequence order.</summary>
    /// <exception cref="InvalidDataException">A gap or repeat in the sequence, a foreign account or currency, or a stored balance that disagrees with the sum.</exception>
    public static long Balance(IEnumerable<LedgerEntry> entries, long openingBalanceMinor = 0, long afterSequence = 0)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var balance = openingBalanceMinor;
        var expected = afterSequence + 1;
        string? account = null;
        string? currency = null;
        foreach (var e in entries)
        {
            account ??= e.AccountId;
            currency ??= e.Currency;
            if (e.AccountId != account || e.Currency != currency)
            {
                throw new InvalidDataException($"Entry {e.Sequence} belongs to {e.AccountId}/{e.Currency}, not {account}/{currency}.");
            }
            if (e.Sequence != expected)
            {
                throw new InvalidDataException($"Account {account}: expected ledger sequence {expected}, found {e.Sequence}.");
            }
            balance = checked(balance + e.AmountMinor);
            if (balance != e.BalanceAfterMinor)
            {
                throw new InvalidDataException($"Account {account}: entry {e.Sequence} says the balance is {e.BalanceAfterMinor} but the entries sum to {balance}.");
            }
            expected++;
        }
        return balance;
    }

    /// <summary>The highest register billed per meter (the account's billed-up-to), from usage entries.</summary>
    public static IReadOnlyDictionary<string, long> BilledUpTo(IEnumerable<LedgerEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            if (e is { Kind: LedgerEntryKind.Usage, MeterId: { } meter, RegisterToWh: { } to })
            {
                result[meter] = result.TryGetValue(meter, out var current) ? Math.Max(current, to) : to;
            }
        }
        return result;
    }
}
