// One real host (Kestrel on 127.0.0.1, a free port; an in-process silo) shared by the API test classes, with an
// HttpClient per role.
using System.Net.Http.Headers;
using PrepaidPower.Host.Hosting;

namespace PrepaidPower.Host.Tests;

[CollectionDefinition(Name)]
public sealed class InMemoryHostCollection : ICollectionFixture<InMemoryHostFixture>
{
    public const string Name = "in-memory host";
}

/// <summary>An in-memory host with one key per role, plus a separately rate-limited operator key.</summary>
public sealed class InMemoryHostFixture : IAsyncLifetime
{
    public const string OperatorKey = "test-operator-key-0123456789abcdef";
    public const string CashierKey = "test-cashier-key-0123456789abcdef";
    public const string ViewerKey = "test-viewer-key-0123456789abcdef0";
    public const string LimitedKey = "test-limited-key-0123456789abcdef";

    /// <summary>The limited key's burst: this many requests pass at once, the next is 429.</summary>
    public const int LimitedBurst = 3;

    private readonly string _workingDirectory = Directory.CreateTempSubdirectory("pp-host-tests-").FullName;

    public PrepaidPowerRunningHost Host { get; private set; } = null!;

    public HttpClient Operator { get; private set; } = null!;

    public HttpClient Cashier { get; private set; } = null!;

    public HttpClient Viewer { get; private set; } = null!;

    public HttpClient Anonymous { get; private set; } = null!;

    public static Dictionary<string, string?> KeyConfiguration() => new()
    {
        ["PrepaidPower:ApiKeys:ops:Key"] = OperatorKey,
        ["PrepaidPower:ApiKeys:ops:Role"] = "Operator",
        ["PrepaidPower:ApiKeys:till-1:Key"] = CashierKey,
        ["PrepaidPower:ApiKeys:till-1:Role"] = "Cashier",
        ["PrepaidPower:ApiKeys:auditor:Key"] = ViewerKey,
        ["PrepaidPower:ApiKeys:auditor:Role"] = "Viewer",
        ["PrepaidPower:ApiKeys:limited:Key"] = LimitedKey,
        ["PrepaidPower:ApiKeys:limited:Role"] = "Operator",
        ["PrepaidPower:ApiKeys:limited:Burst"] = LimitedBurst.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["PrepaidPower:ApiKeys:limited:PermitsPerSecond"] = "1",
        // The shared keys must never be the limit under test.
        ["PrepaidPower:RateLimit:PermitsPerSecond"] = "10000",
        ["PrepaidPower:RateLimit:Burst"] = "10000",
    };

    public async Task InitializeAsync()
    {
        Host = await PrepaidPowerHost.StartAsync(new PrepaidPowerHostOptions
        {
            Storage = StorageMode.InMemory,
            WorkingDirectory = _workingDirectory,
            HttpPort = 0,
            SiloPort = 0,
            GatewayPort = 0,
            ClusterId = "host-tests",
            Configuration = KeyConfiguration(),
        });
        Operator = Client(OperatorKey);
        Cashier = Client(CashierKey);
        Viewer = Client(ViewerKey);
        Anonymous = Client(null);
    }

    public HttpClient Client(string? key)
    {
        var client = new HttpClient { BaseAddress = Host.BaseAddress };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
        }

        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }

    public async Task DisposeAsync()
    {
        foreach (var client in new[] { Operator, Cashier, Viewer, Anonymous })
        {
            client?.Dispose();
        }

        await Host.DisposeAsync();
        Directory.Delete(_workingDirectory, recursive: true);
    }
}
