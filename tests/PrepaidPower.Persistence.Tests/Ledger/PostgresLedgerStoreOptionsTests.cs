using PrepaidPower.Persistence.Ledger;

namespace PrepaidPower.Persistence.Tests.Ledger;

[Trait("Category", "Unit")]
public sealed class PostgresLedgerStoreOptionsTests
{
    [Fact]
    public void Validate_Defaults_Pass()
    {
        var options = new PostgresLedgerStoreOptions();

        options.Validate();

        Assert.Equal((2_000, TimeSpan.FromMilliseconds(2), 10_000), (options.MaxBatchEntries, options.MaxDelay, options.QueueCapacity));
    }

    [Theory]
    [InlineData(0, 2, 10, "MaxBatchEntries")]
    [InlineData(100_001, 2, 10, "MaxBatchEntries")]
    [InlineData(10, -1, 10, "MaxDelay")]
    [InlineData(10, 1_001, 10, "MaxDelay")]
    [InlineData(10, 2, 0, "QueueCapacity")]
    [InlineData(10, 2, 1_000_001, "QueueCapacity")]
    public void Validate_OutOfRange_NamesTheOption(int maxBatchEntries, int maxDelayMs, int queueCapacity, string option)
    {
        var options = new PostgresLedgerStoreOptions
        {
            MaxBatchEntries = maxBatchEntries,
            MaxDelay = TimeSpan.FromMilliseconds(maxDelayMs),
            QueueCapacity = queueCapacity,
        };

        var ex = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Equal(option, ex.ParamName);
        Assert.Contains("out of range", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 0, 1)]
    [InlineData(100_000, 1_000, 1_000_000)]
    public void Validate_Limits_Pass(int maxBatchEntries, int maxDelayMs, int queueCapacity) =>
        new PostgresLedgerStoreOptions
        {
            MaxBatchEntries = maxBatchEntries,
            MaxDelay = TimeSpan.FromMilliseconds(maxDelayMs),
            QueueCapacity = queueCapacity,
        }.Validate();
}
