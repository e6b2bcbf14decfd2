// The schema files shipped inside this assembly (deploy/postgres/**/*.sql as embedded resources).
using System.Reflection;

namespace PrepaidPower.Persistence.Schema;

/// <summary>Loads the migrations embedded in the Persistence assembly, so a host needs no file paths.</summary>
public static class SchemaScripts
{
    /// <summary>Resource names of the embedded files start with this; the rest is the path under deploy/postgres.</summary>
    internal const string ResourcePrefix = "PrepaidPower.Schema/";

    /// <summary>Every embedded migration, in ascending version order.</summary>
    /// <exception cref="SchemaMigrationException">Two files share a version number, or a file is misnamed.</exception>
    public static IReadOnlyList<SchemaScript> Embedded()
    {
        var assembly = typeof(SchemaScripts).Assembly;
        var scripts = new List<SchemaScript>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            scripts.Add(Load(assembly, resource));
        }

        return Ordered(scripts);
    }

    /// <summary>Sorts scripts by version and rejects two files with one version number.</summary>
    internal static IReadOnlyList<SchemaScript> Ordered(IEnumerable<SchemaScript> scripts)
    {
        var ordered = scripts.OrderBy(s => s.Version).ThenBy(s => s.Name, StringComparer.Ordinal).ToList();
        for (var i = 1; i < ordered.Count; i++)
        {
            if (ordered[i].Version == ordered[i - 1].Version)
            {
                throw new SchemaMigrationException(
                    $"Schema files '{ordered[i - 1].Name}' and '{ordered[i].Name}' both have version {ordered[i].Version:D4}; give one of them the next free number.");
            }
        }

        return ordered;
    }

    private static SchemaScript Load(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new SchemaMigrationException($"Embedded schema file '{resource}' could not be opened.");
        using var reader = new StreamReader(stream);
        try
        {
            return SchemaScript.Create(resource[ResourcePrefix.Length..], reader.ReadToEnd());
        }
        catch (ArgumentException e)
        {
            throw new SchemaMigrationException(e.Message, e);
        }
    }
}
