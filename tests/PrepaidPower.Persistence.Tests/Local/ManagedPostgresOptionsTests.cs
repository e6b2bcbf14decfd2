using PrepaidPower.Persistence.Local;

namespace PrepaidPower.Persistence.Tests.Local;

[Trait("Category", "Unit")]
public sealed class ManagedPostgresOptionsTests
{
    [Fact]
    public void Throwaway_Defaults_AreValidEphemeralAndFast()
    {
        var options = ManagedPostgresOptions.Throwaway();

        options.Validate();
        Assert.True(options.Ephemeral);
        Assert.Null(options.DataDirectory);
        Assert.Equal(0, options.Port);
        Assert.Equal("prepaidpower", options.Database);
        Assert.Equal("off", options.Settings["fsync"]);
        Assert.Equal("off", options.Settings["synchronous_commit"]);
        Assert.Equal("off", options.Settings["full_page_writes"]);
    }

    [Fact]
    public void Persistent_Defaults_AreValidDurableAndKept()
    {
        var options = ManagedPostgresOptions.Persistent(".prepaidpower/postgres");

        options.Validate();
        Assert.False(options.Ephemeral);
        // Durable: nothing but room for the silos' connection pools.
        Assert.Equal(new Dictionary<string, string> { ["max_connections"] = "500" }, options.Settings);
        Assert.Equal(TimeSpan.FromSeconds(60), options.StartTimeout);
    }

    [Fact]
    public void Validate_PersistentWithoutFolder_NamesDataDirectory()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ManagedPostgresOptions().Validate());

        Assert.Equal("DataDirectory", ex.ParamName);
        Assert.StartsWith("DataDirectory is required for a persistent instance", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    [InlineData(1023)]
    [InlineData(65536)]
    public void Validate_PortOutOfRange_NamesPort(int port)
    {
        var ex = Assert.Throws<ArgumentException>(() => (ManagedPostgresOptions.Throwaway() with { Port = port }).Validate());

        Assert.Equal("Port", ex.ParamName);
        Assert.StartsWith($"Port {port} is out of range; use 0 to pick a free port, or 1024–65535.", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1024)]
    [InlineData(65535)]
    public void Validate_PortAtRangeEnds_IsAccepted(int port) =>
        (ManagedPostgresOptions.Throwaway() with { Port = port }).Validate();

    [Theory]
    [InlineData("")]
    [InlineData("PrepaidPower")]
    [InlineData("1db")]
    [InlineData("pp-db")]
    [InlineData("pp\"; drop")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234")]
    public void Validate_DatabaseNotPlainName_NamesDatabase(string database)
    {
        var ex = Assert.Throws<ArgumentException>(() => ManagedPostgresOptions.Throwaway(database).Validate());

        Assert.Equal("Database", ex.ParamName);
        Assert.StartsWith($"Database '{database}' is not a plain PostgreSQL name", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(999)]
    [InlineData(600_001)]
    public void Validate_StartTimeoutOutOfRange_NamesStartTimeout(int milliseconds)
    {
        var ex = Assert.Throws<ArgumentException>(() => (ManagedPostgresOptions.Throwaway() with { StartTimeout = TimeSpan.FromMilliseconds(milliseconds) }).Validate());

        Assert.Equal("StartTimeout", ex.ParamName);
    }

    [Theory]
    [InlineData("port", "5432", "Setting 'port' is managed by the helper")]
    [InlineData("listen_addresses", "*", "Setting 'listen_addresses' is managed by the helper")]
    [InlineData("unix_socket_directories", "/tmp", "Setting 'unix_socket_directories' is managed by the helper")]
    [InlineData("Work Mem", "1MB", "Setting name 'Work Mem' is not a PostgreSQL parameter name")]
    [InlineData("work_mem", "1MB\nport=1", "Setting 'work_mem' has a null or multi-line value")]
    public void Validate_BadSetting_NamesSettings(string name, string value, string expectedStart)
    {
        var options = ManagedPostgresOptions.Throwaway() with { Settings = new Dictionary<string, string> { [name] = value } };

        var ex = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Equal("Settings", ex.ParamName);
        Assert.StartsWith(expectedStart, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_InvalidOptions_ThrowsBeforeTouchingDisk()
    {
        using var temp = new TempFolder();

        await Assert.ThrowsAsync<ArgumentException>(() => ManagedPostgres.StartAsync(ManagedPostgresOptions.Persistent(temp.Sub("pg")) with { Port = 80 }));

        Assert.False(Directory.Exists(temp.Sub("pg")));
    }
}
