namespace PrepaidPower.Persistence.Schema;

/// <summary>The database schema cannot be brought up to date safely; the message names the file and what to do.</summary>
public sealed class SchemaMigrationException : Exception
{
    public SchemaMigrationException(string message)
        : base(message)
    {
    }

    public SchemaMigrationException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
