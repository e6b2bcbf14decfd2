namespace PrepaidPower.Domain.Tariffs;

/// <summary>One problem in a tariff document: the JSON path (e.g. <c>versions[1].tiers[2].upTo</c>) and what is wrong.</summary>
public sealed record TariffProblem(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>
/// A tariff document (or a new version) was rejected. <see cref="Problems"/> lists everything found, each with
/// its JSON path; nothing of the document was loaded.
/// </summary>
public sealed class TariffLoadException : Exception
{
    public TariffLoadException(string source, IReadOnlyList<TariffProblem> problems)
        : base(BuildMessage(source, problems))
    {
        Problems = problems;
    }

    public IReadOnlyList<TariffProblem> Problems { get; }

    private static string BuildMessage(string source, IReadOnlyList<TariffProblem> problems) =>
        $"Tariff {source} rejected ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}; fix them and load again):" +
        Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  " + p));
}
