// PostgreSQL support for PrepaidPower: the managed local instance, schema and ledger writer.
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("PrepaidPower.Persistence.Tests")]
