using System.Text;

namespace PrepaidPower.Host.Hosting;

/// <summary>What <c>prepaidpower run</c> prints once the host is up: where things are, the key, and a first few requests to try.</summary>
internal static class Welcome
{
    public static string Text(PrepaidPowerRunningHost host)
    {
        var url = host.BaseAddress.ToString().TrimEnd('/');
        var key = host.DevelopmentKey?.Key ?? "<your API key>";
        var text = new StringBuilder();
        text.AppendLine();
        text.AppendLine($"PrepaidPower is running (instance {host.Options.Instance}, cluster '{host.Options.ClusterId}').");
        text.AppendLine($"  API        {url}/");
        text.AppendLine($"  OpenAPI    {host.OpenApiUrl}");
        text.AppendLine($"  Dashboard  {host.DashboardUrl}   (browser: any user name, the API key as password)");
        text.AppendLine($"  Storage    {host.StorageDescription}");
        text.AppendLine($"  Silo port  {host.SiloPort}, gateway port {host.GatewayPort}");
        if (host.DevelopmentKey is { } dev)
        {
            text.AppendLine($"  API key    {dev.Key}");
            text.AppendLine($"             (operator role; {(dev.Created ? "generated now and" : "")} stored in {dev.File}; configure PrepaidPower:ApiKeys to use your own)");
        }
        else
        {
            text.AppendLine("  API keys   from configuration (PrepaidPower:ApiKeys)");
        }

        if (host.SeededTariffs.Count > 0)
        {
            text.AppendLine($"  Seeded     sample tariffs {string.Join(", ", host.SeededTariffs)}");
        }

        if (host.City is { } city)
        {
            var first = city.Endpoints[0];
            text.AppendLine($"  City       {city.City.MeterCount} simulated meters behind {city.Endpoints.Count} Modbus TCP concentrators (first: {first.EndPoint}),");
            text.AppendLine($"             simulated time runs {host.Options.CitySpeed}× real time (the grains' clock too); one account in eight starts nearly empty");
            text.AppendLine($"             watch: curl -s $PP/concentrators/<id> and /accounts/<id>/events — ids are in .prepaidpower/city.json (accounts <prefix>-a<n>)");
        }

        text.AppendLine();
        text.AppendLine("Try it:");
        text.AppendLine($"  export PP={url} KEY={key}");
        text.AppendLine("""
              curl -s -X POST $PP/accounts -H "X-Api-Key: $KEY" -H 'Content-Type: application/json' \
                -d '{"id":"ACC-1","currency":"CNY","tariffId":"shanghai-residential","timeZone":"Asia/Shanghai"}'
              curl -s -X POST $PP/meters -H "X-Api-Key: $KEY" -H 'Content-Type: application/json' \
                -d '{"id":"MTR-1","model":"demo","maxPowerKilowatts":10,"concentratorAddress":"127.0.0.1:502/1"}'
              curl -s -X POST $PP/meters/MTR-1/attach -H "X-Api-Key: $KEY" -H 'Content-Type: application/json' -d '{"accountId":"ACC-1"}'
              curl -s -X POST $PP/accounts/ACC-1/top-ups -H "X-Api-Key: $KEY" -H 'Idempotency-Key: pay-0001' \
                -H 'Content-Type: application/json' -d '{"amount":"100.00","currency":"CNY","channel":"counter"}'
              # a reading an hour ago, then one now: 5 kWh used
              curl -s -X POST $PP/meters/MTR-1/readings -H "X-Api-Key: $KEY" -H 'Content-Type: application/json' \
                -d "{\"totalWh\":1000000,\"receivedAt\":\"$(date -u -d '1 hour ago' +%FT%TZ)\"}"
              curl -s -X POST $PP/meters/MTR-1/readings -H "X-Api-Key: $KEY" -H 'Content-Type: application/json' -d '{"totalWh":1005000}'
              curl -s $PP/accounts/ACC-1/balance -H "X-Api-Key: $KEY"
              curl -s "$PP/accounts/ACC-1/ledger?limit=20" -H "X-Api-Key: $KEY"
            """);
        text.AppendLine("Press Ctrl+C to stop.");
        return text.ToString();
    }
}
