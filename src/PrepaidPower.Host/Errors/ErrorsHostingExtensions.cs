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
            var problem = context.ProblemDetails;
            problem.Instance ??= context.HttpContext.Request.Path;
            problem.Extensions.TryAdd("traceId", context.HttpContext.TraceIdentifier);
            // Bodiless statuses set by the framework (no route, wrong method, body too large while binding) get a reason too.
            if (problem.Detail is null && BareStatus.TryGetValue(problem.Status ?? 0, out var text))
            {
                problem.Title ??= text.Title;
                problem.Detail = text.Detail;
            }
        });
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
        return builder;
    }

    private static readonly Dictionary<int, (string Title, string Detail)> BareStatus = new()
    {
        [StatusCodes.Status400BadRequest] = ("Bad request", "The request could not be understood; check the path, query parameters and JSON body against /openapi/v1.json."),
        [StatusCodes.Status404NotFound] = ("Not found", "There is no such endpoint or resource; /openapi/v1.json lists the endpoints."),
        [StatusCodes.Status405MethodNotAllowed] = ("Method not allowed", "This endpoint does not accept this HTTP method; /openapi/v1.json lists what it accepts."),
        [StatusCodes.Status413PayloadTooLarge] = ("Request body too large", "The request body is larger than this endpoint accepts (64 KiB, tariff uploads 256 KiB by default). Send a smaller body."),
        [StatusCodes.Status415UnsupportedMediaType] = ("Unsupported media type", "Send the body as JSON with Content-Type: application/json."),
    };

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
