namespace PrepaidPower.Host.Hosting;

/// <summary>Where a host keeps its cluster membership, grain state, reminders and ledger.</summary>
public enum StorageMode
{
    /// <summary>
    /// A PostgreSQL server this process runs itself, with its data folder under the working directory
    /// (<c>.prepaidpower/postgres</c>); the default. Instances 2, 3 … in the same working directory join the server
    /// instance 1 started.
    /// </summary>
    ManagedPostgres = 0,

    /// <summary>An existing PostgreSQL server named by a connection string (<c>--postgres</c>).</summary>
    ExternalPostgres = 1,

    /// <summary>Everything in memory, lost at exit: for a quick look and for tests. Announced loudly at start-up.</summary>
    InMemory = 2,
}
