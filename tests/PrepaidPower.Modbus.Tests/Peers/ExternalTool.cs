// Runs the Debian test peers (mbpoll, /usr/bin/python3 + pymodbus) with timeouts, failing loudly when they are missing.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace PrepaidPower.Modbus.Tests.Peers;

internal sealed record ToolResult(int ExitCode, string StdOut, string StdErr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{StdOut}\nstderr:\n{StdErr}";
}

internal static class ExternalTool
{
    public const string Mbpoll = "/usr/bin/mbpoll";
    public const string Python = "/usr/bin/python3";

    /// <summary>Fails the test (never skips) when a peer is not installed, saying how to install it.</summary>
    public static void Require(string path, string aptPackage)
    {
        Assert.True(File.Exists(path), $"{path} is missing: the interoperability tests need it. Install it with: apt-get install -y {aptPackage}");
    }

    public static void RequirePymodbus()
    {
        Require(Python, "python3");
        var probe = Run(Python, ["-c", "import pymodbus.server, pymodbus.datastore"], TimeSpan.FromSeconds(30));
        Assert.True(probe.ExitCode == 0, $"pymodbus does not import under {Python}: install it with: apt-get install -y python3-pymodbus\n{probe}");
    }

    public static ToolResult Run(string file, IEnumerable<string> arguments, TimeSpan timeout) =>
        RunAsync(file, arguments, timeout).GetAwaiter().GetResult();

    public static async Task<ToolResult> RunAsync(string file, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {string.Join(' ', info.ArgumentList)} did not finish within {timeout.TotalSeconds} s");
        }

        return new ToolResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Waits until <paramref name="endPoint"/> accepts a TCP connection, or fails after <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilAcceptingAsync(IPEndPoint endPoint, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            using var probe = new Socket(SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await probe.ConnectAsync(endPoint);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Yield();
            }
        }
    }
}

/// <summary>The pymodbus 3.0 server script (Peers/pymodbus_server.py) as a child process; closing its stdin stops it.</summary>
internal sealed class PymodbusPeer : IAsyncDisposable
{
    private readonly Process _process;

    private PymodbusPeer(Process process, IPEndPoint endPoint)
    {
        _process = process;
        EndPoint = endPoint;
    }

    public IPEndPoint EndPoint { get; }

    public static async Task<PymodbusPeer> StartAsync()
    {
        ExternalTool.RequirePymodbus();
        var script = Path.Combine(AppContext.BaseDirectory, "Peers", "pymodbus_server.py");
        var info = new ProcessStartInfo(ExternalTool.Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(script);
        var process = Process.Start(info)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (line is null || !line.StartsWith("PORT ", StringComparison.Ordinal))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"pymodbus peer did not report its port (got '{line}'); run {ExternalTool.Python} {script} by hand to see why.");
        }

        var endPoint = new IPEndPoint(IPAddress.Loopback, int.Parse(line!.AsSpan(5), System.Globalization.CultureInfo.InvariantCulture));
        await ExternalTool.WaitUntilAcceptingAsync(endPoint, TimeSpan.FromSeconds(30));
        return new PymodbusPeer(process, endPoint);
    }

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(exited.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
