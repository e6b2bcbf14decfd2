using PrepaidPower.Host.Hosting;

namespace PrepaidPower.Host.Tests;

[Trait("Category", "Unit")]
public sealed class HostOptionsTests
{
    [Theory]
    [InlineData(1, 5080, 11111, 30000)]
    [InlineData(2, 5081, 11112, 30001)]
    [InlineData(3, 5082, 11113, 30002)]
    public void Resolve_ByInstance_ShiftsEveryDefaultPort(int instance, int http, int silo, int gateway)
    {
        var ports = HostPorts.Resolve(new PrepaidPowerHostOptions { Instance = instance });

        Assert.Equal(new HostPorts(http, silo, gateway), ports);
    }

    [Fact]
    public void Resolve_WithExplicitPorts_KeepsThemWhateverTheInstance()
    {
        var ports = HostPorts.Resolve(new PrepaidPowerHostOptions { Instance = 7, HttpPort = 6000, SiloPort = 12000, GatewayPort = 31000 });

        Assert.Equal(new HostPorts(6000, 12000, 31000), ports);
    }

    [Fact]
    public void Resolve_WithZeroSiloPort_PicksAFreePort()
    {
        var ports = HostPorts.Resolve(new PrepaidPowerHostOptions { HttpPort = 0, SiloPort = 0, GatewayPort = 0 });

        Assert.Equal(0, ports.Http);
        Assert.InRange(ports.Silo, 1, 65535);
        Assert.InRange(ports.Gateway, 1, 65535);
    }

    [Theory]
    [InlineData(0, "--instance 0")]
    [InlineData(100, "--instance 100")]
    public void Validate_InstanceOutOfRange_NamesTheFlag(int instance, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => new PrepaidPowerHostOptions { Instance = instance }.Validate());

        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Validate_ExternalWithoutConnectionString_SaysWhatToGive()
    {
        var e = Assert.Throws<ArgumentException>(() => new PrepaidPowerHostOptions { Storage = StorageMode.ExternalPostgres }.Validate());

        Assert.Contains("--postgres needs a connection string", e.Message);
    }

    [Fact]
    public void Validate_InMemoryWithConnectionString_IsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new PrepaidPowerHostOptions { Storage = StorageMode.InMemory, PostgresConnectionString = "Host=x" }.Validate());

        Assert.Contains("not both", e.Message);
    }

    [Theory]
    [InlineData(80)]
    [InlineData(70000)]
    public void Validate_PrivilegedOrImpossiblePort_IsRejected(int port)
    {
        var e = Assert.Throws<ArgumentException>(() => new PrepaidPowerHostOptions { HttpPort = port }.Validate());

        Assert.Contains("--http-port", e.Message);
    }

    [Fact]
    public void Validate_ClusterIdWithSpaces_IsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new PrepaidPowerHostOptions { ClusterId = "my cluster" }.Validate());

        Assert.Contains("--cluster-id", e.Message);
    }
}
