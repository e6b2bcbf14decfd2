namespace PrepaidPower.Persistence.Orleans;

/// <summary>How <see cref="PrepaidPowerPostgresHostingExtensions.UsePrepaidPowerPostgres"/> wires a silo to PostgreSQL.</summary>
public sealed class PrepaidPowerPostgresOptions
{
    /// <summary>The ADO.NET invariant every provider is given: Npgsql.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>
    /// Apply the schema files (<see cref="Schema.SchemaMigrator"/>) when the silo starts, before clustering,
    /// storage or reminders touch the database. Default true; turn off when a deployment step migrates instead.
    /// </summary>
    public bool ApplySchemaAtStartup { get; set; } = true;

    /// <summary>
    /// Grain storage providers registered besides the default one, all on the same table with the same serializer.
    /// Default "accounts" and "meters", the names the grains use in <c>[PersistentState(..., "accounts")]</c>.
    /// </summary>
    public IList<string> StorageNames { get; } = ["accounts", "meters"];

    /// <summary>Use the ADO.NET reminder service on the same database. Default true.</summary>
    public bool UseReminders { get; set; } = true;

    /// <summary>Delete a grain's row on <c>ClearStateAsync</c> instead of keeping it with an empty payload. Default false.</summary>
    public bool DeleteStateOnClear { get; set; }
}
