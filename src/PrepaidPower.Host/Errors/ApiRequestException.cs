namespace PrepaidPower.Host.Errors;

/// <summary>
/// A request the API itself rejects before any grain is called (a bad amount, a missing header, a bad query
/// parameter). Answered as problem+json with <see cref="Status"/>; nothing was written.
/// </summary>
public sealed class ApiRequestException(int status, string title, string detail, string? field = null, string? code = null) : Exception(detail)
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    /// <summary>The JSON field, header or query parameter at fault, when there is one.</summary>
    public string? Field { get; } = field;

    /// <summary>A stable reason code (the Contracts' ErrorCodes), when there is one.</summary>
    public string? Code { get; } = code;

    public static ApiRequestException BadRequest(string field, string detail, string? code = null) =>
        new(400, $"Invalid {field}", detail, field, code ?? "INVALID_FIELD");
}
