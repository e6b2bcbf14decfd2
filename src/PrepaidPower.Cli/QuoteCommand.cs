using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using PrepaidPower.Cli.Quote;
using PrepaidPower.Domain.Tariffs;

namespace PrepaidPower.Cli;

/// <summary>`prepaidpower quote`: prices a readings file with a tariff file and prints the bill as JSON.</summary>
internal static class QuoteCommand
{
    public static Command Create()
    {
        var tariff = new Option<FileInfo>("--tariff") { Description = "Tariff JSON file (format: docs/tariffs.md).", Required = true };
        var readings = new Option<FileInfo>("--readings") { Description = "Readings CSV: timestamp,total_kwh[,<band>_kwh …].", Required = true };
        var account = new Option<FileInfo?>("--account") { Description = "Account JSON: householdSize, accountOpened, tierUsage, debts." };
        var command = new Command("quote", "Price a series of meter readings with a tariff and print the bill as JSON.") { tariff, readings, account };
        command.SetAction(parse => Run(parse.GetRequiredValue(tariff), parse.GetRequiredValue(readings), parse.GetValue(account), Console.Out, Console.Error));
        return command;
    }

    /// <summary>Runs the quote; returns the exit code (0 ok, 2 bad input).</summary>
    internal static int Run(FileInfo tariffFile, FileInfo readingsFile, FileInfo? accountFile, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            var tariff = TariffLoader.LoadFile(tariffFile.FullName);
            IReadOnlyList<QuoteReading> rows;
            using (var reader = OpenText(readingsFile))
            {
                rows = ReadingsCsv.Parse(readingsFile.Name, reader);
            }
            var account = accountFile is null ? new AccountFile() : AccountFile.Parse(accountFile.Name, ReadAll(accountFile));
            using var stream = new MemoryStream();
            using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                QuoteCalculator.Write(json, tariff, rows, account, readingsFile.Name);
            }
            stdout.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
            return 0;
        }
        catch (TariffLoadException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return 2;
        }
        catch (InputFileException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return 2;
        }
    }

    private static StreamReader OpenText(FileInfo file) =>
        file.Exists ? file.OpenText() : throw new InputFileException(file.Name, 0, 0, $"file not found: {file.FullName}");

    private static string ReadAll(FileInfo file)
    {
        using var reader = OpenText(file);
        return reader.ReadToEnd();
    }
}
