using PrepaidPower.Contracts;
using PrepaidPower.Contracts.Accounts;
using PrepaidPower.Grains.Notifications;
using PrepaidPower.Notifications;
using PrepaidPower.Notifications.Templates;

namespace PrepaidPower.Grains.Tests.Notifications;

[Trait("Category", "Unit")]
public sealed class CustomerNoticesTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 2, 4, 0, 0, TimeSpan.Zero);

    private static AccountView Account(ContactDetails? contact = null, long balanceMinor = 12_50, CreditPolicySpec? policy = null) => new()
    {
        AccountId = "ACC-1001",
        TimeZone = "Asia/Shanghai",
        Contact = contact ?? new ContactDetails { Phone = "+8613800138000", Email = "kehu@example.cn", PushId = "tok-1", Language = "zh-CN" },
        Balance = new BalanceView { Balance = new MoneyAmount(balanceMinor, "CNY") },
        CreditPolicy = policy ?? CreditPolicySpec.Default,
    };

    private static AccountEvent Event(string code, long number = 42) => new()
    {
        Id = $"ACC-1001:{number}",
        AccountId = "ACC-1001",
        EventNumber = number,
        Code = code,
        At = At,
        Language = "zh-CN",
    };

    [Fact]
    public void ToRequest_LowCredit_ChineseSmsWithYuanAndTheEventBalance()
    {
        var e = Event("LOW_CREDIT_1") with { Balance = new MoneyAmount(18_86, "CNY"), Level = 1 };

        var request = CustomerNotices.ToRequest(e, Account())!;

        Assert.Equal("ACC-1001:LOW_CREDIT_1:42", request.DeduplicationKey);
        Assert.Equal(("zh", "LOW_CREDIT_1", At), (request.Language, request.EventCode, request.OccurredAt));
        Assert.Equal(new Recipient("+8613800138000", "kehu@example.cn", "tok-1"), request.Recipient);
        Assert.Equal(("18.86", "元", "1"), (request.Data["balance"], request.Data["currency"], request.Data["level"]));
        var sms = new NotificationComposer(TemplateCatalog.Default, new HashSet<ChannelKind> { ChannelKind.Sms }).Compose(request).Single();
        Assert.Equal("【PrepaidPower】您的电费余额为 18.86 元，已低于提醒金额，请及时充值。", sms.Body);
    }

    [Fact]
    public void ToRequest_SameEventTwice_SameKeyAndData()
    {
        var e = Event("ARREARS_NOTICE_SERVED", 7) with { Balance = new MoneyAmount(-1_23, "CNY"), Until = At.AddDays(3) };

        var first = CustomerNotices.ToRequest(e, Account())!;
        var again = CustomerNotices.ToRequest(e, Account(balanceMinor: 99_99))!;

        Assert.Equal("ACC-1001:ARREARS_NOTICE_SERVED:7", again.DeduplicationKey);
        Assert.Equal(first.DeduplicationKey, again.DeduplicationKey);
        Assert.Equal(first.Data, again.Data);
        // 2026-03-05 04:00 UTC is 12:00 in Shanghai.
        Assert.Equal(("-1.23", "2026年3月5日 12:00"), (first.Data["balance"], first.Data["until"]));
    }

    [Fact]
    public void ToRequest_EnglishDisconnectionDue_DeadlineIsTheEventTimeInTheAccountZoneAndBalanceFromTheEvent()
    {
        var contact = new ContactDetails { Email = "customer@example.com", Language = "en-GB" };
        var e = Event("DISCONNECTION_DUE") with { Balance = new MoneyAmount(-5_00, "CNY"), Language = null };

        var request = CustomerNotices.ToRequest(e, Account(contact))!;

        Assert.Equal("en", request.Language);
        Assert.Equal(("-5.00", "CNY", "2 March 2026 12:00"), (request.Data["balance"], request.Data["currency"], request.Data["until"]));
        Assert.Equal(new Recipient(null, "customer@example.com", null), request.Recipient);
    }

    [Fact]
    public void ToRequest_DisconnectedWithoutBalance_UsesTheAccountBalanceNow()
    {
        var request = CustomerNotices.ToRequest(Event("DISCONNECTED") with { Reason = "arrears" }, Account(balanceMinor: -2_40))!;

        Assert.Equal("-2.40", request.Data["balance"]);
    }

    [Fact]
    public void ToRequest_EmergencyCreditAvailable_AmountIsThePolicyLimit()
    {
        var standard = CustomerNotices.ToRequest(Event("EMERGENCY_CREDIT_AVAILABLE"), Account())!;
        var custom = CustomerNotices.ToRequest(Event("EMERGENCY_CREDIT_AVAILABLE"), Account(policy: new CreditPolicySpec { EmergencyCreditLimitMinor = 15_00 }))!;

        Assert.Equal("10.00", standard.Data["amount"]);
        Assert.Equal("15.00", custom.Data["amount"]);
    }

    [Fact]
    public void ToRequest_LimitStep_KilowattsWithoutTrailingZeros()
    {
        var request = CustomerNotices.ToRequest(Event("LIMIT_STEP_APPLIED") with { Level = 2, Kilowatts = 3.000m }, Account())!;

        Assert.Equal(("3", "2"), (request.Data["kw"], request.Data["level"]));
    }

    [Fact]
    public void ToRequest_DaysLeftCode_UsesTheDaysOfCreditTemplate()
    {
        var request = CustomerNotices.ToRequest(Event("LOW_CREDIT_DAYS_LEFT") with { DaysOfCreditLeft = 2.46m }, Account())!;

        Assert.Equal(("DAYS_OF_CREDIT_LOW", "2.5"), (request.EventCode, request.Data["days"]));
        Assert.Contains("DAYS_OF_CREDIT_LOW", TemplateCatalog.Default.EventCodes);
    }

    [Fact]
    public void ToRequest_NoContact_Null()
    {
        Assert.Null(CustomerNotices.ToRequest(Event("LOW_CREDIT_1"), Account() with { Contact = null }));
    }

    [Theory]
    [InlineData("LOW_CREDIT_1", null, true)]
    [InlineData("LOW_CREDIT_3", null, true)]
    [InlineData("DISCONNECTED", "arrears", true)]
    [InlineData("DISCONNECTED", "enforcement: fraud", false)]
    [InlineData("DISCONNECTED", "safety: ArcFault", false)]
    [InlineData("RECONNECTED", null, true)]
    [InlineData("ENFORCEMENT_CUT", "tamper", true)]
    [InlineData("LOW_CREDIT_RECOVERED", null, false)]
    [InlineData("EMERGENCY_CREDIT_REPAID", null, false)]
    [InlineData("RECONNECT_THRESHOLD_NOT_REACHED", null, false)]
    [InlineData("PROTECTION_ADDED", "Medical: oxygen", false)]
    [InlineData("LOW_CREDIT_X", null, false)]
    public void IsCustomerFacing_Code_Decides(string code, string? reason, bool expected)
    {
        Assert.Equal(expected, CustomerNotices.IsCustomerFacing(Event(code) with { Reason = reason }));
    }

    [Fact]
    public void ToRequest_EveryCustomerFacingCode_RendersOnEveryChannelInBothLanguages()
    {
        var composer = new NotificationComposer(TemplateCatalog.Default, new HashSet<ChannelKind> { ChannelKind.Sms, ChannelKind.Email, ChannelKind.Push, ChannelKind.Log });
        foreach (var code in CustomerNotices.CustomerFacingCodes)
        {
            foreach (var language in new[] { "zh-CN", "en" })
            {
                var e = Event(code) with { Language = language, Reason = code == "DISCONNECTED" ? "arrears" : "test reason" };
                var messages = composer.Compose(CustomerNotices.ToRequest(e, Account())!);
                Assert.Equal(4, messages.Count);
                Assert.All(messages, m => Assert.DoesNotContain("{", m.Body, StringComparison.Ordinal));
            }
        }
    }
}
