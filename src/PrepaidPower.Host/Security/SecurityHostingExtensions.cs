using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace PrepaidPower.Host.Security;

/// <summary><c>builder.AddApiKeyAuthentication()</c>: API keys with roles, and the three policies the endpoints use.</summary>
public static class SecurityHostingExtensions
{
    public static WebApplicationBuilder AddApiKeyAuthentication(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ApiKeyOptions>().Bind(builder.Configuration.GetSection(ApiKeyOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ApiKeyOptions>, ApiKeyOptionsValidator>();
        builder.Services
            .AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ApiPolicies.Read, p => p.RequireRole(nameof(ApiRole.Operator), nameof(ApiRole.Viewer)))
            .AddPolicy(ApiPolicies.TopUp, p => p.RequireRole(nameof(ApiRole.Operator), nameof(ApiRole.Cashier)))
            .AddPolicy(ApiPolicies.Operate, p => p.RequireRole(nameof(ApiRole.Operator)));
        return builder;
    }
}
