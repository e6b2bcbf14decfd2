// Runs the PostgreSQL command-line tools as the OS user that owns the data folder, and captures their output.
using System.Diagnostics;
using System.Text;

namespace PrepaidPower.Persistence.Local;

/// <summary>
/// The OS user the server runs as: <c>postgres</c> when this process is root (initdb and postgres refuse to run as
/// root), otherwise the current user. Commands for the server user go through <c>setpriv</c> from util-linux, which
/// every Debian system has and which, unlike <c>su</c>/<c>runuser</c>, opens no PAM session.
/// </summary>
internal sealed class ServerUser
{
    private const string PostgresUserName = "postgres";

    private ServerUser(string? switchTo) => SwitchTo = switchTo;

    /// <summary>The user to switch to, or null to run commands as ourselves.</summary>
    public string? SwitchTo { get; }

    public static bool IsRoot => !OperatingSystem.IsWindows() && Environment.IsPrivilegedProcess;

    /// <summary>Picks the user for this process; throws when we are root and there is no <c>postgres</c> user.</summary>
    public static ServerUser Detect()
    {
        if (!IsRoot)
        {
            return new ServerUser(null);
        }

        if (!PasswdHasUser(PostgresUserName))
        {
            throw new ManagedPostgresException(
                "This process runs as root, and PostgreSQL refuses to run as root, but there is no OS user " +
                $"'{PostgresUserName}' to run it as. Install the server package (apt-get install -y postgresql), " +
                "which creates that user, or run as a non-root user, or pass --postgres \"<connection string>\".");
        }

        return new ServerUser(PostgresUserName);
    }

    /// <summary>Gives the server user ownership of <paramref name="path"/> (recursively); nothing to do when we are it.</summary>
    public async Task ChownAsync(string path, CancellationToken cancellationToken)
    {
        if (SwitchTo is null)
        {
            return;
        }

        var result = await CommandRunner.RunAsync("chown", ["-R", $"{SwitchTo}:", path], null, TimeSpan.FromSeconds(30), cancellationToken);
        result.ThrowIfFailed($"chown {path} to {SwitchTo}");
    }

    /// <summary>Whether the server user can reach <paramref name="directory"/> (every ancestor searchable).</summary>
    public async Task<bool> CanTraverseAsync(string directory, CancellationToken cancellationToken)
    {
        var result = await CommandRunner.RunAsync("test", ["-x", directory], this, TimeSpan.FromSeconds(30), cancellationToken);
        return result.ExitCode == 0;
    }

    /// <summary>The program and arguments that run <paramref name="fileName"/> as this user.</summary>
    public (string FileName, IReadOnlyList<string> Arguments) Wrap(string fileName, IReadOnlyList<string> arguments)
    {
        if (SwitchTo is null)
        {
            return (fileName, arguments);
        }

        // --reset-env gives the tool the user's own HOME and a clean environment, so a PGDATA or PGPORT of ours
        // cannot leak in and the locale is C unless we say otherwise.
        string[] wrapper = ["--reuid", SwitchTo, "--regid", SwitchTo, "--init-groups", "--reset-env", "--", fileName];
        return ("setpriv", [.. wrapper, .. arguments]);
    }

    private static bool PasswdHasUser(string name)
    {
        // getent consults NSS, so users from LDAP or sssd count too; /etc/passwd alone would miss them.
        try
        {
            using var process = Process.Start(new ProcessStartInfo("getent", ["passwd", name])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            })!;
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return File.ReadLines("/etc/passwd").Any(line => line.StartsWith(name + ":", StringComparison.Ordinal));
        }
    }
}

/// <summary>The end of a finished command: exit code and its interleaved standard output and error.</summary>
internal sealed record CommandResult(string Command, int ExitCode, string Output)
{
    public void ThrowIfFailed(string what)
    {
        if (ExitCode != 0)
        {
            throw new ManagedPostgresException($"Could not {what}: `{Command}` exited with code {ExitCode}.{Environment.NewLine}{Output.TrimEnd()}");
        }
    }
}

/// <summary>Starts a command without a shell, waits for it with a deadline and collects what it printed.</summary>
internal static class CommandRunner
{
    public static async Task<CommandResult> RunAsync(
        string fileName,
        IReadOnlyList<string> arguments,
        ServerUser? asUser,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var (program, args) = asUser?.Wrap(fileName, arguments) ?? (fileName, arguments);
        var startInfo = new ProcessStartInfo(program, args)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The server user may not be able to enter our current directory (e.g. /root), and tools warn about it.
            WorkingDirectory = "/",
        };
        var commandText = string.Join(' ', new[] { fileName }.Concat(arguments));

        using var process = new Process { StartInfo = startInfo };
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return new CommandResult(commandText, 127, $"could not start {program}: {ex.Message}");
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            return new CommandResult(commandText, -1, $"{Snapshot(output)}{Environment.NewLine}(killed after {timeout.TotalSeconds:0} s)");
        }

        // WaitForExitAsync also waits for the redirected streams to reach end of file, so the output is complete.
        return new CommandResult(commandText, process.ExitCode, Snapshot(output));
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
