namespace PrepaidPower.Modbus.Tests;

/// <summary>Modbus stands alone: no Orleans, no other PrepaidPower project, nothing but the base class library.</summary>
[Trait("Category", "Unit")]
public sealed class DependencyTests
{
    [Fact]
    public void ModbusAssembly_ReferencesOnlyTheBaseClassLibrary()
    {
        var offenders = typeof(Mbap).Assembly.GetReferencedAssemblies()
            .Select(a => a.Name ?? "")
            .Where(n => !(n == "netstandard" || n.StartsWith("System", StringComparison.Ordinal) || n.StartsWith("Microsoft.Win32", StringComparison.Ordinal)))
            .ToList();
        Assert.True(offenders.Count == 0, "PrepaidPower.Modbus must stand alone; it references: " + string.Join(", ", offenders));
    }
}
