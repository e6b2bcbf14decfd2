using PrepaidPower.Contracts.Errors;
using PrepaidPower.Domain.Credit;
using PrepaidPower.Domain.Supply;

namespace PrepaidPower.Host.Errors;

/// <summary>Maps the grains' rejections (the Contracts' error types, the domain's state-machine refusals) to HTTP statuses.</summary>
internal static class ContractProblems
{
    public static (int Status, string Title, string Detail, IReadOnlyDictionary<string, object?> Extensions)? Describe(Exception exception) => exception switch
    {
        PrepaidPowerException e => (
            e.Kind switch { ErrorKind.NotFound => 404, ErrorKind.Conflict => 409, _ => 400 },
            e.Kind switch { ErrorKind.NotFound => "Not found", ErrorKind.Conflict => "Conflict with the current state", _ => "Invalid request" },
            e.Message,
            Code(e.Code)),
        InvalidCreditTransitionException or InvalidSupplyTransitionException =>
            (409, "Not possible in the current state", exception.Message, Code("INVALID_TRANSITION")),
        _ => null,
    };

    private static Dictionary<string, object?> Code(string code) =>
        string.IsNullOrEmpty(code) ? [] : new Dictionary<string, object?> { ["code"] = code };
}
