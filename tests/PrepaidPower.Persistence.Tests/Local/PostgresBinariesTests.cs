using PrepaidPower.Persistence.Local;

namespace PrepaidPower.Persistence.Tests.Local;

[Trait("Category", "Integration")]
public sealed class PostgresBinariesTests
{
    [Fact]
    public async Task LocateAsync_InstalledServer_FindsAllToolsAndVersion()
    {
        var binaries = await PostgresBinaries.LocateAsync();

        Assert.True(File.Exists(binaries.InitDb));
        Assert.True(File.Exists(binaries.PgCtl));
        Assert.True(File.Exists(binaries.Postgres));
        Assert.True(binaries.MajorVersion >= 10, $"major version {binaries.MajorVersion}");
    }

    [Fact]
    public async Task LocateAsync_ExplicitFolder_IsUsedAsGiven()
    {
        var found = await PostgresBinaries.LocateAsync();

        var again = await PostgresBinaries.LocateAsync(found.BinDirectory);

        Assert.Equal(found, again);
    }

    [Fact]
    public async Task LocateAsync_ExplicitFolderMissingTools_ThrowsNamingFolderAndWayOut()
    {
        using var temp = new TempFolder();
        await File.WriteAllTextAsync(temp.Sub("initdb"), "#!/bin/sh\n");

        var ex = await Assert.ThrowsAsync<PostgresNotFoundException>(() => PostgresBinaries.LocateAsync(temp.Path));

        Assert.StartsWith($"PostgreSQL server binaries not found: {temp.Path} (from the BinDirectory option) has no pg_ctl, postgres. ", ex.Message, StringComparison.Ordinal);
        Assert.EndsWith(PostgresBinaries.InstallHint, ex.Message, StringComparison.Ordinal);
    }
}
