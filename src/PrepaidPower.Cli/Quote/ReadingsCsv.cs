using System.Globalization;
using PrepaidPower.Domain;

namespace PrepaidPower.Cli.Quote;

/// <summary>One row of a readings file: a meter's cumulative registers at an instant.</summary>
internal sealed record QuoteReading(DateTimeOffset Timestamp, Energy Total, IReadOnlyDictionary<string, Energy> Bands, int Line);

/// <summary>
/// Reads the quote command's readings CSV: a header <c>timestamp,total_kwh</c>, optionally followed by one column per
/// band register (named like the tariff's bands, e.g. <c>peak_kwh,valley_kwh</c> or <c>peak,valley</c>); rows of an
/// ISO-8601 timestamp with offset and cumulative kWh (at most 3 decimals). Rows must be in time order with registers
/// that never decrease — a quote prices a clean series; real meter data goes through reading validation instead.
/// </summary>
internal static class ReadingsCsv
{
    private static readonly string[] TimestampFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd HH:mmK",
    ];

    public static IReadOnlyList<QuoteReading> Parse(string name, TextReader reader)
    {
        var header = reader.ReadLine();
        if (header is null || header.Trim().Length == 0)
        {
            throw new InputFileException(name, 1, 0, "the file is empty; the first line must be the header 'timestamp,total_kwh'");
        }
        var columns = header.Split(',').Select(c => c.Trim()).ToArray();
        if (columns.Length < 2 || !columns[0].Equals("timestamp", StringComparison.OrdinalIgnoreCase)
            || !columns[1].Equals("total_kwh", StringComparison.OrdinalIgnoreCase))
        {
            throw new InputFileException(name, 1, 1, $"the header must start with 'timestamp,total_kwh', found '{header.Trim()}'");
        }
        var bandNames = new string[columns.Length - 2];
        for (var i = 2; i < columns.Length; i++)
        {
            var band = columns[i].EndsWith("_kwh", StringComparison.OrdinalIgnoreCase) ? columns[i][..^4] : columns[i];
            if (band.Length == 0 || Array.IndexOf(bandNames, band, 0, i - 2) >= 0)
            {
                throw new InputFileException(name, 1, i + 1, $"band column '{columns[i]}' is empty or repeated");
            }
            bandNames[i - 2] = band;
        }

        var rows = new List<QuoteReading>();
        var lineNo = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNo++;
            if (line.Trim().Length == 0)
            {
                continue;
            }
            var cells = line.Split(',');
            if (cells.Length != columns.Length)
            {
                throw new InputFileException(name, lineNo, 0, $"expected {columns.Length} values like the header, found {cells.Length}");
            }
            var ts = ParseTimestamp(name, lineNo, cells[0].Trim());
            var total = ParseKwh(name, lineNo, 2, cells[1].Trim());
            var bands = new Dictionary<string, Energy>(bandNames.Length, StringComparer.Ordinal);
            for (var i = 0; i < bandNames.Length; i++)
            {
                bands[bandNames[i]] = ParseKwh(name, lineNo, i + 3, cells[i + 2].Trim());
            }
            if (rows.Count > 0)
            {
                var prev = rows[^1];
                if (ts <= prev.Timestamp)
                {
                    throw new InputFileException(name, lineNo, 1, $"timestamp {cells[0].Trim()} is not after the previous row's (line {prev.Line}); sort the rows by time");
                }
                if (total < prev.Total)
                {
                    throw new InputFileException(name, lineNo, 2, $"total_kwh decreased from {prev.Total.KilowattHours} (line {prev.Line}) to {total.KilowattHours}; registers are cumulative");
                }
                for (var i = 0; i < bandNames.Length; i++)
                {
                    if (bands[bandNames[i]] < prev.Bands[bandNames[i]])
                    {
                        throw new InputFileException(name, lineNo, i + 3, $"register '{bandNames[i]}' decreased since line {prev.Line}; registers are cumulative");
                    }
                }
            }
            rows.Add(new QuoteReading(ts, total, bands, lineNo));
        }
        if (rows.Count < 2)
        {
            throw new InputFileException(name, lineNo, 0, $"need at least two readings to price an interval, found {rows.Count}");
        }
        return rows;
    }

    private static DateTimeOffset ParseTimestamp(string name, int line, string text)
    {
        if (!DateTimeOffset.TryParseExact(text, TimestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var ts)
            || !HasOffset(text))
        {
            throw new InputFileException(name, line, 1, $"'{text}' is not an ISO-8601 timestamp with an offset, e.g. 2024-10-01T00:00:00+08:00 or 2024-10-01T00:00:00Z");
        }
        return ts.ToUniversalTime();
    }

    private static bool HasOffset(string text) =>
        text.EndsWith('Z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');

    private static Energy ParseKwh(string name, int line, int column, string text)
    {
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var kwh))
        {
            throw new InputFileException(name, line, column, $"'{text}' is not a non-negative number of kWh");
        }
        try
        {
            return Energy.FromKilowattHours(kwh);
        }
        catch (Exception e) when (e is ArgumentException or OverflowException)
        {
            throw new InputFileException(name, line, column, $"'{text}' kWh: {e.Message}");
        }
    }
}
