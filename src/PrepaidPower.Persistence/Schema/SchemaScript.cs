// One numbered SQL migration file (deploy/postgres/NNNN-name.sql), with the checksum that pins its applied text.
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace PrepaidPower.Persistence.Schema;

/// <summary>
/// A migration: <see cref="Version"/> is the file's four-digit prefix (applied in ascending order, each exactly
/// once per database), <see cref="Name"/> its path under <c>deploy/postgres/</c> with forward slashes,
/// <see cref="Checksum"/> the lower-case hex SHA-256 of its text with line endings normalised to LF (so a
/// checkout with CRLF line endings does not count as a change).
/// </summary>
public sealed partial record SchemaScript
{
    private SchemaScript(int version, string name, string sql, string checksum)
    {
        Version = version;
        Name = name;
        Sql = sql;
        Checksum = checksum;
    }

    public int Version { get; }

    public string Name { get; }

    public string Sql { get; }

    public string Checksum { get; }

    /// <summary>
    /// Makes a script from its relative path (e.g. <c>0100-notifications.sql</c> or <c>ledger/0200-ledger.sql</c>)
    /// and its text. The file name must be four digits, a dash, lower-case letters, digits or dashes, and <c>.sql</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The name does not follow that pattern or the text is empty.</exception>
    public static SchemaScript Create(string name, string sql)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(sql);
        var path = name.Replace('\\', '/');
        var match = FileNamePattern().Match(Path.GetFileName(path));
        if (!match.Success)
        {
            throw new ArgumentException(
                $"Schema file '{path}' is not named NNNN-name.sql (four digits, a dash, then lower-case letters, digits or dashes); rename it, e.g. '0100-notifications.sql'.",
                nameof(name));
        }

        var text = sql.TrimStart('\uFEFF').Replace("\r\n", "\n", StringComparison.Ordinal);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ArgumentException($"Schema file '{path}' is empty.", nameof(sql));
        }

        var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        return new SchemaScript(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), path, text, checksum);
    }

    public override string ToString() => Name;

    [GeneratedRegex("^([0-9]{4})-[a-z0-9][a-z0-9-]*\\.sql$")]
    private static partial Regex FileNamePattern();
}
