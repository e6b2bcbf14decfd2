using PrepaidPower.Contracts.Concentrators;
using PrepaidPower.Grains.Concentrators;

namespace PrepaidPower.Grains.Tests.Concentrators;

/// <summary>Reconnects go ahead of arrears cuts and limits in a concentrator's queue, behind safety and enforcement.</summary>
[Trait("Category", "Unit")]
public sealed class CommandPriorityTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 7, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void NextToExecute_AfterAWaveOfCuts_SafetyEnforcementRestoreThenTheCutsInArrivalOrder()
    {
        var queue = new CommandQueue();
        ConcentratorCommand Cmd(string meter, SupplyCommandType kind, CommandPriority p) =>
            new() { MeterId = meter, CommandId = Guid.NewGuid(), Kind = kind, Attempt = 1, NextRetryAt = T0, Priority = p };

        foreach (var cut in new[] { "cut1", "cut2", "cut3" })
        {
            Assert.True(queue.Upsert(Cmd(cut, SupplyCommandType.Open, CommandPriority.Supply)));
        }

        Assert.True(queue.Upsert(Cmd("reconnect1", SupplyCommandType.Close, CommandPriority.Restore)));
        Assert.True(queue.Upsert(Cmd("limit1", SupplyCommandType.SetLimit, CommandPriority.Supply)));
        Assert.True(queue.Upsert(Cmd("enforce1", SupplyCommandType.Open, CommandPriority.Enforcement)));
        Assert.True(queue.Upsert(Cmd("reconnect2", SupplyCommandType.SetLimit, CommandPriority.Restore)));
        Assert.True(queue.Upsert(Cmd("safety1", SupplyCommandType.Open, CommandPriority.Safety)));

        var order = new List<string>();
        while (queue.NextToExecute() is { } next)
        {
            order.Add(next.Command.MeterId);
            queue.MarkExecuted(next);
        }

        Assert.Equal(["safety1", "enforce1", "reconnect1", "reconnect2", "cut1", "cut2", "cut3", "limit1"], order);
    }

    [Fact]
    public void Rank_EveryDefinedPriority_HasItsOwnPlace()
    {
        var ranks = Enum.GetValues<CommandPriority>().OrderBy(CommandQueue.Rank).ToArray();

        Assert.Equal([CommandPriority.Safety, CommandPriority.Enforcement, CommandPriority.Restore, CommandPriority.Supply], ranks);
        Assert.Equal(4, ranks.Select(CommandQueue.Rank).Distinct().Count());
    }

    [Theory]
    // safety-tripped, kind, enforcement, relay seen open, relay limit W, new limit W → priority
    [InlineData(true, SupplyCommandType.Open, false, false, null, null, CommandPriority.Safety)]
    [InlineData(true, SupplyCommandType.Open, true, false, null, null, CommandPriority.Safety)]
    [InlineData(false, SupplyCommandType.Open, true, false, null, null, CommandPriority.Enforcement)]
    [InlineData(false, SupplyCommandType.Open, false, false, null, null, CommandPriority.Supply)]
    [InlineData(false, SupplyCommandType.Close, false, true, null, null, CommandPriority.Restore)]
    [InlineData(false, SupplyCommandType.Close, false, false, 3_000, null, CommandPriority.Restore)]
    [InlineData(false, SupplyCommandType.SetLimit, false, true, null, 5_000, CommandPriority.Restore)]
    [InlineData(false, SupplyCommandType.SetLimit, false, false, 3_000, 5_000, CommandPriority.Restore)]
    [InlineData(false, SupplyCommandType.SetLimit, false, false, 5_000, 3_000, CommandPriority.Supply)]
    [InlineData(false, SupplyCommandType.SetLimit, false, false, 5_000, 5_000, CommandPriority.Supply)]
    [InlineData(false, SupplyCommandType.SetLimit, false, false, null, 5_000, CommandPriority.Supply)]
    public void For_Command_IsRankedByWhetherItGivesSupplyBack(bool tripped, SupplyCommandType kind, bool enforcement, bool seenOpen, int? relayLimitWatts, int? limitWatts, CommandPriority expected) =>
        Assert.Equal(expected, CommandPriorities.For(tripped, kind, enforcement, seenOpen, relayLimitWatts, limitWatts));
}
