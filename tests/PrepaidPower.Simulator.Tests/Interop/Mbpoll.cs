// Runs libmodbus's mbpoll against a simulated concentrator with a process timeout, failing loudly (never skipping) when it is missing.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace PrepaidPower.Simulator.Tests.Interop;

/// <summary>One mbpoll run: exit code, output and the polled values in order.</summary>
internal sealed partial record MbpollResult(string CommandLine, int ExitCode, string StdOut, string StdErr)
{
    /// <summary>Every "[address]: value" line of standard output, in order (several units give several blocks).</summary>
    public IReadOnlyList<string> Values => ValueLine().Matches(StdOut).Select(m => m.Groups[1].Value).ToList();

    /// <summary>Both streams: mbpoll prints errors to either depending on the version.</summary>
    public string Output => StdOut + StdErr;

    public override string ToString() => $"{CommandLine}\nexit {ExitCode}\nstdout:\n{StdOut}\nstderr:\n{StdErr}";

    [GeneratedRegex(@"^\[\d+\]:\s+(\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex ValueLine();
}

/// <summary>
/// mbpoll 1.4.11 (libmodbus 3.1.6) in TCP mode with 0-based addresses (<c>-0</c>): the command lines are those of
/// /work/shared/reference/reliability-and-modbus.md §3.1.
/// </summary>
internal static class Mbpoll
{
    public const string Executable = "/usr/bin/mbpoll";

    // The process limit, far above any response timeout given to mbpoll: only a hung mbpoll hits it.
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Fails the test (never skips) when mbpoll is not installed, saying how to install it.</summary>
    public static void Require() =>
        Assert.True(File.Exists(Executable), $"{Executable} is missing: the simulator interoperability tests need it. Install it with: apt-get install -y mbpoll");

    /// <summary>
    /// Runs <c>mbpoll -m tcp -p PORT -0 -o TIMEOUT OPTIONS HOST [WRITE VALUES]</c>. Without write values pass <c>-1</c>
    /// in <paramref name="options"/> to poll once.
    /// </summary>
    public static async Task<MbpollResult> RunAsync(IPEndPoint endPoint, IEnumerable<string> options, IEnumerable<string>? writeValues = null, double responseTimeoutSeconds = 5)
    {
        Require();
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] common = ["-m", "tcp", "-p", endPoint.Port.ToString(CultureInfo.InvariantCulture), "-0", "-o", responseTimeoutSeconds.ToString(CultureInfo.InvariantCulture)];
        foreach (var argument in common.Concat(options).Append(endPoint.Address.ToString()).Concat(writeValues ?? []))
        {
            info.ArgumentList.Add(argument);
        }

        var commandLine = $"{Executable} {string.Join(' ', info.ArgumentList)}";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(ProcessTimeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{commandLine} did not finish within {ProcessTimeout.TotalSeconds} s");
        }

        return new MbpollResult(commandLine, process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs mbpoll and fails the test unless it exits 0; returns the polled values.</summary>
    public static async Task<IReadOnlyList<string>> PollAsync(IPEndPoint endPoint, params string[] options)
    {
        var result = await RunAsync(endPoint, options);
        Assert.True(result.ExitCode == 0, $"mbpoll failed: {result}");
        return result.Values;
    }

    /// <summary>Writes <paramref name="values"/> with mbpoll and fails the test unless it exits 0.</summary>
    public static async Task WriteAsync(IPEndPoint endPoint, string[] options, params string[] values)
    {
        var result = await RunAsync(endPoint, options, values);
        Assert.True(result.ExitCode == 0, $"mbpoll write failed: {result}");
    }
}
