using Npgsql;

namespace PrepaidPower.Persistence.Ledger;

/// <summary>
/// The ledger's schema script, <c>deploy/postgres/0200-ledger.sql</c>, embedded in this assembly. The start-up
/// migrator applies it with the other scripts; <see cref="ApplyAsync"/> applies it alone (tests, tools).
/// </summary>
public static class LedgerSchema
{
    /// <summary>The script's file name under <c>deploy/postgres/</c>.</summary>
    public const string ScriptName = "0200-ledger.sql";

    /// <summary>The manifest name of the embedded script.</summary>
    public const string ResourceName = "PrepaidPower.Schema/" + ScriptName;

    private static readonly Lazy<string> Text = new(Load);

    /// <summary>The SQL text; idempotent (safe to run on a database that has the ledger already).</summary>
    public static string Script => Text.Value;

    /// <summary>Runs the script on the given database.</summary>
    public static async Task ApplyAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var command = dataSource.CreateCommand(Script);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string Load()
    {
        using var stream = typeof(LedgerSchema).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing from {typeof(LedgerSchema).Assembly.GetName().Name}; check the deploy/postgres EmbeddedResource item in PrepaidPower.Persistence.csproj.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
