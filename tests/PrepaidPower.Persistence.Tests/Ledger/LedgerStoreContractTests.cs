// The rules every ILedgerStore keeps, run against each implementation (in memory and PostgreSQL) by a subclass.
using CsCheck;
using PrepaidPower.Domain.Ledger;
using static PrepaidPower.Persistence.Tests.Ledger.LedgerTestData;

namespace PrepaidPower.Persistence.Tests.Ledger;

public abstract class LedgerStoreContractTests : IAsyncLifetime
{
    private ILedgerStore? _store;

    protected ILedgerStore Store => _store ?? throw new InvalidOperationException("The store is not created yet.");

    /// <summary>How many random operation sequences the property test tries.</summary>
    protected abstract long PropertyIterations { get; }

    protected abstract Task<ILedgerStore> CreateStoreAsync();

    public virtual async Task InitializeAsync() => _store = await CreateStoreAsync();

    public virtual async Task DisposeAsync()
    {
        if (_store is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }

    [Fact]
    public async Task AppendAsync_NewAccount_ReadsBackEveryFieldInOrder()
    {
        var a = NewAccount();
        LedgerEntry[] entries =
        [
            new(a, 1, LedgerEntryKind.Adjustment, 5_000, "CNY", 5_000, T0, Details: """{"reason": "opening balance"}"""),
            new(a, 2, LedgerEntryKind.Usage, -154, "CNY", 4_846, T0.AddMinutes(5), MeterId: "m-7", RegisterFromWh: 1_000, RegisterToWh: 3_500, ExactMinor: -153.875m),
            new(a, 3, LedgerEntryKind.StandingCharge, -50, "CNY", 4_796, T0.AddHours(16)),
            new(a, 4, LedgerEntryKind.Reversal, 50, "CNY", 4_846, T0.AddHours(17), ReversesSequence: 3),
        ];

        await Store.AppendAsync(entries);

        Assert.Equal(entries, await Store.ReadAsync(a, 0, 100));
        Assert.Equal(4_846, LedgerReplay.Balance(await Store.ReadAsync(a, 0, 100)));
    }

    [Fact]
    public async Task AppendAsync_OccurredAtWithOffsetAndTicks_IsKeptInUtcToTheMicrosecond()
    {
        var a = NewAccount();
        var local = new DateTimeOffset(2025, 3, 1, 16, 0, 0, TimeSpan.FromHours(8)).AddTicks(1_234_567);

        await Store.AppendAsync([new LedgerEntry(a, 1, LedgerEntryKind.Adjustment, 100, "CNY", 100, local)]);

        var stored = Assert.Single(await Store.ReadAsync(a, 0, 10)).OccurredAt;
        Assert.Equal(new DateTimeOffset(2025, 3, 1, 8, 0, 0, TimeSpan.Zero).AddTicks(1_234_560), stored);
        Assert.Equal(TimeSpan.Zero, stored.Offset);
    }

    [Fact]
    public async Task AppendAsync_ExistingSequence_ThrowsConflictAndWritesNothing()
    {
        var a = NewAccount();
        await Store.AppendAsync(Charges(a, 1, 0, -10, -20, -30));

        var ex = await Assert.ThrowsAsync<LedgerSequenceConflictException>(() => Store.AppendAsync(Charges(a, 3, -30, -5, -6)));

        Assert.Equal((a, 3L, (long?)4L), (ex.AccountId, ex.Sequence, ex.ExpectedSequence));
        Assert.Contains("exists already", ex.Message, StringComparison.Ordinal);
        var stored = await Store.ReadAsync(a, 0, 100);
        Assert.Equal([1L, 2L, 3L], stored.Select(e => e.Sequence));
        Assert.Equal(-60, LedgerReplay.Balance(stored));
    }

    [Fact]
    public async Task AppendAsync_SequenceLeavingAGap_ThrowsConflictNamingTheNextSequence()
    {
        var a = NewAccount();
        await Store.AppendAsync(Charges(a, 1, 0, -10));

        var ex = await Assert.ThrowsAsync<LedgerSequenceConflictException>(() => Store.AppendAsync(Charges(a, 3, -10, -5)));

        Assert.Equal((3L, (long?)2L), (ex.Sequence, ex.ExpectedSequence));
        Assert.Contains("gap", ex.Message, StringComparison.Ordinal);
        Assert.Single(await Store.ReadAsync(a, 0, 100));
        var first = await Assert.ThrowsAsync<LedgerSequenceConflictException>(() => Store.AppendAsync(Charges(NewAccount(), 2, 0, -5)));
        Assert.Equal(1L, first.ExpectedSequence);
    }

    [Fact]
    public async Task AppendAsync_OneOfTwoAccountsStale_WritesNothingOfTheCall()
    {
        var (a, b) = (NewAccount(), NewAccount());
        await Store.AppendAsync(Charges(b, 1, 0, -1));

        await Assert.ThrowsAsync<LedgerSequenceConflictException>(() => Store.AppendAsync([.. Charges(a, 1, 0, -7), .. Charges(b, 1, 0, -8)]));

        Assert.Empty(await Store.ReadAsync(a, 0, 10));
        Assert.Equal(-1, Assert.Single(await Store.ReadAsync(b, 0, 10)).AmountMinor);
    }

    [Fact]
    public async Task AppendAsync_SeveralAccountsInOneCall_CommitsAll()
    {
        var (a, b) = (NewAccount(), NewAccount());

        await Store.AppendAsync([.. Charges(a, 1, 0, -7, -3), .. Charges(b, 1, 100, -8)]);

        Assert.Equal(-10, LedgerReplay.Balance(await Store.ReadAsync(a, 0, 10)));
        Assert.Equal(92, LedgerReplay.Balance(await Store.ReadAsync(b, 0, 10), openingBalanceMinor: 100));
    }

    [Fact]
    public async Task AppendAsync_ManyConcurrentCallersOneStale_OnlyTheStaleOneFails()
    {
        var stale = NewAccount();
        await Store.AppendAsync(Charges(stale, 1, 0, -1));
        var accounts = Enumerable.Range(0, 60).Select(_ => NewAccount()).ToArray();

        var good = accounts.Select(a => Task.Run(() => Store.AppendAsync(Charges(a, 1, 0, -2, -3)))).ToArray();
        var bad = Task.Run(() => Store.AppendAsync(Charges(stale, 1, 0, -4)));
        await Task.WhenAll(good.Append(bad)).ContinueWith(_ => { }, TaskScheduler.Default);

        Assert.All(good, t => Assert.True(t.IsCompletedSuccessfully, t.Exception?.ToString()));
        Assert.IsType<LedgerSequenceConflictException>(bad.Exception?.InnerException);
        foreach (var a in accounts)
        {
            Assert.Equal(-5, LedgerReplay.Balance(await Store.ReadAsync(a, 0, 10)));
        }

        Assert.Equal(-1, Assert.Single(await Store.ReadAsync(stale, 0, 10)).AmountMinor);
    }

    public static TheoryData<string> MalformedCalls =>
        ["empty", "external id", "sequence 0", "out of order", "account split", "balance chain", "unknown currency", "bad json", "reverses later", "register backwards"];

    [Theory]
    [MemberData(nameof(MalformedCalls))]
    public async Task AppendAsync_Malformed_ThrowsArgumentExceptionAndWritesNothing(string fault)
    {
        var (a, b) = (NewAccount(), NewAccount());
        var ok = Charges(a, 1, 0, -1, -2, -3);
        LedgerEntry[] call = fault switch
        {
            "empty" => [],
            "external id" => [ok[0] with { ExternalId = "p-1", RequestHash = "h" }],
            "sequence 0" => [ok[0] with { Sequence = 0 }],
            "out of order" => [ok[1], ok[0]],
            "account split" => [ok[0], .. Charges(b, 1, 0, -1), ok[1]],
            "balance chain" => [ok[0], ok[1] with { BalanceAfterMinor = 999 }],
            "unknown currency" => [ok[0] with { Currency = "XXZ" }],
            "bad json" => [ok[0] with { Details = "{not json" }],
            "reverses later" => [ok[0] with { Kind = LedgerEntryKind.Reversal, ReversesSequence = 1 }],
            "register backwards" => [ok[0] with { RegisterFromWh = 500, RegisterToWh = 400 }],
            _ => throw new ArgumentOutOfRangeException(nameof(fault)),
        };

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => Store.AppendAsync(call));

        Assert.Equal("entries", ex.ParamName);
        Assert.Empty(await Store.ReadAsync(a, 0, 10));
        Assert.Empty(await Store.ReadAsync(b, 0, 10));
    }

    [Fact]
    public async Task AppendAsync_CancelledBeforeItStarts_WritesNothing()
    {
        var a = NewAccount();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.AppendAsync(Charges(a, 1, 0, -1), cancelled.Token));

        Assert.Empty(await Store.ReadAsync(a, 0, 10));
    }

    [Fact]
    public async Task CommitExternalAsync_NewId_WritesTheEntriesAndFindsThemById()
    {
        var a = NewAccount();
        await Store.AppendAsync(Charges(a, 1, 0, -300));
        var topUp = TopUp(a, 2, -300, 10_000, "pay-" + a, "hash-1", -2_000, -500);

        var result = await Store.CommitExternalAsync(topUp);

        Assert.False(result.Replayed);
        Assert.Equal(topUp, result.Entries);
        Assert.Equal(topUp, await Store.FindExternalAsync("pay-" + a));
        var stored = await Store.ReadAsync(a, 0, 10);
        Assert.Equal([1L, 2L, 3L, 4L], stored.Select(e => e.Sequence));
        Assert.Equal(-300 + 10_000 - 2_000 - 500, LedgerReplay.Balance(stored));
    }

    [Fact]
    public async Task CommitExternalAsync_SameIdSameHash_ReturnsTheOriginalAndWritesNothing()
    {
        var a = NewAccount();
        var original = TopUp(a, 1, 0, 5_000, "pay-" + a, "hash-1", -1_000);
        await Store.CommitExternalAsync(original);

        // A retry after a reload: the grain would now put it at sequence 3.
        var retry = await Store.CommitExternalAsync(TopUp(a, 3, 4_000, 5_000, "pay-" + a, "hash-1"));

        Assert.True(retry.Replayed);
        Assert.Equal(original, retry.Entries);
        Assert.Equal(2, (await Store.ReadAsync(a, 0, 10)).Count);
    }

    [Fact]
    public async Task CommitExternalAsync_SameIdOtherHash_ThrowsAndWritesNothing()
    {
        var (a, b) = (NewAccount(), NewAccount());
        var id = "pay-" + a;
        await Store.CommitExternalAsync(TopUp(a, 1, 0, 5_000, id, "hash-1"));

        var same = await Assert.ThrowsAsync<IdempotencyConflictException>(() => Store.CommitExternalAsync(TopUp(a, 2, 5_000, 6_000, id, "hash-2")));
        var other = await Assert.ThrowsAsync<IdempotencyConflictException>(() => Store.CommitExternalAsync(TopUp(b, 1, 0, 5_000, id, "hash-3")));

        Assert.Equal(id, same.ExternalId);
        Assert.Equal(id, other.ExternalId);
        Assert.Single(await Store.ReadAsync(a, 0, 10));
        Assert.Empty(await Store.ReadAsync(b, 0, 10));
        Assert.Equal("hash-1", Assert.Single(await Store.FindExternalAsync(id)).RequestHash);
    }

    [Fact]
    public async Task CommitExternalAsync_StaleSequence_ThrowsConflictAndWritesNothing()
    {
        var a = NewAccount();
        await Store.AppendAsync(Charges(a, 1, 0, -10, -20));

        var ex = await Assert.ThrowsAsync<LedgerSequenceConflictException>(() => Store.CommitExternalAsync(TopUp(a, 2, -10, 1_000, "pay-" + a, "h")));

        Assert.Equal((2L, (long?)3L), (ex.Sequence, ex.ExpectedSequence));
        Assert.Empty(await Store.FindExternalAsync("pay-" + a));
        Assert.Equal(2, (await Store.ReadAsync(a, 0, 10)).Count);
    }

    [Theory]
    [InlineData("no id")]
    [InlineData("no hash")]
    [InlineData("id on allocation")]
    [InlineData("two accounts")]
    public async Task CommitExternalAsync_Malformed_ThrowsArgumentExceptionAndWritesNothing(string fault)
    {
        var a = NewAccount();
        var ok = TopUp(a, 1, 0, 1_000, "pay-" + a, "h", -100);
        LedgerEntry[] call = fault switch
        {
            "no id" => [ok[0] with { ExternalId = null }, ok[1]],
            "no hash" => [ok[0] with { RequestHash = null }, ok[1]],
            "id on allocation" => [ok[0], ok[1] with { ExternalId = "x", RequestHash = "h" }],
            "two accounts" => [ok[0], ok[1] with { AccountId = NewAccount(), Sequence = 1, BalanceAfterMinor = -100 }],
            _ => throw new ArgumentOutOfRangeException(nameof(fault)),
        };

        await Assert.ThrowsAsync<ArgumentException>(() => Store.CommitExternalAsync(call));

        Assert.Empty(await Store.ReadAsync(a, 0, 10));
        Assert.Empty(await Store.FindExternalAsync("pay-" + a));
    }

    [Fact]
    public async Task CommitExternalAsync_32ConcurrentCallsWithOneId_CommitOneEntrySet()
    {
        var a = NewAccount();
        var id = "pay-" + a;
        var topUp = TopUp(a, 1, 0, 2_000, id, "hash-1", -300);
        using var start = new ManualResetEventSlim();

        var calls = Enumerable.Range(0, 32).Select(_ => Task.Run(() =>
        {
            start.Wait();
            return Store.CommitExternalAsync(topUp);
        })).ToArray();
        start.Set();
        var results = await Task.WhenAll(calls);

        Assert.Equal(1, results.Count(r => !r.Replayed));
        Assert.All(results, r => Assert.Equal(topUp, r.Entries));
        Assert.Equal(topUp, await Store.ReadAsync(a, 0, 100));
    }

    [Fact]
    public async Task CommitExternalAsync_32ConcurrentCallsWithTwoContents_OneWinsTheOthersReplayOrConflict()
    {
        var a = NewAccount();
        var id = "pay-" + a;
        var contents = new[] { TopUp(a, 1, 0, 2_000, id, "hash-A"), TopUp(a, 1, 0, 3_000, id, "hash-B", -100) };
        using var start = new ManualResetEventSlim();

        var calls = Enumerable.Range(0, 32).Select(i => Task.Run(() =>
        {
            start.Wait();
            return Store.CommitExternalAsync(contents[i % 2]);
        })).ToArray();
        start.Set();
        await Task.WhenAll(calls).ContinueWith(_ => { }, TaskScheduler.Default);

        var stored = await Store.ReadAsync(a, 0, 100);
        var winner = contents.Single(c => c[0].RequestHash == stored[0].RequestHash);
        Assert.Equal(winner, stored);
        for (var i = 0; i < calls.Length; i++)
        {
            if (contents[i % 2] == winner)
            {
                Assert.True(calls[i].IsCompletedSuccessfully, calls[i].Exception?.ToString());
                Assert.Equal(winner, (await calls[i]).Entries);
            }
            else
            {
                Assert.IsType<IdempotencyConflictException>(calls[i].Exception?.InnerException);
            }
        }

        var committed = 0;
        foreach (var call in calls.Where(c => c.IsCompletedSuccessfully))
        {
            committed += (await call).Replayed ? 0 : 1;
        }

        Assert.Equal(1, committed);
    }

    [Fact]
    public async Task FindExternalAsync_UnknownId_ReturnsEmpty() =>
        Assert.Empty(await Store.FindExternalAsync("pay-never-" + Guid.NewGuid()));

    [Fact]
    public async Task FindExternalAsync_FollowedByMoreEntries_ReturnsOnlyItsOwn()
    {
        var a = NewAccount();
        var topUp = TopUp(a, 1, 0, 1_000, "pay-" + a, "h", -250);
        await Store.CommitExternalAsync(topUp);
        await Store.AppendAsync(Charges(a, 3, 750, -10));
        await Store.CommitExternalAsync(TopUp(a, 4, 740, 60, "pay2-" + a, "h"));

        Assert.Equal(topUp, await Store.FindExternalAsync("pay-" + a));
        Assert.Equal(4L, Assert.Single(await Store.FindExternalAsync("pay2-" + a)).Sequence);
    }

    [Fact]
    public async Task ReadAsync_AfterSequenceWithMax_ReturnsThatSlice()
    {
        var a = NewAccount();
        await Store.AppendAsync(Charges(a, 1, 0, -1, -2, -3, -4, -5, -6, -7, -8, -9, -10));

        Assert.Equal([4L, 5L, 6L, 7L], (await Store.ReadAsync(a, 3, 4)).Select(e => e.Sequence));
        Assert.Equal([9L, 10L], (await Store.ReadAsync(a, 8, 100)).Select(e => e.Sequence));
        Assert.Empty(await Store.ReadAsync(a, 10, 100));
        Assert.Empty(await Store.ReadAsync(NewAccount(), 0, 100));
        // The tail replays onto a snapshot taken at sequence 6 (balance -21).
        Assert.Equal(-55, LedgerReplay.Balance(await Store.ReadAsync(a, 6, 100), openingBalanceMinor: -21, afterSequence: 6));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.ReadAsync(a, 0, 0));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.ReadAsync("", 0, 10));
    }

    [Fact]
    public async Task ReadPeriodAsync_HalfOpenPeriod_ReturnsTheEntriesInsideInSequenceOrder()
    {
        var a = NewAccount();
        await Store.AppendAsync(Charges(a, 1, 0, -1, -2, -3, -4, -5, -6)); // at T0 + 1 … 6 minutes

        Assert.Equal([2L, 3L, 4L], (await Store.ReadPeriodAsync(a, T0.AddMinutes(2), T0.AddMinutes(5), 100)).Select(e => e.Sequence));
        Assert.Equal([2L, 3L], (await Store.ReadPeriodAsync(a, T0.AddMinutes(2), T0.AddMinutes(5), 2)).Select(e => e.Sequence));
        // The same period in Shanghai time.
        var offset = TimeSpan.FromHours(8);
        Assert.Equal([5L, 6L], (await Store.ReadPeriodAsync(a, T0.AddMinutes(5).ToOffset(offset), T0.AddDays(1).ToOffset(offset), 100)).Select(e => e.Sequence));
        Assert.Empty(await Store.ReadPeriodAsync(a, T0.AddMinutes(3), T0.AddMinutes(3), 100));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.ReadPeriodAsync(a, T0.AddMinutes(5), T0, 100));
    }

    /// <summary>
    /// Random appends, top-ups (some reusing a payment id, some with the other content), and stale appends on a few
    /// accounts: every call's outcome and the final ledger equal a simple model, and the ledger replays to the model.
    /// </summary>
    [Fact]
    public async Task Ledger_RandomOperations_AgreeWithAModelAndReplay()
    {
        var operation = Gen.Select(Gen.Int[0, 3], Gen.Int[0, 2], Gen.Long[-500, 500], Gen.Int[0, 3], Gen.Int[0, 1]);
        await operation.Array[1, 30].SampleAsync(
            async ops =>
            {
                var run = Guid.NewGuid().ToString("N");
                var accounts = Enumerable.Range(0, 3).Select(i => $"prop-{run}-{i}").ToArray();
                var model = accounts.ToDictionary(a => a, _ => new List<LedgerEntry>());
                var payments = new Dictionary<string, LedgerEntry[]>();
                foreach (var (kind, account, amount, payment, variant) in ops)
                {
                    var a = accounts[account];
                    var ledger = model[a];
                    var next = ledger.Count + 1;
                    var balance = ledger.Count == 0 ? 0 : ledger[^1].BalanceAfterMinor;
                    switch (kind)
                    {
                        case 0 or 1: // usage, one or two entries
                            var charges = kind == 0 ? Charges(a, next, balance, -Math.Abs(amount)) : Charges(a, next, balance, -Math.Abs(amount), -1);
                            await Store.AppendAsync(charges);
                            ledger.AddRange(charges);
                            break;
                        case 2: // a top-up; the payment id may have been used, with this or the other content
                            var id = $"pay-{run}-{payment}";
                            var topUp = TopUp(a, next, balance, Math.Abs(amount) + 1, id, $"hash-{variant}", variant == 0 ? [] : [-1]);
                            if (payments.TryGetValue(id, out var original))
                            {
                                if (original[0].RequestHash == topUp[0].RequestHash)
                                {
                                    var replay = await Store.CommitExternalAsync(topUp);
                                    Assert.True(replay.Replayed);
                                    Assert.Equal(original, replay.Entries);
                                }
                                else
                                {
                                    await Assert.ThrowsAsync<IdempotencyConflictException>(() => Store.CommitExternalAsync(topUp));
                                }
                            }
                            else
                            {
                                var result = await Store.CommitExternalAsync(topUp);
                                Assert.False(result.Replayed);
                                payments.Add(id, topUp);
                                ledger.AddRange(topUp);
                            }

                            break;
                        default: // a stale writer repeats the last sequence (or skips the first)
                            var staleSequence = ledger.Count == 0 ? 2 : ledger.Count;
                            var ex = await Assert.ThrowsAsync<LedgerSequenceConflictException>(() => Store.AppendAsync(Charges(a, staleSequence, 0, -1)));
                            Assert.Equal(next, ex.ExpectedSequence);
                            break;
                    }
                }

                foreach (var a in accounts)
                {
                    var stored = await Store.ReadAsync(a, 0, 1_000);
                    Assert.Equal(model[a], stored);
                    Assert.Equal(model[a].Sum(e => e.AmountMinor), LedgerReplay.Balance(stored));
                }

                foreach (var (id, entries) in payments)
                {
                    Assert.Equal(entries, await Store.FindExternalAsync(id));
                }
            },
            iter: PropertyIterations,
            threads: 1);
    }
}
