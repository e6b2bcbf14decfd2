using PrepaidPower.Persistence.Schema;

namespace PrepaidPower.Persistence.Tests.Schema;

[Trait("Category", "Unit")]
public sealed class SchemaScriptTests
{
    [Fact]
    public void Create_SubfolderName_TakesVersionFromFileName()
    {
        var script = SchemaScript.Create("ledger\\0200-ledger-entries.sql", "select 1;");

        Assert.Equal(200, script.Version);
        Assert.Equal("ledger/0200-ledger-entries.sql", script.Name);
    }

    [Fact]
    public void Create_CrlfAndBom_HaveTheSameChecksumAsLf()
    {
        var lf = SchemaScript.Create("0001-a.sql", "create table a(v int);\nselect 1;\n");
        var crlf = SchemaScript.Create("0001-a.sql", "\uFEFFcreate table a(v int);\r\nselect 1;\r\n");

        Assert.Equal(lf.Checksum, crlf.Checksum);
        Assert.Equal(64, lf.Checksum.Length);
    }

    [Fact]
    public void Create_OneCharacterChanged_ChangesChecksum()
    {
        Assert.NotEqual(
            SchemaScript.Create("0001-a.sql", "create table a(v int);").Checksum,
            SchemaScript.Create("0001-a.sql", "create table a(v bigint);").Checksum);
    }

    [Theory]
    [InlineData("001-short.sql")]
    [InlineData("0001_underscore.sql")]
    [InlineData("0001-Upper.sql")]
    [InlineData("notes.sql")]
    [InlineData("0001-a.txt")]
    public void Create_BadFileName_IsRejectedWithTheName(string name)
    {
        var ex = Assert.Throws<ArgumentException>(() => SchemaScript.Create(name, "select 1;"));

        Assert.Contains($"'{name}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_EmptyText_IsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => SchemaScript.Create("0001-a.sql", " \r\n "));

        Assert.Contains("'0001-a.sql' is empty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ordered_TwoFilesWithOneVersion_AreRejectedNamingBoth()
    {
        var ex = Assert.Throws<SchemaMigrationException>(() => SchemaScripts.Ordered(
        [
            SchemaScript.Create("0100-notifications.sql", "select 1;"),
            SchemaScript.Create("ledger/0100-ledger.sql", "select 2;"),
        ]));

        Assert.Contains("'0100-notifications.sql'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'ledger/0100-ledger.sql'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Embedded_ShipsTheOrleansFilesInOrder()
    {
        var names = SchemaScripts.Embedded().Select(s => s.Name).ToList();

        Assert.Equal(
            ["0001-orleans-query.sql", "0002-orleans-clustering.sql", "0003-orleans-storage.sql", "0004-orleans-reminders.sql"],
            names.Take(4));
        var versions = SchemaScripts.Embedded().Select(s => s.Version).ToList();
        Assert.Equal(versions.Distinct().Order(), versions);
    }
}
