// The city-scale load harness (issue 5): the durable grain run on PostgreSQL, then the two baselines in the same run
// (the same grains on memory with no ledger, and a SQL-only rater), a markdown table and JSON under benchmarks/results.
using PrepaidPower.LoadTest;

LoadOptions options;
try
{
    options = LoadOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

var report = await LoadRun.RunAsync(options);
return report.Passed ? 0 : 1;
