namespace PrepaidPower.Cli.Quote;

/// <summary>A problem in a user's input file, located by line and column (1-based; 0 when not applicable).</summary>
internal sealed class InputFileException(string file, int line, int column, string message)
    : Exception(Format(file, line, column, message))
{
    public string File { get; } = file;

    public int Line { get; } = line;

    public int Column { get; } = column;

    private static string Format(string file, int line, int column, string message) =>
        (line, column) switch
        {
            (0, _) => $"{file}: {message}",
            (_, 0) => $"{file}:{line}: {message}",
            _ => $"{file}:{line}:{column}: {message}",
        };
}
