// The error a device profile file produces: every problem, each with its JSON path.
namespace PrepaidPower.Modbus.Profiles;

/// <summary>One problem in a device profile: where (a JSON path such as <c>gateway.registers.totalEnergy.scale</c>) and what.</summary>
public sealed record DeviceProfileProblem(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>A device profile was rejected. <see cref="Problems"/> lists every problem found; nothing was loaded.</summary>
public sealed class DeviceProfileLoadException : Exception
{
    public DeviceProfileLoadException(string source, IReadOnlyList<DeviceProfileProblem> problems)
        : base(Format(source, problems))
    {
        Source = source;
        Problems = problems;
    }

    public DeviceProfileLoadException()
        : this("document", [])
    {
    }

    public DeviceProfileLoadException(string message)
        : base(message)
    {
        Problems = [];
    }

    public DeviceProfileLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [];
    }

    public IReadOnlyList<DeviceProfileProblem> Problems { get; }

    private static string Format(string source, IReadOnlyList<DeviceProfileProblem> problems) =>
        $"Device profile {source} is not valid ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}; format: docs/devices.md):"
        + string.Concat(problems.Select(p => Environment.NewLine + "  " + p));
}
