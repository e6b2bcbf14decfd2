using System.CommandLine;
using PrepaidPower.Cli;

var root = new RootCommand("PrepaidPower: prepaid electricity rating and supply control.");
root.Subcommands.Add(QuoteCommand.Create());
return await root.Parse(args).InvokeAsync();
