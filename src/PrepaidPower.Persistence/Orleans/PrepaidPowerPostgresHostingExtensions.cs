// Wires an Orleans silo (or client) to PostgreSQL through the Orleans ADO.NET providers and our own schema.
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Storage;
using PrepaidPower.Persistence.Schema;

namespace PrepaidPower.Persistence.Orleans;

/// <summary>
/// <c>siloBuilder.UsePrepaidPowerPostgres(connectionString)</c>: ADO.NET clustering, grain storage (default and the
/// named <see cref="PrepaidPowerPostgresOptions.StorageNames"/>) and reminders, all with invariant "Npgsql", and the
/// schema applied at start-up. <c>clientBuilder.UsePrepaidPowerPostgresClustering(connectionString)</c> for a client.
/// </summary>
public static class PrepaidPowerPostgresHostingExtensions
{
    /// <summary>Configures clustering, grain storage and reminders on the PostgreSQL database named by <paramref name="connectionString"/>.</summary>
    /// <exception cref="ArgumentException">The connection string is empty or not a valid Npgsql connection string.</exception>
    public static ISiloBuilder UsePrepaidPowerPostgres(
        this ISiloBuilder builder,
        string connectionString,
        Action<PrepaidPowerPostgresOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var cs = Normalise(connectionString);
        var options = new PrepaidPowerPostgresOptions();
        configure?.Invoke(options);

        if (options.ApplySchemaAtStartup)
        {
            builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp =>
                new SchemaLifecycleParticipant(cs, sp.GetRequiredService<ILogger<SchemaLifecycleParticipant>>()));
        }

        builder.UseAdoNetClustering(o =>
        {
            o.Invariant = PrepaidPowerPostgresOptions.Invariant;
            o.ConnectionString = cs;
        });

        builder.AddAdoNetGrainStorageAsDefault(storage => ConfigureStorage(storage, cs, options));
        if (options.GroupCommitStorage)
        {
            AddGroupCommitStorage(builder.Services, cs, options);
        }
        else
        {
            foreach (var name in options.StorageNames.Distinct(StringComparer.Ordinal))
            {
                builder.AddAdoNetGrainStorage(name, storage => ConfigureStorage(storage, cs, options));
            }
        }

        if (options.UseReminders)
        {
            builder.UseAdoNetReminderService(o =>
            {
                o.Invariant = PrepaidPowerPostgresOptions.Invariant;
                o.ConnectionString = cs;
            });
        }

        return builder;
    }

    /// <summary>Lets a client find the cluster's gateways in the PostgreSQL membership table (the silos create the schema).</summary>
    public static IClientBuilder UsePrepaidPowerPostgresClustering(this IClientBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var cs = Normalise(connectionString);
        return builder.UseAdoNetClustering(o =>
        {
            o.Invariant = PrepaidPowerPostgresOptions.Invariant;
            o.ConnectionString = cs;
        });
    }

    /// <summary>The named storages on one shared group-commit store (table <c>grain_state</c>), with Orleans' serializer.</summary>
    private static void AddGroupCommitStorage(IServiceCollection services, string connectionString, PrepaidPowerPostgresOptions options)
    {
        var batching = options.GroupCommit;
        batching.Validate();
        services.AddSingleton(_ => new GroupCommitDataSource(NpgsqlDataSource.Create(connectionString)));
        services.AddSingleton(sp => new GroupCommitGrainStateStore(
            sp.GetRequiredService<GroupCommitDataSource>().DataSource,
            sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId,
            batching,
            sp.GetRequiredService<ILogger<GroupCommitGrainStateStore>>()));
        foreach (var name in options.StorageNames.Distinct(StringComparer.Ordinal))
        {
            services.AddGrainStorage(name, (sp, _) => new GroupCommitGrainStorage(
                sp.GetRequiredService<GroupCommitGrainStateStore>(),
                new OrleansGrainStorageSerializer(sp.GetRequiredService<Serializer>()),
                options.DeleteStateOnClear));
        }
    }

    /// <summary>The group-commit store's own connection pool, disposed with the silo's services (after the store).</summary>
    private sealed class GroupCommitDataSource(NpgsqlDataSource dataSource) : IAsyncDisposable
    {
        public NpgsqlDataSource DataSource { get; } = dataSource;

        public ValueTask DisposeAsync() => DataSource.DisposeAsync();
    }

    private static void ConfigureStorage(OptionsBuilder<AdoNetGrainStorageOptions> storage, string connectionString, PrepaidPowerPostgresOptions options) =>
        storage.Configure<Serializer>((o, serializer) =>
        {
            o.Invariant = PrepaidPowerPostgresOptions.Invariant;
            o.ConnectionString = connectionString;
            o.DeleteStateOnClear = options.DeleteStateOnClear;
            // Orleans' own binary serializer, not the default JSON one: JSON (Newtonsoft with type name handling)
            // writes CLR type and assembly names into every row, so renaming or moving a state class breaks every
            // stored grain. The Orleans serializer is the one our state types are already built for
            // ([GenerateSerializer], [Id(n)] fields, [Alias] type names): version-tolerant by field id, compact,
            // and it names a type only by its alias where a field is polymorphic.
            o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
        });

    private static string Normalise(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        NpgsqlConnectionStringBuilder parsed;
        try
        {
            parsed = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"The PostgreSQL connection string is not valid: {e.Message}", nameof(connectionString), e);
        }

        return parsed.ConnectionString;
    }

    /// <summary>Runs the migrator at the very first silo lifecycle stage, before any provider reads OrleansQuery.</summary>
    private sealed class SchemaLifecycleParticipant(string connectionString, ILogger logger) : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) =>
            lifecycle.Subscribe(
                nameof(SchemaLifecycleParticipant),
                ServiceLifecycleStage.First,
                ct => SchemaMigrator.ApplyAsync(connectionString, logger, ct));
    }
}
