using Npgsql;
using PrepaidPower.Domain.Ledger;
using PrepaidPower.Persistence.Ledger;

namespace PrepaidPower.Host.Hosting;

/// <summary><c>builder.AddLedgerStore(storage)</c>: the ledger the account grains commit to — PostgreSQL (group commit), or memory.</summary>
internal static class LedgerHostingExtensions
{
    public static WebApplicationBuilder AddLedgerStore(this WebApplicationBuilder builder, HostStorage storage)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        if (storage.ConnectionString is null)
        {
            builder.Services.AddSingleton<ILedgerStore, InMemoryLedgerStore>();
            return builder;
        }

        // The container disposes in reverse creation order: the store (flushing queued appends) before its data source.
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(storage.ConnectionString));
        builder.Services.AddSingleton<ILedgerStore>(sp => new PostgresLedgerStore(
            sp.GetRequiredService<NpgsqlDataSource>(),
            new PostgresLedgerStoreOptions { TimeProvider = sp.GetRequiredService<TimeProvider>() },
            sp.GetRequiredService<ILogger<PostgresLedgerStore>>()));
        return builder;
    }
}
