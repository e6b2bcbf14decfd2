// The checks and normalisation every ledger store applies before writing, so that the in-memory store and the
// PostgreSQL store accept, reject and return exactly the same entries.
using System.Text.Json;
using PrepaidPower.Domain.Ledger;
using PrepaidPower.Domain;

namespace PrepaidPower.Persistence.Ledger;

/// <summary>One account's contiguous entries within one call: sequences <see cref="First"/>..<see cref="Last"/>.</summary>
internal readonly record struct AccountRun(string AccountId, long First, long Last);

internal static class LedgerEntryRules
{
    /// <summary>
    /// Checks one <see cref="ILedgerStore.AppendAsync"/> call and returns its entries normalised (see
    /// <see cref="Normalize"/>) with their account runs, in the caller's order.
    /// </summary>
    /// <exception cref="ArgumentException">What is wrong, at which index, and what to do.</exception>
    public static (LedgerEntry[] Entries, AccountRun[] Runs) CheckAppend(IReadOnlyList<LedgerEntry> entries)
    {
        var result = CheckCall(entries, nameof(entries));
        for (var i = 0; i < result.Length; i++)
        {
            if (result[i].ExternalId is not null || result[i].RequestHash is not null)
            {
                throw new ArgumentException(
                    $"Entry {i} (account '{result[i].AccountId}', sequence {result[i].Sequence}) carries an external id or request hash; money from outside goes through CommitExternalAsync, which makes it idempotent.",
                    nameof(entries));
            }
        }

        return (result, Runs(result, nameof(entries)));
    }

    /// <summary>Checks one <see cref="ILedgerStore.CommitExternalAsync"/> call: one account, the external id on the first entry only.</summary>
    /// <exception cref="ArgumentException">What is wrong, at which index, and what to do.</exception>
    public static LedgerEntry[] CheckExternal(IReadOnlyList<LedgerEntry> entries)
    {
        var result = CheckCall(entries, nameof(entries));
        var first = result[0];
        if (first.ExternalId is null || first.RequestHash is null)
        {
            throw new ArgumentException(
                $"Entry 0 (account '{first.AccountId}', sequence {first.Sequence}) must carry the external id and the request hash; use AppendAsync for entries without one.",
                nameof(entries));
        }

        for (var i = 1; i < result.Length; i++)
        {
            if (result[i].ExternalId is not null || result[i].RequestHash is not null)
            {
                throw new ArgumentException(
                    $"Entry {i} carries an external id or request hash; only entry 0 does (the entries after it are the allocation of the same request).",
                    nameof(entries));
            }
        }

        var runs = Runs(result, nameof(entries));
        if (runs.Length != 1)
        {
            throw new ArgumentException(
                $"The entries of one external commit belong to one account, but these touch '{runs[0].AccountId}' and '{runs[1].AccountId}'.",
                nameof(entries));
        }

        return result;
    }

    /// <summary>An account id a store can keep (PostgreSQL text holds no NUL).</summary>
    public static void CheckAccountId(string accountId, string paramName)
    {
        if (string.IsNullOrWhiteSpace(accountId) || accountId.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Account id '{accountId}' is empty or contains a NUL character; give the account's id.", paramName);
        }
    }

    public static void CheckMax(int max, string paramName)
    {
        if (max < 1)
        {
            throw new ArgumentOutOfRangeException(paramName, max, "The maximum number of entries to read must be at least 1.");
        }
    }

    /// <summary>
    /// What a store keeps of an entry: <see cref="LedgerEntry.OccurredAt"/> in UTC, truncated to whole microseconds
    /// (PostgreSQL's resolution), so that an entry reads back equal to what the store returned when it was written.
    /// </summary>
    public static LedgerEntry Normalize(LedgerEntry entry)
    {
        var at = ToUtcMicroseconds(entry.OccurredAt);
        return at == entry.OccurredAt && at.Offset == TimeSpan.Zero ? entry : entry with { OccurredAt = at };
    }

    public static DateTimeOffset ToUtcMicroseconds(DateTimeOffset value)
    {
        var utcTicks = value.UtcTicks;
        return new DateTimeOffset(utcTicks - (utcTicks % TimeSpan.TicksPerMicrosecond), TimeSpan.Zero);
    }

    private static LedgerEntry[] CheckCall(IReadOnlyList<LedgerEntry> entries, string paramName)
    {
        ArgumentNullException.ThrowIfNull(entries, paramName);
        if (entries.Count == 0)
        {
            throw new ArgumentException("There are no entries to write; pass at least one.", paramName);
        }

        var result = new LedgerEntry[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i] ?? throw new ArgumentException($"Entry {i} is null.", paramName);
            CheckEntry(entry, i, paramName);
            result[i] = Normalize(entry);
        }

        return result;
    }

    private static void CheckEntry(LedgerEntry e, int i, string paramName)
    {
        CheckAccountId(e.AccountId, paramName);
        var where = $"Entry {i} (account '{e.AccountId}', sequence {e.Sequence})";
        if (e.Sequence < 1)
        {
            throw new ArgumentException($"{where}: sequences start at 1.", paramName);
        }

        if (!Enum.IsDefined(e.Kind))
        {
            throw new ArgumentException($"{where}: kind {(short)e.Kind} is not a LedgerEntryKind.", paramName);
        }

        if (!Currency.TryFromCode(e.Currency, out _))
        {
            throw new ArgumentException($"{where}: currency '{e.Currency}' is not a supported ISO 4217 code (e.g. CNY; see Currency.Known).", paramName);
        }

        CheckOptionalText(e.ExternalId, "external id", where, paramName);
        CheckOptionalText(e.RequestHash, "request hash", where, paramName);
        CheckOptionalText(e.MeterId, "meter id", where, paramName);
        if (e.RegisterFromWh is { } from && e.RegisterToWh is { } to && from > to)
        {
            throw new ArgumentException($"{where}: the register range runs backwards ({from} Wh to {to} Wh).", paramName);
        }

        if (e.ReversesSequence is { } reversed && (reversed < 1 || reversed >= e.Sequence))
        {
            throw new ArgumentException($"{where}: it can only reverse an earlier entry (1 to {e.Sequence - 1}), not {reversed}.", paramName);
        }

        if (e.Details is not null)
        {
            // PostgreSQL's jsonb refuses invalid JSON and the NUL escape; refuse them in every store alike.
            try
            {
                using var _ = JsonDocument.Parse(e.Details);
            }
            catch (JsonException ex)
            {
                throw new ArgumentException($"{where}: details are not valid JSON ({ex.Message}).", paramName, ex);
            }

            if (e.Details.Contains("\\u0000", StringComparison.Ordinal))
            {
                throw new ArgumentException($"{where}: details contain the escape \\u0000, which PostgreSQL cannot store.", paramName);
            }
        }
    }

    private static void CheckOptionalText(string? value, string what, string where, string paramName)
    {
        if (value is not null && (value.Length == 0 || value.Contains('\0', StringComparison.Ordinal)))
        {
            throw new ArgumentException($"{where}: the {what} is empty or contains a NUL character; give a real value or null.", paramName);
        }
    }

    /// <summary>Splits a call into account runs: each account once, its sequences consecutive, balances chained, one currency.</summary>
    private static AccountRun[] Runs(LedgerEntry[] entries, string paramName)
    {
        var runs = new List<AccountRun>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var start = 0;
        for (var i = 1; i <= entries.Length; i++)
        {
            if (i < entries.Length && entries[i].AccountId == entries[start].AccountId)
            {
                var previous = entries[i - 1];
                var e = entries[i];
                if (e.Sequence != previous.Sequence + 1)
                {
                    throw new ArgumentException(
                        $"Entry {i} of account '{e.AccountId}' has sequence {e.Sequence} after {previous.Sequence}; one account's entries must be consecutive and in order.",
                        paramName);
                }

                if (e.Currency != previous.Currency)
                {
                    throw new ArgumentException($"Entry {i} of account '{e.AccountId}' is in {e.Currency} but entry {i - 1} in {previous.Currency}; an account has one currency.", paramName);
                }

                long expected;
                try
                {
                    expected = checked(previous.BalanceAfterMinor + e.AmountMinor);
                }
                catch (OverflowException ex)
                {
                    throw new ArgumentException($"Entry {i} of account '{e.AccountId}' overflows the balance.", paramName, ex);
                }

                if (e.BalanceAfterMinor != expected)
                {
                    throw new ArgumentException(
                        $"Entry {i} of account '{e.AccountId}' (sequence {e.Sequence}) says the balance is {e.BalanceAfterMinor}, but {previous.BalanceAfterMinor} + {e.AmountMinor} = {expected}.",
                        paramName);
                }

                continue;
            }

            var run = new AccountRun(entries[start].AccountId, entries[start].Sequence, entries[i - 1].Sequence);
            if (!seen.Add(run.AccountId))
            {
                throw new ArgumentException(
                    $"Account '{run.AccountId}' appears in two separate places of one call; put one account's entries together, in sequence order.",
                    paramName);
            }

            runs.Add(run);
            start = i;
        }

        return [.. runs];
    }
}

/// <summary>What a repeated external id means, the same in every store.</summary>
internal static class ExternalReplay
{
    /// <summary>The original entries if <paramref name="request"/> is the same request; otherwise the conflict.</summary>
    /// <exception cref="IdempotencyConflictException">The id was used for a different request.</exception>
    public static ExternalCommit Resolve(IReadOnlyList<LedgerEntry> original, LedgerEntry request) =>
        string.Equals(original[0].RequestHash, request.RequestHash, StringComparison.Ordinal)
            ? new ExternalCommit(original, Replayed: true)
            : throw new IdempotencyConflictException(request.ExternalId!);
}

/// <summary>The statement period rule, the same in every store.</summary>
internal static class LedgerPeriod
{
    public static void Check(DateTimeOffset from, DateTimeOffset to)
    {
        if (from > to)
        {
            throw new ArgumentException($"The period starts ({from:O}) after it ends ({to:O}); give from ≤ to (the end is exclusive).", nameof(from));
        }
    }
}
