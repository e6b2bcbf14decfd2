// Every error the API returns is application/problem+json (RFC 9457) that says what was wrong and what to do.
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PrepaidPower.Host.Errors;

/// <summary><c>builder.AddProblemResponses()</c>: strict JSON, problem details, and the exception → status mapping.</summary>
public static class ErrorsHostingExtensions
{
    public static WebApplicationBuilder AddProblemResponses(this WebApplicationBuilder builder)
    {
        builder.Services.ConfigureHttpJsonOptions(o => ConfigureJson(o.SerializerOptions));
        // Let body-binding failures reach the exception handler, which tells the client what was wrong; by default
        // minimal APIs answer a bare 400 and put the reason only in the server log.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Instance ??= context.HttpContext.Request.Path;
            context.ProblemDetails.Extensions.TryAdd("traceId", context.HttpContext.TraceIdentifier);
        });
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
        return builder;
    }

    /// <summary>The API's JSON rules, shared by tests: camelCase, enums by name, unknown fields rejected, required means required.</summary>
    public static void ConfigureJson(JsonSerializerOptions options)
    {
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.RespectNullableAnnotations = true;
        options.RespectRequiredConstructorParameters = true;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.Converters.Add(new JsonStringEnumConverter(allowIntegerValues: false));
    }

    /// <summary>Exception handler, then 4xx/5xx without a body (unknown route, wrong method) as problem details too.</summary>
    public static WebApplication UseProblemResponses(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}
