namespace PrepaidPower.Host.Hosting;

/// <summary>The banner that in-memory mode prints on stderr at start-up, so that nobody mistakes it for a real system.</summary>
internal static class InMemoryBanner
{
    public const string Text = """

        ************************************************************************
        *  IN-MEMORY MODE: NOTHING IS SAVED.                                   *
        *  Every account, payment, reading and ledger entry lives only in this *
        *  process and is LOST when it stops. For a quick look and tests only. *
        *  Run without --in-memory to keep data in PostgreSQL.                 *
        ************************************************************************

        """;
}
