using Microsoft.Extensions.Options;

namespace PrepaidPower.Host.Limits;

/// <summary>Request size limits and per-key rate limits, from configuration sections <c>PrepaidPower:Limits</c> and <c>PrepaidPower:RateLimit</c>.</summary>
public sealed class ApiLimitsOptions
{
    public const string Section = "PrepaidPower:Limits";

    /// <summary>Largest request body, bytes, for every endpoint but tariff uploads. Default 64 KiB.</summary>
    public long MaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Largest tariff upload, bytes. Default 256 KiB.</summary>
    public long MaxTariffBodyBytes { get; set; } = 256 * 1024;

    /// <summary>Largest single top-up, refund or adjustment, in major units of any currency: anything above is a typo, not a payment. Default 100 000.</summary>
    public decimal MaxAmount { get; set; } = 100_000m;
}

/// <summary>A token bucket per API key (per client address for requests without a key).</summary>
public sealed class RateLimitOptions
{
    public const string Section = "PrepaidPower:RateLimit";

    /// <summary>Sustained requests per second per key. Default 50.</summary>
    public int PermitsPerSecond { get; set; } = 50;

    /// <summary>Requests a key may make at once before the sustained rate applies. Default 100.</summary>
    public int Burst { get; set; } = 100;
}

internal sealed class ApiLimitsOptionsValidator : IValidateOptions<ApiLimitsOptions>, IValidateOptions<RateLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiLimitsOptions options)
    {
        var failures = new List<string>();
        if (options.MaxBodyBytes is < 1024 or > 16 * 1024 * 1024)
        {
            failures.Add($"{ApiLimitsOptions.Section}:MaxBodyBytes {options.MaxBodyBytes} is out of range; use 1 KiB to 16 MiB.");
        }

        if (options.MaxTariffBodyBytes < options.MaxBodyBytes || options.MaxTariffBodyBytes > 16 * 1024 * 1024)
        {
            failures.Add($"{ApiLimitsOptions.Section}:MaxTariffBodyBytes {options.MaxTariffBodyBytes} must be at least MaxBodyBytes and at most 16 MiB.");
        }

        if (options.MaxAmount <= 0)
        {
            failures.Add($"{ApiLimitsOptions.Section}:MaxAmount must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    public ValidateOptionsResult Validate(string? name, RateLimitOptions options) =>
        options.PermitsPerSecond <= 0 || options.Burst <= 0
            ? ValidateOptionsResult.Fail($"{RateLimitOptions.Section}: PermitsPerSecond ({options.PermitsPerSecond}) and Burst ({options.Burst}) must be positive.")
            : ValidateOptionsResult.Success;
}
