// The SQL side of the SQL-only baseline: its schema, the tariff's tiers as a table, the accounts, and the one set-based
// statement that prices a poll batch, deducts it, records the charges and decides the cuts.
using Npgsql;
using NpgsqlTypes;
using PrepaidPower.Domain;
using PrepaidPower.Domain.Rating;
using PrepaidPower.Domain.Tariffs;

namespace PrepaidPower.LoadTest;

/// <summary>One poll's register values: meter index and total energy register in whole Wh, appended by one poller.</summary>
internal sealed class ReadingBatch(int capacity)
{
    private int[] _meters = new int[Math.Max(capacity, 1)];
    private long[] _wattHours = new long[Math.Max(capacity, 1)];

    public int Count { get; private set; }

    public int Meter(int i) => _meters[i];

    public long WattHours(int i) => _wattHours[i];

    public void Add(int meter, long wattHours)
    {
        if (Count == _meters.Length)
        {
            Array.Resize(ref _meters, Count * 2);
            Array.Resize(ref _wattHours, Count * 2);
        }

        _meters[Count] = meter;
        _wattHours[Count] = wattHours;
        Count++;
    }

    public void Clear() => Count = 0;
}

/// <summary>One account as the reconciliation sees it: billed energy (Wh) and money in minor units.</summary>
internal readonly record struct SqlOnlyAccount(int Id, long BilledWh, long OpeningMinor, long BalanceMinor, long PostedMinor, bool Cut);

/// <summary>
/// Accounts, tiers and charges in schema <see cref="Schema"/> of one PostgreSQL database, driven through ONE session
/// (the staging table is a temp table of that session). Accounts and charges are ordinary logged tables, so a priced
/// batch is as durable as the grain run's ledger; only the staging table skips the WAL.
/// Pricing is the tariff's cumulative tiers for a single band with no standing charge (what the harness's Shanghai
/// tariff is), with the grain rater's tier bounds (pro-rated for an account opened inside the tier period, through
/// <see cref="Rater.TierBound"/>); each reading is priced in the tier period and tariff version of the batch instant.
/// Not thread-safe: one caller at a time.
/// </summary>
internal sealed class SqlOnlyStore : IAsyncDisposable
{
    public const string Schema = "sqlonly";

    private const string CreateSql = $"""
        drop schema if exists {Schema} cascade;
        create schema {Schema};
        -- One row per (tariff version, opening date, tier period, tier): the bounds depend on all three.
        create table {Schema}.tiers (
            version      int     not null,
            opened_on    date    not null,
            period_start date    not null,
            tier         int     not null,
            lower_wh     bigint  not null,
            upper_wh     bigint,                 -- null: the open-ended last tier
            price        numeric not null,       -- major units per kWh, exact
            primary key (version, opened_on, period_start, tier));
        -- Updated in place every round; fillfactor leaves room for HOT updates (no indexed column changes).
        create table {Schema}.accounts (
            id            int         not null primary key,
            currency      char(3)     not null,
            opened_on     date        not null,
            opening_minor bigint      not null,
            balance_minor bigint      not null,
            period_start  date        not null,  -- tier period of tier_used_wh
            tier_used_wh  bigint      not null,  -- energy used in that period
            exact_minor   numeric     not null,  -- exact charges so far, minor units (ChargeAccumulator.ExactMinorTotal)
            posted_minor  bigint      not null,  -- whole minor units posted so far (ChargeAccumulator.PostedMinorTotal)
            last_wh       bigint,                -- register baseline: last accepted total energy, Wh
            billed_wh     bigint      not null,
            cut_at        timestamptz) with (fillfactor = 50);
        -- The ledger of charges: one row per account and priced reading, append-only.
        create table {Schema}.charges (
            account_id          int         not null,
            at                  timestamptz not null,
            wh                  bigint      not null,
            exact_minor         numeric     not null,
            posted_minor        bigint      not null,
            balance_after_minor bigint      not null,
            primary key (account_id, at));
        """;

    private readonly NpgsqlConnection _connection;
    private readonly Tariff _tariff;
    private readonly decimal _minorPerWattHourPerPrice;
    private readonly string _priceSql;
    private readonly HashSet<(int Version, DateOnly OpenedOn, DateOnly Period)> _tiersLoaded = [];
    private readonly HashSet<DateOnly> _openedOn = [];

    private SqlOnlyStore(NpgsqlConnection connection, Tariff tariff)
    {
        _connection = connection;
        _tariff = tariff;
        // price is major units per kWh: Wh × price × (minor per major) / 1000 is the exact charge in minor units.
        _minorPerWattHourPerPrice = tariff.Currency.MinorPerMajor / 1000m;
        _priceSql = PriceSql(RoundFunction(tariff));
    }

    public Tariff Tariff => _tariff;

    /// <summary>Drops and re-creates schema <see cref="Schema"/> and opens the session.</summary>
    /// <exception cref="NotSupportedException">The tariff has time-of-use bands, a standing charge or HalfEven rounding.</exception>
    public static async Task<SqlOnlyStore> CreateAsync(string connectionString, Tariff tariff, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tariff);
        foreach (var v in tariff.Versions)
        {
            if (v.Bands.Length != 1 || v.StandingChargePerDay != 0)
            {
                throw new NotSupportedException($"The SQL-only rater prices single-band tariffs without a standing charge; tariff '{tariff.Id}' version {v.EffectiveFrom:yyyy-MM-dd} has {v.Bands.Length} band(s) and a standing charge of {v.StandingChargePerDay}.");
            }
        }

        _ = RoundFunction(tariff);
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using (var create = new NpgsqlCommand(CreateSql, connection))
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }

            // Staging: session-local, no WAL, emptied by every commit.
            await using (var staging = new NpgsqlCommand("create temp table batch (meter int not null, wh bigint not null) on commit delete rows", connection))
            {
                await staging.ExecuteNonQueryAsync(cancellationToken);
            }

            return new SqlOnlyStore(connection, tariff);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Opens accounts 0…count−1 in the tariff's currency with <paramref name="openingMinor"/>, opened at <paramref name="openedAt"/>.</summary>
    public async Task OpenAccountsAsync(int count, Func<int, long> openingMinor, DateTimeOffset openedAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(openingMinor);
        var openedOn = LocalDate(openedAt);
        var period = Rater.PeriodStart(_tariff.Versions[VersionAt(openedAt)].TierPeriod, openedOn);
        _openedOn.Add(openedOn);
        await using var importer = await _connection.BeginBinaryImportAsync(
            $"copy {Schema}.accounts (id, currency, opened_on, opening_minor, balance_minor, period_start, tier_used_wh, exact_minor, posted_minor, billed_wh) from stdin (format binary)",
            cancellationToken);
        for (var id = 0; id < count; id++)
        {
            var opening = openingMinor(id);
            await importer.StartRowAsync(cancellationToken);
            await importer.WriteAsync(id, NpgsqlDbType.Integer, cancellationToken);
            await importer.WriteAsync(_tariff.Currency.Code, NpgsqlDbType.Char, cancellationToken);
            await importer.WriteAsync(openedOn, NpgsqlDbType.Date, cancellationToken);
            await importer.WriteAsync(opening, NpgsqlDbType.Bigint, cancellationToken);
            await importer.WriteAsync(opening, NpgsqlDbType.Bigint, cancellationToken);
            await importer.WriteAsync(period, NpgsqlDbType.Date, cancellationToken);
            await importer.WriteAsync(0L, NpgsqlDbType.Bigint, cancellationToken);
            await importer.WriteAsync(0m, NpgsqlDbType.Numeric, cancellationToken);
            await importer.WriteAsync(0L, NpgsqlDbType.Bigint, cancellationToken);
            await importer.WriteAsync(0L, NpgsqlDbType.Bigint, cancellationToken);
        }

        await importer.CompleteAsync(cancellationToken);
    }

    /// <summary>
    /// Round 0: the registers become the accounts' baselines (nothing is charged), and an account already at or below
    /// zero is cut. Returns the accounts newly cut.
    /// </summary>
    public Task<List<int>> BaselineAsync(IReadOnlyList<ReadingBatch> batches, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        RunBatchAsync(batches, $"""
            with base as (
                update {Schema}.accounts a set last_wh = s.wh
                from pg_temp.batch s
                where a.id = s.meter and a.last_wh is null
                returning a.id)
            update {Schema}.accounts a set cut_at = @at
            where a.cut_at is null and a.balance_minor <= 0
            returning a.id
            """, at, cancellationToken);

    /// <summary>
    /// Prices the batch in one statement: each account's register advance (none for a repeated or lower register: a lower
    /// one is held, the baseline kept) is split over the tier bounds from its tier counter, the exact charge added to its
    /// running total, round(total) − posted deducted, a charge row written, and the account cut the first time its
    /// balance is at or below zero. Returns the accounts newly cut, in one transaction with everything else.
    /// </summary>
    public async Task<List<int>> PriceAsync(IReadOnlyList<ReadingBatch> batches, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        var version = VersionAt(at);
        var period = Rater.PeriodStart(_tariff.Versions[version].TierPeriod, LocalDate(at));
        await EnsureTiersAsync(version, period, cancellationToken);
        return await RunBatchAsync(batches, _priceSql, at, cancellationToken, version, period);
    }

    /// <summary>Every account with the sum of its posted charges, by id.</summary>
    public async Task<List<SqlOnlyAccount>> ReadAccountsAsync(CancellationToken cancellationToken = default)
    {
        await using var command = new NpgsqlCommand($"""
            select a.id, a.billed_wh, a.opening_minor, a.balance_minor, coalesce(c.posted, 0)::bigint, a.cut_at is not null
            from {Schema}.accounts a
            left join (select account_id, sum(posted_minor) as posted from {Schema}.charges group by account_id) c on c.account_id = a.id
            order by a.id
            """, _connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var accounts = new List<SqlOnlyAccount>();
        while (await reader.ReadAsync(cancellationToken))
        {
            accounts.Add(new SqlOnlyAccount(reader.GetInt32(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetBoolean(5)));
        }

        return accounts;
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private static string PriceSql(string round) => $"""
        with r as (
            select a.id, a.opened_on, s.wh as reading_wh, s.wh - a.last_wh as wh,
                   case when a.period_start = @period then a.tier_used_wh else 0 end as used0,
                   a.exact_minor, a.posted_minor, a.balance_minor, a.cut_at
            from pg_temp.batch s
            join {Schema}.accounts a on a.id = s.meter
            where s.wh > a.last_wh),
        charge as (
            select r.id, sum((least(r.used0 + r.wh, coalesce(t.upper_wh, r.used0 + r.wh)) - greatest(r.used0, t.lower_wh)) * t.price) * @k as exact
            from r
            join {Schema}.tiers t on t.version = @version and t.opened_on = r.opened_on and t.period_start = @period
                 and t.lower_wh < r.used0 + r.wh and (t.upper_wh is null or t.upper_wh > r.used0)
            group by r.id),
        priced as (
            select r.*, c.exact, ({round}(r.exact_minor + c.exact))::bigint - r.posted_minor as post
            from r join charge c on c.id = r.id),
        upd as (
            update {Schema}.accounts a set
                last_wh = p.reading_wh,
                period_start = @period,
                tier_used_wh = p.used0 + p.wh,
                billed_wh = a.billed_wh + p.wh,
                exact_minor = p.exact_minor + p.exact,
                posted_minor = p.posted_minor + p.post,
                balance_minor = p.balance_minor - p.post,
                cut_at = case when p.cut_at is null and p.balance_minor - p.post <= 0 then @at else p.cut_at end
            from priced p
            where a.id = p.id
            returning a.id, p.cut_at is null and a.cut_at is not null as newly_cut),
        ins as (
            insert into {Schema}.charges (account_id, at, wh, exact_minor, posted_minor, balance_after_minor)
            select id, @at, wh, exact, post, balance_minor - post from priced)
        select id from upd where newly_cut
        """;

    private static string RoundFunction(Tariff tariff) => tariff.Rounding switch
    {
        // Charges are never negative, so away from zero is ceil and toward zero is trunc; PostgreSQL's round(numeric)
        // rounds halves away from zero.
        MoneyRounding.HalfUp => "round",
        MoneyRounding.Down => "trunc",
        MoneyRounding.Up => "ceil",
        _ => throw new NotSupportedException($"The SQL-only rater has no {tariff.Rounding} rounding (PostgreSQL's round() is half away from zero); tariff '{tariff.Id}'."),
    };

    private async Task<List<int>> RunBatchAsync(IReadOnlyList<ReadingBatch> batches, string sql, DateTimeOffset at, CancellationToken cancellationToken, int version = 0, DateOnly period = default)
    {
        await using var transaction = await _connection.BeginTransactionAsync(cancellationToken);
        await using (var importer = await _connection.BeginBinaryImportAsync("copy pg_temp.batch (meter, wh) from stdin (format binary)", cancellationToken))
        {
            foreach (var batch in batches)
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    await importer.StartRowAsync(cancellationToken);
                    await importer.WriteAsync(batch.Meter(i), NpgsqlDbType.Integer, cancellationToken);
                    await importer.WriteAsync(batch.WattHours(i), NpgsqlDbType.Bigint, cancellationToken);
                }
            }

            await importer.CompleteAsync(cancellationToken);
        }

        var cut = new List<int>();
        await using (var command = new NpgsqlCommand(sql, _connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("at", NpgsqlDbType.TimestampTz) { TypedValue = at.ToUniversalTime() });
            command.Parameters.Add(new NpgsqlParameter<int>("version", NpgsqlDbType.Integer) { TypedValue = version });
            command.Parameters.Add(new NpgsqlParameter<DateOnly>("period", NpgsqlDbType.Date) { TypedValue = period });
            command.Parameters.Add(new NpgsqlParameter<decimal>("k", NpgsqlDbType.Numeric) { TypedValue = _minorPerWattHourPerPrice });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                cut.Add(reader.GetInt32(0));
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return cut;
    }

    /// <summary>Writes the tier rows of (version, period) for every opening date seen, once.</summary>
    private async Task EnsureTiersAsync(int version, DateOnly period, CancellationToken cancellationToken)
    {
        var v = _tariff.Versions[version];
        var modifier = _tariff.QuotaModifierForHousehold(1);
        foreach (var openedOn in _openedOn)
        {
            if (!_tiersLoaded.Add((version, openedOn, period)))
            {
                continue;
            }

            await using var batch = new NpgsqlBatch(_connection);
            long lower = 0;
            for (var k = 0; k < v.Tiers.Length; k++)
            {
                long? upper = k < v.Tiers.Length - 1 ? Rater.TierBound(v, k, period, openedOn, modifier).WattHours : null;
                var command = new NpgsqlBatchCommand($"insert into {Schema}.tiers (version, opened_on, period_start, tier, lower_wh, upper_wh, price) values ($1, $2, $3, $4, $5, $6, $7)");
                command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = version });
                command.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = openedOn });
                command.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = period });
                command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = k });
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = lower });
                command.Parameters.Add(new NpgsqlParameter { Value = (object?)upper ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
                command.Parameters.Add(new NpgsqlParameter<decimal> { TypedValue = v.Tiers[k].Prices[0] });
                batch.BatchCommands.Add(command);
                lower = upper ?? lower;
            }

            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private int VersionAt(DateTimeOffset at)
    {
        var version = _tariff.VersionIndexAt(at);
        return version >= 0 ? version : throw new InvalidOperationException($"{at:O} is before tariff '{_tariff.Id}' begins.");
    }

    private DateOnly LocalDate(DateTimeOffset at) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, _tariff.TimeZone).DateTime);
}
