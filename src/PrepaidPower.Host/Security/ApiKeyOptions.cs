using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace PrepaidPower.Host.Security;

/// <summary>
/// The API keys, from configuration section <c>PrepaidPower:ApiKeys</c>: a name per key (it appears in logs and the
/// audit trail, never the key), with either the key itself or its SHA-256, and a role.
/// </summary>
/// <example>
/// <code>
/// "PrepaidPower": { "ApiKeys": {
///   "ops-console":    { "Key": "…at least 24 characters…", "Role": "Operator" },
///   "alipay-gateway": { "KeySha256": "9f86d0…", "Role": "Cashier", "PermitsPerSecond": 200, "Burst": 400 } } }
/// </code>
/// </example>
public sealed class ApiKeyOptions
{
    public const string Section = "PrepaidPower";

    /// <summary>Name → key. Empty means the host generates a development key at first start.</summary>
    public Dictionary<string, ApiKeyEntry> ApiKeys { get; init; } = new(StringComparer.Ordinal);
}

/// <summary>One API key.</summary>
public sealed class ApiKeyEntry
{
    /// <summary>Shortest key accepted: a key is a bearer secret, so it must not be guessable.</summary>
    public const int MinimumKeyLength = 24;

    /// <summary>The key itself (at least 24 characters). Give this or <see cref="KeySha256"/>.</summary>
    public string? Key { get; set; }

    /// <summary>Lower-case hex SHA-256 of the key's UTF-8 bytes, so the configuration need not hold the secret.</summary>
    public string? KeySha256 { get; set; }

    /// <summary>What the key may do.</summary>
    public ApiRole Role { get; set; }

    /// <summary>This key's sustained request rate; null = the <c>RateLimit</c> default.</summary>
    public int? PermitsPerSecond { get; set; }

    /// <summary>This key's burst (requests allowed at once before the rate applies); null = the <c>RateLimit</c> default.</summary>
    public int? Burst { get; set; }

    /// <summary>The SHA-256 (lower-case hex) this key is matched by.</summary>
    public string Hash => KeySha256?.ToLowerInvariant() ?? HashOf(Key!);

    public static string HashOf(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}

/// <summary>Checks the keys at start-up: a host with a bad key table refuses to start, saying which entry and why.</summary>
internal sealed class ApiKeyOptionsValidator : IValidateOptions<ApiKeyOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiKeyOptions options)
    {
        var failures = new List<string>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        if (options.ApiKeys.Count == 0)
        {
            failures.Add("No API keys are configured under PrepaidPower:ApiKeys; add at least one (see docs/api.md).");
        }

        foreach (var (keyName, entry) in options.ApiKeys)
        {
            var where = $"PrepaidPower:ApiKeys:{keyName}";
            if ((entry.Key is null) == (entry.KeySha256 is null))
            {
                failures.Add($"{where}: give exactly one of Key or KeySha256.");
                continue;
            }

            if (entry.Key is not null && entry.Key.Length < ApiKeyEntry.MinimumKeyLength)
            {
                failures.Add($"{where}: the key has {entry.Key.Length} characters; use at least {ApiKeyEntry.MinimumKeyLength} random ones (e.g. `openssl rand -hex 24`).");
            }

            if (entry.KeySha256 is not null && (entry.KeySha256.Length != 64 || !entry.KeySha256.All(char.IsAsciiHexDigit)))
            {
                failures.Add($"{where}: KeySha256 must be 64 hex digits (`printf %s KEY | sha256sum`).");
            }

            if (!Enum.IsDefined(entry.Role))
            {
                failures.Add($"{where}: Role must be Operator, Cashier or Viewer.");
            }

            if (entry.PermitsPerSecond is <= 0 || entry.Burst is <= 0)
            {
                failures.Add($"{where}: PermitsPerSecond and Burst must be positive when given.");
            }

            if (entry.Key is not null || entry.KeySha256 is { Length: 64 })
            {
                if (seen.TryGetValue(entry.Hash, out var other))
                {
                    failures.Add($"{where}: the same key is configured as {other}; every key must be distinct.");
                }

                seen.TryAdd(entry.Hash, keyName);
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
