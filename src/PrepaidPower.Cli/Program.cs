using System.CommandLine;
using PrepaidPower.Cli;

var root = new RootCommand("PrepaidPower: prepaid electricity rating and supply control.");
root.Subcommands.Add(QuoteCommand.Create());
root.Subcommands.Add(RunCommand.Create());
root.Subcommands.Add(SimulateCommand.Create());
// Ctrl+C / SIGTERM cancel the running command; give `run` time to leave the cluster and stop PostgreSQL cleanly.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromMinutes(2) });
