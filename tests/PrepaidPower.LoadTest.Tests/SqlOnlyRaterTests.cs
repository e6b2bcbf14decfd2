using Microsoft.Extensions.Time.Testing;
using Npgsql;
using PrepaidPower.Domain.Tariffs;
using PrepaidPower.Simulator;
using PrepaidPower.Tests.Shared;
using Xunit.Abstractions;

namespace PrepaidPower.LoadTest.Tests;

/// <summary>The SQL-only baseline on the real PostgreSQL and simulator: a small run reconciles, and the SQL prices exactly.</summary>
[Trait("Category", "Integration")]
[Collection(PostgresCollection.Name)]
public sealed class SqlOnlyRaterTests(PostgresFixture postgres, ITestOutputHelper output)
{
    private static readonly DateTimeOffset Start = new(2030, 1, 7, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task RunAsync_2000MetersFor10Seconds_CutsEveryLowCreditAccountThatUsedItAndReconciles()
    {
        var cs = await postgres.CreateDatabaseAsync();
        var clock = new FakeTimeProvider(Start);

        var result = await SqlOnlyRater.RunAsync(cs, 2000, 4, clock, TimeSpan.FromMinutes(15), TimeSpan.FromSeconds(10), m => m % 10 == 3 ? 50 : 1_000_000);

        output.WriteLine($"{result}");
        Assert.True(result.Readings > 0);
        Assert.True(result.Rounds > 0);
        Assert.Equal(result.Rounds * 2000L, result.Readings);
        Assert.Equal(0, result.EnergyDifferenceWh);
        Assert.Equal(0, result.MoneyDifferenceMinor);

        // Which low-credit accounts could stay uncut: vacant meters draw 0–5 W of standby, so 50 fen (≈ 810 Wh) lasts
        // them about two simulated weeks, longer than a 10-second run simulates. Every other one must be cut.
        var city = new SimulatedCity(new SimulatorOptions { Meters = 2000, Concentrators = 4, Layout = SimulatedLayouts.Table, Seed = 5, Start = Start, TimeProvider = new FakeTimeProvider(Start) });
        var accounts = await ReadAsync(cs, "select id, balance_minor, cut_at is not null from sqlonly.accounts order by id");
        var cut = accounts.Where(a => a.Cut).Select(a => a.Id).ToArray();
        Assert.Equal(cut.Length, result.AccountsCut);
        Assert.All(cut, id => Assert.Equal(3, id % 10));
        Assert.All(accounts.Where(a => a.Cut), a => Assert.True(a.Balance <= 0));
        var uncutLow = accounts.Where(a => a.Id % 10 == 3 && !a.Cut).ToArray();
        Assert.All(uncutLow, a =>
        {
            Assert.True(a.Balance > 0, $"account {a.Id} has {a.Balance} fen but was not cut");
            Assert.Equal(ConsumptionKind.Vacant, city.GetTruth(a.Id).Kind);
        });
        Assert.True(cut.Length >= 150, $"only {cut.Length} of 200 low-credit accounts were cut");
    }

    [Fact]
    public async Task PriceAsync_ReadingCrossesTheFirstTierBound_ChargesTheHandComputedFenAndCutsOnce()
    {
        var cs = await postgres.CreateDatabaseAsync();
        var tariff = TariffLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "tariffs", SqlOnlyRater.TariffFile));
        await using var store = await SqlOnlyStore.CreateAsync(cs, tariff);
        // Opened on 1 January (Shanghai): a full tariff year, so the first bound is the tariff's own 3,120 kWh.
        var opened = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.FromHours(8));
        await store.OpenAccountsAsync(2, m => m == 0 ? 150 : 1_000_000, opened);
        Assert.Empty(await store.BaselineAsync([Batch((0, 5_000_000), (1, 100))], opened));
        await ExecuteAsync(cs, "update sqlonly.accounts set tier_used_wh = 3119000 where id = 0");

        // 1,230 Wh from 3,119 kWh: 1,000 Wh × 0.617 + 230 Wh × 0.667 = 0.617 + 0.15341 CNY = 77.041 fen → 77 posted.
        var t1 = opened.AddHours(1);
        Assert.Empty(await store.PriceAsync([Batch((0, 5_001_230))], t1));
        // A repeated register charges nothing; a lower one is held (not charged, baseline kept at 100 Wh).
        Assert.Empty(await store.PriceAsync([Batch((0, 5_001_230), (1, 50))], t1.AddMinutes(15)));
        // 1,500 Wh all in tier 2: 1.0005 CNY = 100.05 fen; exact total 177.091 → 177, so 100 posted; 150 − 177 < 0: cut.
        // Account 1: 150 − 100 = 50 Wh × 0.617 = 3.085 fen → 3 (6 had the held reading moved its baseline).
        var t3 = t1.AddMinutes(30);
        Assert.Equal([0], await store.PriceAsync([Batch((0, 5_002_730), (1, 150))], t3));
        // Cut once: more usage charges but does not cut again.
        Assert.Empty(await store.PriceAsync([Batch((0, 5_002_740))], t1.AddMinutes(45)));

        var charges = await ReadRowsAsync(cs, "select account_id, wh, exact_minor, posted_minor, balance_after_minor from sqlonly.charges order by account_id, at");
        Assert.Equal(
            [
                "0 1230 77.041 77 73",
                "0 1500 100.05 100 -27",
                "0 10 0.667 1 -28",
                "1 50 3.085 3 999997",
            ],
            charges);
        var account = await ReadRowsAsync(cs, "select tier_used_wh, billed_wh, exact_minor, posted_minor, balance_minor, last_wh, cut_at from sqlonly.accounts where id = 0");
        Assert.Equal([$"3121740 2740 177.758 178 -28 5002740 {t3.UtcDateTime:O}"], account);
        var all = await store.ReadAccountsAsync();
        Assert.Equal(new SqlOnlyAccount(0, 2740, 150, -28, 178, true), all[0]);
        Assert.Equal(new SqlOnlyAccount(1, 50, 1_000_000, 999_997, 3, false), all[1]);
    }

    [Fact]
    public async Task PriceAsync_AccountOpenedMidYear_UsesTheGrainRatersProRatedBound()
    {
        var cs = await postgres.CreateDatabaseAsync();
        var tariff = TariffLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "tariffs", SqlOnlyRater.TariffFile));
        await using var store = await SqlOnlyStore.CreateAsync(cs, tariff);
        // Opened on 1 July: half a year left, so the first bound is 1,560 kWh (Rater.TierBound's own worked example).
        var opened = new DateTimeOffset(2030, 7, 1, 0, 0, 0, TimeSpan.FromHours(8));
        await store.OpenAccountsAsync(1, _ => 1_000_000, opened);
        await store.BaselineAsync([Batch((0, 0))], opened);
        await ExecuteAsync(cs, "update sqlonly.accounts set tier_used_wh = 1559000 where id = 0");

        // 2,000 Wh from 1,559 kWh: 1,000 Wh × 0.617 + 1,000 Wh × 0.667 = 128.4 fen → 128.
        await store.PriceAsync([Batch((0, 2_000))], opened.AddHours(1));

        Assert.Equal(["2000 128.4 128"], await ReadRowsAsync(cs, "select wh, exact_minor, posted_minor from sqlonly.charges"));
    }

    private static ReadingBatch Batch(params (int Meter, long Wh)[] readings)
    {
        var batch = new ReadingBatch(readings.Length);
        foreach (var (meter, wh) in readings)
        {
            batch.Add(meter, wh);
        }

        return batch;
    }

    private static async Task ExecuteAsync(string cs, string sql)
    {
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<List<string>> ReadRowsAsync(string cs, string sql)
    {
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(string.Join(' ', Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetValue(i) switch
            {
                DateTime d => d.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                decimal m => m.ToString("G29", System.Globalization.CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
                var v => v.ToString(),
            })));
        }

        return rows;
    }

    private static async Task<List<(int Id, long Balance, bool Cut)>> ReadAsync(string cs, string sql)
    {
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(int, long, bool)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetInt32(0), reader.GetInt64(1), reader.GetBoolean(2)));
        }

        return rows;
    }
}
