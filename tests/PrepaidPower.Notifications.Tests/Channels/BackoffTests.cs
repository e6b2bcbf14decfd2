using PrepaidPower.Notifications.Channels;

namespace PrepaidPower.Notifications.Tests.Channels;

[Trait("Category", "Unit")]
public sealed class BackoffTests
{
    [Theory]
    [InlineData(1, 0.0, 500)]
    [InlineData(1, 0.5, 750)]
    [InlineData(2, 0.0, 1000)]
    [InlineData(3, 0.999, 3998)]
    [InlineData(5, 0.0, 5000)]
    [InlineData(40, 0.0, 5000)]
    [InlineData(int.MaxValue, 0.5, 7500)]
    public void Delay_InitialOneSecondCapTen_IsHalfToFullOfDoubledCeiling(int retry, double random, int expectedMs)
    {
        var delay = Backoff.Delay(retry, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), random);

        Assert.Equal(expectedMs, (int)delay.TotalMilliseconds);
    }

    [Fact]
    public void Delay_RandomOutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Backoff.Delay(1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Backoff.Delay(0, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), 0.1));
    }
}
