using PrepaidPower.Notifications.Templates;
using PrepaidPower.Notifications.Tests.Support;

namespace PrepaidPower.Notifications.Tests;

[Trait("Category", "Unit")]
public sealed class NotificationComposerTests
{
    private static readonly HashSet<ChannelKind> All = [.. Enum.GetValues<ChannelKind>()];

    [Fact]
    public void Compose_EveryAddress_OneMessagePerChannelInOrder()
    {
        var composer = new NotificationComposer(TemplateCatalog.Default, All);
        var request = Samples.Request(recipient: new Recipient("+8613800138000", " li.wei@example.cn ", "push-token-1"), key: "ACC-1001:LOW_CREDIT_1:7");

        var messages = composer.Compose(request);

        Assert.Equal([ChannelKind.Sms, ChannelKind.Push, ChannelKind.Email, ChannelKind.Log], messages.Select(m => m.Channel));
        Assert.Equal(["+8613800138000", "push-token-1", "li.wei@example.cn", "ACC-1001"], messages.Select(m => m.To));
        Assert.Equal(["ACC-1001:LOW_CREDIT_1:7:sms", "ACC-1001:LOW_CREDIT_1:7:push", "ACC-1001:LOW_CREDIT_1:7:email", "ACC-1001:LOW_CREDIT_1:7:log"], messages.Select(m => m.DeliveryId));
        Assert.Equal("Your electricity balance is low", messages[2].Title);
        Assert.All(messages, m => Assert.Equal(Samples.Noon, m.OccurredAt));
    }

    [Fact]
    public void Compose_ChannelNotEnabled_IsSkipped()
    {
        var composer = new NotificationComposer(TemplateCatalog.Default, new HashSet<ChannelKind> { ChannelKind.Email });
        var request = Samples.Request(recipient: new Recipient("+8613800138000", "li.wei@example.cn", null));

        var messages = composer.Compose(request);

        Assert.Equal(ChannelKind.Email, Assert.Single(messages).Channel);
    }

    [Fact]
    public void Compose_NoReachableChannel_ReturnsNothing()
    {
        var composer = new NotificationComposer(TemplateCatalog.Default, new HashSet<ChannelKind> { ChannelKind.Sms });

        Assert.Empty(composer.Compose(Samples.Request(recipient: new Recipient(Email: "li.wei@example.cn"))));
    }

    [Fact]
    public void Compose_LocalOffset_StoredAsUtc()
    {
        var composer = new NotificationComposer(TemplateCatalog.Default, All);
        var request = Samples.Request() with { OccurredAt = new DateTimeOffset(2026, 3, 2, 12, 0, 0, TimeSpan.FromHours(8)) };

        var message = Assert.Single(composer.Compose(request), m => m.Channel == ChannelKind.Sms);

        Assert.Equal(TimeSpan.Zero, message.OccurredAt.Offset);
        Assert.Equal(Samples.Noon, message.OccurredAt);
    }

    [Fact]
    public void Compose_BlankDeduplicationKey_Throws()
    {
        var composer = new NotificationComposer(TemplateCatalog.Default, All);

        var error = Assert.Throws<ArgumentException>(() => composer.Compose(Samples.Request(key: " ")));

        Assert.StartsWith("Notification request: DeduplicationKey must not be blank (account 'ACC-1001', event 'LOW_CREDIT_1')", error.Message);
    }

    [Fact]
    public void Compose_MissingData_ThrowsBeforeAnyMessage()
    {
        var composer = new NotificationComposer(TemplateCatalog.Default, All);
        var data = Samples.EnglishData();
        data.Remove("until");

        var error = Assert.Throws<TemplateException>(() => composer.Compose(Samples.Request("ARREARS_NOTICE_SERVED", data: data)));

        Assert.Contains("'{until}'", error.Message, StringComparison.Ordinal);
    }
}
