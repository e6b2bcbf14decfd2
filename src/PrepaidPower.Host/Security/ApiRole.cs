namespace PrepaidPower.Host.Security;

/// <summary>What an API key may do. Each key has exactly one role.</summary>
public enum ApiRole
{
    /// <summary>Everything: accounts, meters, tariffs, money, supply commands, reads and the dashboard.</summary>
    Operator = 1,

    /// <summary>A payment gateway: top-ups only.</summary>
    Cashier = 2,

    /// <summary>Read only: balances, ledgers, statements, events, tariffs.</summary>
    Viewer = 3,
}

/// <summary>The authorization policies the endpoints name.</summary>
public static class ApiPolicies
{
    /// <summary>Reading anything: operator or viewer.</summary>
    public const string Read = "read";

    /// <summary>Posting a top-up: operator or cashier.</summary>
    public const string TopUp = "top-up";

    /// <summary>Changing anything else, and the dashboard: operator only.</summary>
    public const string Operate = "operate";
}
