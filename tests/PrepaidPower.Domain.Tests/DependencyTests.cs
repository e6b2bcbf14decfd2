namespace PrepaidPower.Domain.Tests;

/// <summary>Dependencies point one way: the domain is pure and references nothing but the base class library.</summary>
[Trait("Category", "Unit")]
public sealed class DependencyTests
{
    [Fact]
    public void DomainAssembly_ReferencesOnlyTheBaseClassLibrary()
    {
        var offenders = typeof(Money).Assembly.GetReferencedAssemblies()
            .Select(a => a.Name ?? "")
            .Where(n => !(n == "netstandard" || n.StartsWith("System", StringComparison.Ordinal) || n.StartsWith("Microsoft.Win32", StringComparison.Ordinal)))
            .ToList();
        Assert.True(offenders.Count == 0, "PrepaidPower.Domain must stay pure; it references: " + string.Join(", ", offenders));
    }
}
