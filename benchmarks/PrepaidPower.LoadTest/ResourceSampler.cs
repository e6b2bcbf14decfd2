using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace PrepaidPower.LoadTest;

/// <summary>
/// CPU of this process and of the whole machine (/proc/stat, so PostgreSQL and the simulator count too), and the
/// database's committed transactions and written rows (pg_stat_database), summed over the timed intervals only.
/// </summary>
internal sealed class ResourceSampler(NpgsqlDataSource? database)
{
    private TimeSpan processCpu;
    private long machineBusy;
    private long machineTotal;
    private long transactions;
    private long rows;
    private TimeSpan wall;
    private Snapshot? open;

    public async Task StartAsync()
    {
        open = await TakeAsync();
    }

    public async Task StopAsync()
    {
        var start = open ?? throw new InvalidOperationException("StopAsync without StartAsync.");
        var end = await TakeAsync();
        processCpu += end.ProcessCpu - start.ProcessCpu;
        machineBusy += end.MachineBusy - start.MachineBusy;
        machineTotal += end.MachineTotal - start.MachineTotal;
        transactions += end.Transactions - start.Transactions;
        rows += end.Rows - start.Rows;
        wall += Stopwatch.GetElapsedTime(start.At, end.At);
        open = null;
    }

    /// <summary>Cores this process kept busy on average (2.0 = both cores of a 2-core machine).</summary>
    public double ProcessCores => wall > TimeSpan.Zero ? Math.Round(processCpu / wall, 2) : 0;

    /// <summary>Busy share of all the machine's cores, percent.</summary>
    public double MachineCpuPercent => machineTotal > 0 ? Math.Round(100.0 * machineBusy / machineTotal, 1) : 0;

    public double? TransactionsPerSecond => database is null || wall <= TimeSpan.Zero ? null : Math.Round(transactions / wall.TotalSeconds);

    public double? RowsPerSecond => database is null || wall <= TimeSpan.Zero ? null : Math.Round(rows / wall.TotalSeconds);

    private async Task<Snapshot> TakeAsync()
    {
        long tx = 0, written = 0;
        if (database is not null)
        {
            // Backends publish their counters when idle (at most once a second): ask for a fresh view first.
            await using var cmd = database.CreateCommand(
                "select pg_stat_clear_snapshot(); select xact_commit, tup_inserted + tup_updated + tup_deleted from pg_stat_database where datname = current_database()");
            await using var reader = await cmd.ExecuteReaderAsync();
            await reader.NextResultAsync();
            if (await reader.ReadAsync())
            {
                tx = reader.GetInt64(0);
                written = reader.GetInt64(1);
            }
        }

        var (busy, total) = MachineCpu();
        return new Snapshot(Stopwatch.GetTimestamp(), Process.GetCurrentProcess().TotalProcessorTime, busy, total, tx, written);
    }

    private static (long Busy, long Total) MachineCpu()
    {
        if (!File.Exists("/proc/stat"))
        {
            return (0, 0);
        }

        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var idle = fields[3] + fields[4];
        var total = fields.Take(8).Sum();
        return (total - idle, total);
    }

    private sealed record Snapshot(long At, TimeSpan ProcessCpu, long MachineBusy, long MachineTotal, long Transactions, long Rows);
}
