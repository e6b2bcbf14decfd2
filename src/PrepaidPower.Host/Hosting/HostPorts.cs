using System.Net;
using System.Net.Sockets;

namespace PrepaidPower.Host.Hosting;

/// <summary>The concrete ports of one host, after defaults per instance and "0 = any free port" are resolved.</summary>
/// <param name="Http">Kestrel's port (0 when Kestrel picks; the bound port is known once started).</param>
/// <param name="Silo">Orleans silo-to-silo port.</param>
/// <param name="Gateway">Orleans client gateway port.</param>
internal sealed record HostPorts(int Http, int Silo, int Gateway)
{
    public static HostPorts Resolve(PrepaidPowerHostOptions options)
    {
        var offset = options.Instance - 1;
        return new HostPorts(
            options.HttpPort ?? PrepaidPowerHostOptions.DefaultHttpPort + offset,
            OrFree(options.SiloPort ?? PrepaidPowerHostOptions.DefaultSiloPort + offset),
            OrFree(options.GatewayPort ?? PrepaidPowerHostOptions.DefaultGatewayPort + offset));
    }

    // Orleans advertises its endpoint in membership, so it needs the real port up front; Kestrel copes with 0 itself.
    private static int OrFree(int port)
    {
        if (port != 0)
        {
            return port;
        }

        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
