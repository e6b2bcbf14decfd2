using System.Diagnostics;
using System.Globalization;

namespace PrepaidPower.Persistence.Local;

/// <summary>
/// Stops a PostgreSQL server when a watched process dies, even by SIGKILL (which runs no handler of ours): a tiny
/// detached shell, in its own session so a Ctrl+C to our process group does not take it along, polls both PIDs
/// every second and sends the postmaster SIGINT (PostgreSQL's "fast" shutdown, what <c>pg_ctl stop -m fast</c> sends)
/// once the watched process is gone. It exits by itself when the server stops first, so it never outlives its
/// server by more than a second and can never stop a later server on the same data folder.
/// </summary>
public sealed class PostgresWatchdog : IDisposable
{
    private readonly Process _process;

    private PostgresWatchdog(Process process, int watchedProcessId, int postmasterProcessId)
    {
        _process = process;
        WatchedProcessId = watchedProcessId;
        PostmasterProcessId = postmasterProcessId;
        ProcessId = process.Id;
    }

    /// <summary>The process whose death stops the server.</summary>
    public int WatchedProcessId { get; }

    /// <summary>The server's postmaster process (first line of <c>postmaster.pid</c>).</summary>
    public int PostmasterProcessId { get; }

    /// <summary>The watchdog shell's process id (kept after <see cref="Dispose"/>, to check that it is gone).</summary>
    public int ProcessId { get; }

    /// <summary>
    /// Starts a watchdog that stops <paramref name="postmasterProcessId"/> when <paramref name="watchedProcessId"/> is
    /// gone and then, if given, deletes <paramref name="deleteAfterStop"/> (a throwaway instance's folder, which its
    /// killed owner can no longer delete).
    /// </summary>
    public static PostgresWatchdog Attach(int watchedProcessId, int postmasterProcessId, string? deleteAfterStop = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(watchedProcessId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(postmasterProcessId);
        if (deleteAfterStop is not null && !Path.IsPathFullyQualified(deleteAfterStop))
        {
            throw new ArgumentException($"The folder to delete must be an absolute path, not '{deleteAfterStop}'.", nameof(deleteAfterStop));
        }

        var w = watchedProcessId.ToString(CultureInfo.InvariantCulture);
        var p = postmasterProcessId.ToString(CultureInfo.InvariantCulture);

        // Standard streams go to /dev/null first: an inherited pipe (e.g. the test runner's) held open by the
        // watchdog would keep whoever reads it waiting for end of file. The wait for the server to go before the
        // delete is bounded, because a dead server that nobody reaps stays visible to kill -0 as a zombie.
        var delete = deleteAfterStop is null
            ? string.Empty
            : $"i=0; while kill -0 {p} && [ $i -lt 120 ]; do sleep 0.5; i=$((i+1)); done; rm -rf -- {ShellQuote(deleteAfterStop)}; ";
        var script =
            "exec </dev/null >/dev/null 2>&1; " +
            $"while kill -0 {w} && kill -0 {p}; do sleep 1; done; " +
            $"if ! kill -0 {w}; then kill -INT {p}; {delete}fi";
        var startInfo = new ProcessStartInfo("setsid", ["sh", "-c", script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        var process = Process.Start(startInfo)
            ?? throw new ManagedPostgresException("Could not start the watchdog shell (setsid sh).");
        return new PostgresWatchdog(process, watchedProcessId, postmasterProcessId);
    }

    private static string ShellQuote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Ends the watchdog without touching the server (the owner stops the server itself).</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone: nothing to end.
        }

        _process.Dispose();
    }
}
