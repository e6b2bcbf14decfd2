// Request size limits and rate limiting: 413 and 429 answered as problem+json.
using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using PrepaidPower.Host.Security;

namespace PrepaidPower.Host.Limits;

/// <summary><c>builder.AddApiLimits()</c>: Kestrel's body limit, per-endpoint overrides and a token bucket per API key.</summary>
public static class LimitsHostingExtensions
{
    public static WebApplicationBuilder AddApiLimits(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ApiLimitsOptions>().Bind(builder.Configuration.GetSection(ApiLimitsOptions.Section)).ValidateOnStart();
        builder.Services.AddOptions<RateLimitOptions>().Bind(builder.Configuration.GetSection(RateLimitOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ApiLimitsOptions>, ApiLimitsOptionsValidator>();
        builder.Services.AddSingleton<IValidateOptions<RateLimitOptions>, ApiLimitsOptionsValidator>();
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<ApiLimitsOptions>>(
            (kestrel, limits) => kestrel.Limits.MaxRequestBodySize = limits.Value.MaxBodyBytes);

        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(PartitionFor);
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails =
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests",
                        Detail = $"This API key has used up its request allowance. Wait {seconds} s (Retry-After) and send again; ask the operator for a higher limit if this is normal traffic.",
                    },
                });
            };
        });
        return builder;
    }

    /// <summary>Marks an endpoint (e.g. tariff upload) as allowed a bigger body than <see cref="ApiLimitsOptions.MaxBodyBytes"/>.</summary>
    public static TBuilder WithBodyLimit<TBuilder>(this TBuilder builder, long maxBytes)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new BodyLimitMetadata(maxBytes));

    /// <summary>Applies an endpoint's <see cref="IRequestSizeLimitMetadata"/> before its body is read.</summary>
    public static IApplicationBuilder UseEndpointBodyLimits(this IApplicationBuilder app) =>
        app.Use(next => context =>
        {
            var limit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>();
            var feature = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>();
            if (limit is not null && feature is { IsReadOnly: false })
            {
                feature.MaxRequestBodySize = limit.MaxRequestBodySize;
            }

            return next(context);
        });

    private static RateLimitPartition<string> PartitionFor(HttpContext context)
    {
        var keyName = context.User.FindFirst(ApiKeyAuthenticationHandler.KeyNameClaim)?.Value;
        var defaults = context.RequestServices.GetRequiredService<IOptionsMonitor<RateLimitOptions>>().CurrentValue;
        if (keyName is null)
        {
            var address = context.Connection.RemoteIpAddress ?? IPAddress.None;
            return RateLimitPartition.GetTokenBucketLimiter("address:" + address, _ => Bucket(defaults.PermitsPerSecond, defaults.Burst));
        }

        var entry = context.RequestServices.GetRequiredService<IOptionsMonitor<ApiKeyOptions>>().CurrentValue.ApiKeys.GetValueOrDefault(keyName);
        return RateLimitPartition.GetTokenBucketLimiter(
            "key:" + keyName,
            _ => Bucket(entry?.PermitsPerSecond ?? defaults.PermitsPerSecond, entry?.Burst ?? defaults.Burst));
    }

    private static TokenBucketRateLimiterOptions Bucket(int perSecond, int burst) => new()
    {
        TokenLimit = burst,
        TokensPerPeriod = perSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    private sealed record BodyLimitMetadata(long? MaxRequestBodySize) : IRequestSizeLimitMetadata;
}
