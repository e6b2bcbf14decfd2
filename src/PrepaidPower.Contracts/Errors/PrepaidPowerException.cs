namespace PrepaidPower.Contracts.Errors;

/// <summary>How the host maps a rejected request: <see cref="Validation"/> → 400, <see cref="NotFound"/> → 404, <see cref="Conflict"/> → 409.</summary>
[GenerateSerializer, Alias("pp.ErrorKind")]
public enum ErrorKind
{
    /// <summary>The request itself is wrong (bad amount, wrong currency, unknown field value): fix it and send again.</summary>
    Validation = 1,

    /// <summary>The account, meter or tariff does not exist (or is not open/registered).</summary>
    NotFound = 2,

    /// <summary>The request clashes with what exists (meter attached elsewhere, id reused for another request, overlapping tariff version).</summary>
    Conflict = 3,
}

/// <summary>
/// A request a grain rejected. Nothing was written. <see cref="Code"/> is a stable machine-readable reason
/// (e.g. <c>AMOUNT_TOO_LARGE</c>); the message says what was wrong and what to do.
/// </summary>
[GenerateSerializer, Alias("pp.PrepaidPowerException")]
public abstract class PrepaidPowerException : Exception
{
    protected PrepaidPowerException()
    {
    }

    protected PrepaidPowerException(string message)
        : base(message)
    {
    }

    protected PrepaidPowerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    protected PrepaidPowerException(string code, string message)
        : base(message) => Code = code;

    /// <summary>Stable reason code, upper snake case.</summary>
    [Id(0)]
    public string Code { get; private set; } = "";

    public abstract ErrorKind Kind { get; }
}

/// <summary>The request is invalid (HTTP 400).</summary>
[GenerateSerializer, Alias("pp.InvalidRequestException")]
public sealed class InvalidRequestException : PrepaidPowerException
{
    public InvalidRequestException()
    {
    }

    public InvalidRequestException(string message)
        : base(message)
    {
    }

    public InvalidRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public InvalidRequestException(string code, string message)
        : base(code, message)
    {
    }

    public override ErrorKind Kind => ErrorKind.Validation;
}

/// <summary>The account, meter or tariff does not exist (HTTP 404).</summary>
[GenerateSerializer, Alias("pp.NotFoundException")]
public sealed class NotFoundException : PrepaidPowerException
{
    public NotFoundException()
    {
    }

    public NotFoundException(string message)
        : base(message)
    {
    }

    public NotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public NotFoundException(string code, string message)
        : base(code, message)
    {
    }

    public override ErrorKind Kind => ErrorKind.NotFound;
}

/// <summary>The request clashes with existing state (HTTP 409).</summary>
[GenerateSerializer, Alias("pp.ConflictException")]
public sealed class ConflictException : PrepaidPowerException
{
    public ConflictException()
    {
    }

    public ConflictException(string message)
        : base(message)
    {
    }

    public ConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ConflictException(string code, string message)
        : base(code, message)
    {
    }

    public override ErrorKind Kind => ErrorKind.Conflict;
}

/// <summary>The stable reason codes carried by <see cref="PrepaidPowerException.Code"/>.</summary>
public static class ErrorCodes
{
    public const string AccountNotFound = "ACCOUNT_NOT_FOUND";
    public const string AccountExists = "ACCOUNT_EXISTS";
    public const string AccountClosed = "ACCOUNT_CLOSED";
    public const string MeterNotFound = "METER_NOT_FOUND";
    public const string MeterExists = "METER_EXISTS";
    public const string MeterAttachedElsewhere = "METER_ATTACHED_ELSEWHERE";
    public const string MeterNotAttached = "METER_NOT_ATTACHED";
    public const string TariffNotFound = "TARIFF_NOT_FOUND";
    public const string TariffExists = "TARIFF_EXISTS";
    public const string TariffInvalid = "TARIFF_INVALID";
    public const string TariffVersionRejected = "TARIFF_VERSION_REJECTED";
    public const string IdempotencyConflict = "IDEMPOTENCY_CONFLICT";
    public const string InvalidAmount = "INVALID_AMOUNT";
    public const string AmountTooLarge = "AMOUNT_TOO_LARGE";
    public const string WrongCurrency = "WRONG_CURRENCY";
    public const string TooManyDecimals = "TOO_MANY_DECIMALS";
    public const string InvalidField = "INVALID_FIELD";
    public const string InvalidTransition = "INVALID_TRANSITION";
    public const string ExchangeRejected = "EXCHANGE_REJECTED";
}
