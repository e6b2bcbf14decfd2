using System.CommandLine;

namespace PrepaidPower.Cli;

/// <summary>`prepaidpower quote`: prices a readings file with a tariff file.</summary>
internal static class QuoteCommand
{
    public static Command Create()
    {
        var tariff = new Option<FileInfo>("--tariff") { Description = "Tariff JSON file (see docs/tariffs.md).", Required = true };
        var readings = new Option<FileInfo>("--readings") { Description = "Readings CSV: timestamp,total_kwh[,band registers].", Required = true };
        var account = new Option<FileInfo?>("--account") { Description = "Account JSON: household size, tier usage so far, debts." };
        var command = new Command("quote", "Price a series of meter readings with a tariff and print the bill as JSON.") { tariff, readings, account };
        command.SetAction(parse =>
        {
            Console.Error.WriteLine("quote: not built yet");
            return 2;
        });
        return command;
    }
}
