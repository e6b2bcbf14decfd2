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
    /// Grain storage providers registered besides the default one, all with the same serializer (see
    /// <see cref="GroupCommitStorage"/> for where they keep their rows).
    /// Default "accounts" and "meters", the names the grains use in <c>[PersistentState(..., "accounts")]</c>.
    /// </summary>
    public IList<string> StorageNames { get; } = ["accounts", "meters"];

    /// <summary>
    /// Keep the <see cref="StorageNames"/> storages (the hot grains: a city's accounts and meters) in table
    /// <c>grain_state</c> through <see cref="GroupCommitGrainStateStore"/>, which puts many grains' writes in one
    /// transaction and many activations' reads in one query. Default true. False puts them on the ADO.NET provider
    /// (table <c>orleans_storage</c>, one transaction per write) like the default storage; the two tables are separate,
    /// so switching an existing database over loses the stored accounts and meters (there is no copy step yet).
    /// </summary>
    public bool GroupCommitStorage { get; set; } = true;

    /// <summary>Batching of the group-commit storage (batch sizes, writer and reader loops).</summary>
    public GroupCommitGrainStateOptions GroupCommit { get; set; } = new();

    /// <summary>Use the ADO.NET reminder service on the same database. Default true.</summary>
    public bool UseReminders { get; set; } = true;

    /// <summary>Delete a grain's row on <c>ClearStateAsync</c> instead of keeping it with an empty payload. Default false.</summary>
    public bool DeleteStateOnClear { get; set; }
}
