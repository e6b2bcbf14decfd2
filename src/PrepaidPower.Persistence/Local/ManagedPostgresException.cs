namespace PrepaidPower.Persistence.Local;

/// <summary>
/// A managed PostgreSQL instance could not be set up, started or stopped. The message says what failed and, when
/// the server itself complained, ends with the last lines of its log.
/// </summary>
public class ManagedPostgresException : Exception
{
    public ManagedPostgresException(string message)
        : base(message)
    {
    }

    public ManagedPostgresException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The PostgreSQL server binaries (<c>initdb</c>, <c>pg_ctl</c>, <c>postgres</c>) were not found. The message names
/// where we looked and the two ways out: install them, or use an existing server by connection string.
/// </summary>
public sealed class PostgresNotFoundException : ManagedPostgresException
{
    public PostgresNotFoundException(string message)
        : base(message)
    {
    }
}
