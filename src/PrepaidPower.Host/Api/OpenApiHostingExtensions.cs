using Microsoft.OpenApi;
using PrepaidPower.Host.Security;

namespace PrepaidPower.Host.Api;

/// <summary><c>builder.AddApiDocument()</c>: the OpenAPI document at <c>/openapi/v1.json</c>, with the API-key scheme declared.</summary>
public static class OpenApiHostingExtensions
{
    public static WebApplicationBuilder AddApiDocument(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "PrepaidPower API";
            document.Info.Description =
                "Prepaid electricity: accounts, meters, tariffs, money and supply. Authenticate with an API key in the X-Api-Key header. " +
                "Errors are application/problem+json and say what was wrong.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[ApiKeyAuthenticationHandler.SchemeName] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeyAuthenticationHandler.HeaderName,
                Description = "Roles: Operator (everything), Cashier (top-ups only), Viewer (read only).",
            };
            document.Security ??= [];
            document.Security.Add(new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(ApiKeyAuthenticationHandler.SchemeName, document)] = [],
            });
            return Task.CompletedTask;
        }));
        return builder;
    }
}
