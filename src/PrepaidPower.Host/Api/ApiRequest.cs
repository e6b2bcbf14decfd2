using System.Security.Claims;
using PrepaidPower.Host.Errors;

namespace PrepaidPower.Host.Api;

/// <summary>Checks shared by the endpoints: ids, the idempotency key, paging; and who is asking (the API key's name, recorded as operator).</summary>
internal static class ApiRequest
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const int MaxIdLength = 100;

    /// <summary>The operator recorded for audit: the name of the API key that made the request.</summary>
    public static string OperatorId(this HttpContext context) =>
        context.User.FindFirstValue(ClaimTypes.Name) ?? throw new InvalidOperationException("An authorised request has no key name.");

    /// <summary>An account, meter or tariff id: 1–100 printable ASCII characters without spaces or slashes.</summary>
    public static string Id(string? value, string field)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxIdLength || !value.All(c => c is > ' ' and < '\u007f' and not '/'))
        {
            throw ApiRequestException.BadRequest(field, $"{field} '{value}' is not a valid id; use 1–{MaxIdLength} printable ASCII characters without spaces or '/', e.g. \"ACC-0001\".");
        }

        return value;
    }

    /// <summary>The caller's payment id from the Idempotency-Key header (required for money from outside).</summary>
    public static string IdempotencyKey(this HttpContext context)
    {
        var values = context.Request.Headers[IdempotencyKeyHeader];
        if (values.Count != 1 || string.IsNullOrWhiteSpace(values[0]))
        {
            throw ApiRequestException.BadRequest(
                IdempotencyKeyHeader,
                $"Send exactly one {IdempotencyKeyHeader} header holding your payment id (1–{MaxIdLength} printable characters); resending the same id with the same body returns the original result.");
        }

        var key = values[0]!.Trim();
        if (key.Length > MaxIdLength || !key.All(c => c is >= ' ' and < '\u007f'))
        {
            throw ApiRequestException.BadRequest(IdempotencyKeyHeader, $"The {IdempotencyKeyHeader} must be 1–{MaxIdLength} printable ASCII characters.");
        }

        return key;
    }

    public static string Required(string? value, string field, string example)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw ApiRequestException.BadRequest(field, $"{field} is required, e.g. {example}.");
        }

        return value.Trim();
    }

    public static int Limit(int? value, int max, int defaultValue)
    {
        var limit = value ?? defaultValue;
        if (limit < 1 || limit > max)
        {
            throw ApiRequestException.BadRequest("limit", $"limit {limit} is out of range; use 1 to {max}.");
        }

        return limit;
    }
}
