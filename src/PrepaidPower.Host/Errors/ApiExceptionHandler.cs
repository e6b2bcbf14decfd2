using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using PrepaidPower.Domain.Ledger;

namespace PrepaidPower.Host.Errors;

/// <summary>Maps what went wrong to a status and a problem+json body; anything unexpected is a 500 that is logged and says only that.</summary>
internal sealed partial class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail, extensions) = Describe(exception);
        if (status >= 500)
        {
            Log.Unexpected(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
        }

        httpContext.Response.StatusCode = status;
        var context = new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        };
        foreach (var (key, value) in extensions)
        {
            context.ProblemDetails.Extensions[key] = value;
        }

        return await problems.TryWriteAsync(context);
    }

    internal static (int Status, string Title, string Detail, IReadOnlyDictionary<string, object?> Extensions) Describe(Exception exception) => exception switch
    {
        ApiRequestException e => (e.Status, e.Title, e.Message, FieldAndCode(e.Field, e.Code)),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            (413, "Request body too large", "The request body is larger than this endpoint accepts (64 KiB, tariff uploads 256 KiB). Send a smaller body.", NoExtensions),
        BadHttpRequestException e => (e.StatusCode, "Malformed request", BodyProblem(e), NoExtensions),
        IdempotencyConflictException e => (409, "Idempotency key reused", e.Message, new Dictionary<string, object?> { ["code"] = "IDEMPOTENCY_CONFLICT" }),
        // The cluster or its database is briefly unavailable (a silo died, PostgreSQL restarting, an account reloading
        // after a stale write; a database error arrives as a codec error because Npgsql's exceptions don't serialize).
        // Money is ledger-first, so nothing unacknowledged was kept: retrying with the same Idempotency-Key is safe.
        Orleans.Runtime.SiloUnavailableException or Orleans.Runtime.OrleansMessageRejectionException or TimeoutException
            or Orleans.Serialization.CodecNotFoundException or Npgsql.NpgsqlException or LedgerSequenceConflictException =>
            (503, "Temporarily unavailable", "The cluster or its database could not complete the request just now; nothing unacknowledged was kept. Retry in a few seconds with the same Idempotency-Key.", NoExtensions),
        _ => ContractProblems.Describe(exception) ?? (500, "Unexpected server error", "The server failed to handle this request; nothing is known to be written. Retry with the same Idempotency-Key, or report the traceId.", NoExtensions),
    };

    private static readonly IReadOnlyDictionary<string, object?> NoExtensions = new Dictionary<string, object?>();

    private static Dictionary<string, object?> FieldAndCode(string? field, string? code)
    {
        var extensions = new Dictionary<string, object?>();
        if (field is not null)
        {
            extensions["field"] = field;
        }

        if (code is not null)
        {
            extensions["code"] = code;
        }

        return extensions;
    }

    private static string BodyProblem(BadHttpRequestException e)
    {
        // The inner JsonException carries the useful part: which property, which line, what was wrong.
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is JsonException json)
            {
                if (json.Message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
                {
                    return $"The JSON body has a field this endpoint does not know: {json.Path}. Remove it (or fix its spelling) and send the body again; /openapi/v1.json lists the accepted fields.";
                }

                var where = json.Path is { Length: > 0 } path ? $" at {path}" : string.Empty;
                return $"The JSON body could not be read{where}: {json.Message} Fix the body (unknown fields are rejected; amounts are strings or numbers like \"100.00\") and send it again.";
            }
        }

        return e.Message.Contains("body", StringComparison.OrdinalIgnoreCase)
            ? $"{e.Message} Send a JSON body with Content-Type: application/json."
            : e.Message;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 200, Level = LogLevel.Error, Message = "Unexpected error handling {Method} {Path}")]
        public static partial void Unexpected(ILogger logger, Exception exception, string method, PathString path);
    }
}
