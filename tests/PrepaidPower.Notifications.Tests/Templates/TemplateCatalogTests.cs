using PrepaidPower.Notifications.Templates;
using PrepaidPower.Notifications.Tests.Support;

namespace PrepaidPower.Notifications.Tests.Templates;

[Trait("Category", "Unit")]
public sealed class TemplateCatalogTests
{
    /// <summary>The credit policy's event codes; each must have its own wording, not the generic one.</summary>
    public static readonly string[] EventCodes =
    [
        "LOW_CREDIT_1", "LOW_CREDIT_2", "EMERGENCY_CREDIT_AVAILABLE", "EMERGENCY_CREDIT_ACTIVATED", "EMERGENCY_CREDIT_EXHAUSTED",
        "ARREARS_NOTICE_SERVED", "LIMIT_STEP_APPLIED", "DISCONNECTION_DEFERRED_PROTECTED", "DISCONNECTION_DUE", "DISCONNECTED",
        "RECONNECTED", "ENFORCEMENT_CUT", "SAFETY_TRIPPED", "SAFETY_CLEARED", "TOP_UP_RECEIVED", "DAYS_OF_CREDIT_LOW",
    ];

    public static TheoryData<string, string, ChannelKind> EveryTemplate()
    {
        var data = new TheoryData<string, string, ChannelKind>();
        foreach (var code in TemplateCatalog.Default.EventCodes)
        {
            foreach (var language in new[] { "en", "zh" })
            {
                foreach (var channel in Enum.GetValues<ChannelKind>())
                {
                    data.Add(code, language, channel);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryTemplate))]
    public void Render_EveryTemplateWithFullData_FillsEveryPlaceholder(string code, string language, ChannelKind channel)
    {
        var values = language == "zh" ? Samples.ChineseData() : Samples.EnglishData();
        values["accountId"] = "ACC-1001";
        values["event"] = code;

        var message = TemplateCatalog.Default.Render(code, language, channel, values);

        Assert.Equal(language, message.Language);
        Assert.Equal(code, message.TemplateCode);
        Assert.False(string.IsNullOrWhiteSpace(message.Body));
        Assert.DoesNotContain('{', message.Body + message.Title);
        Assert.DoesNotContain('}', message.Body + message.Title);
        Assert.Equal(channel is ChannelKind.Email or ChannelKind.Push, message.Title.Length > 0);
    }

    [Fact]
    public void Default_EveryPolicyEvent_HasEnglishAndChinese()
    {
        var catalog = TemplateCatalog.Default;

        Assert.Equal([.. EventCodes.Append(TemplateCatalog.GenericCode).Order(StringComparer.Ordinal)], catalog.EventCodes.Order(StringComparer.Ordinal));
        Assert.All(catalog.EventCodes, code => Assert.Equal(["en", "zh"], catalog.LanguagesOf(code).Order(StringComparer.Ordinal)));
    }

    [Fact]
    public void Default_ChineseTemplates_AreWrittenInChinese()
    {
        foreach (var code in TemplateCatalog.Default.EventCodes)
        {
            foreach (var part in TemplateCatalog.PartNames)
            {
                var text = TemplateCatalog.Default.Get(code, "zh", part).Source;
                Assert.True(text.Any(c => c is >= '\u4e00' and <= '\u9fff'), $"{code}/zh/{part} has no Chinese characters: {text}");
            }
        }
    }

    [Fact]
    public void Render_SmsWithSampleData_FitsOneSegment()
    {
        // One SMS segment: 160 GSM-7 characters in English, 70 UCS-2 characters in Chinese.
        foreach (var code in TemplateCatalog.Default.EventCodes)
        {
            var en = Samples.EnglishData();
            en["accountId"] = "ACC-1001";
            en["event"] = code;
            var zh = Samples.ChineseData();
            zh["accountId"] = "ACC-1001";
            zh["event"] = code;

            var english = TemplateCatalog.Default.Render(code, "en", ChannelKind.Sms, en).Body;
            var chinese = TemplateCatalog.Default.Render(code, "zh", ChannelKind.Sms, zh).Body;

            Assert.True(english.Length <= 160, $"{code}/en sms is {english.Length} characters: {english}");
            Assert.True(chinese.Length <= 70, $"{code}/zh sms is {chinese.Length} characters: {chinese}");
        }
    }

    [Fact]
    public void Render_LowCreditChinese_GivesTheWrittenText()
    {
        var values = new Dictionary<string, string> { ["balance"] = "8.30", ["currency"] = "元", ["accountId"] = "A-7", ["event"] = "LOW_CREDIT_1" };

        var sms = TemplateCatalog.Default.Render("LOW_CREDIT_1", "zh", ChannelKind.Sms, values);
        var email = TemplateCatalog.Default.Render("LOW_CREDIT_1", "zh", ChannelKind.Email, values);

        Assert.Equal("【PrepaidPower】您的电费余额为 8.30 元，已低于提醒金额，请及时充值。", sms.Body);
        Assert.Equal("电费余额不足提醒", email.Title);
        Assert.Equal("尊敬的用户：\n\n您的电费账户 A-7 余额为 8.30 元，已低于第一提醒金额。请及时充值，以免影响正常用电。\n\nPrepaidPower", email.Body);
    }

    [Theory]
    [InlineData("zh-CN", "zh")]
    [InlineData("ZH_Hans", "zh")]
    [InlineData("en-GB", "en")]
    [InlineData("fr", "en")]
    [InlineData("", "en")]
    public void Render_LanguageTag_UsesPrimaryLanguageOrEnglish(string requested, string used)
    {
        var values = new Dictionary<string, string> { ["amount"] = "50.00", ["balance"] = "62.50", ["currency"] = "CNY", ["accountId"] = "A-7", ["event"] = "TOP_UP_RECEIVED" };

        var message = TemplateCatalog.Default.Render("TOP_UP_RECEIVED", requested, ChannelKind.Push, values);

        Assert.Equal(used, message.Language);
        Assert.Equal(used == "zh" ? "已充值 50.00 CNY，余额 62.50 CNY。" : "+50.00 CNY, balance 62.50 CNY.", message.Body);
    }

    [Fact]
    public void Render_UnknownEventCode_UsesTheGenericTemplate()
    {
        var values = new Dictionary<string, string> { ["accountId"] = "A-7", ["event"] = "METER_REPLACED" };

        var message = TemplateCatalog.Default.Render("METER_REPLACED", "en", ChannelKind.Sms, values);

        Assert.Equal(TemplateCatalog.GenericCode, message.TemplateCode);
        Assert.Equal("PrepaidPower: there is news about your electricity account A-7 (METER_REPLACED). See the app for details.", message.Body);
    }

    [Fact]
    public void Render_MissingValue_ThrowsNamingThePlaceholderAndTemplate()
    {
        var values = new Dictionary<string, string> { ["currency"] = "CNY", ["accountId"] = "A-7", ["event"] = "LOW_CREDIT_2" };

        var error = Assert.Throws<TemplateException>(() => TemplateCatalog.Default.Render("LOW_CREDIT_2", "en", ChannelKind.Sms, values));

        Assert.Equal("Template LOW_CREDIT_2/en/sms: no value for placeholder '{balance}'; add Data[\"balance\"] to the notification request.", error.Message);
    }

    [Fact]
    public void Parse_UnknownPlaceholder_IsRejectedOnLoad()
    {
        var json = Catalog("""{ "sms": "Balance {balanse}", "emailSubject": "s", "emailBody": "b", "pushTitle": "t", "pushBody": "p" }""");

        var error = Assert.Throws<TemplateException>(() => TemplateCatalog.Parse(json));

        Assert.StartsWith("Template *" + "/en/sms: unknown placeholder '{balanse}'", error.Message);
    }

    [Fact]
    public void Parse_MissingPart_IsRejectedOnLoad()
    {
        var json = Catalog("""{ "sms": "Hello", "emailSubject": "s", "emailBody": "b", "pushTitle": "t" }""");

        var error = Assert.Throws<TemplateException>(() => TemplateCatalog.Parse(json));

        Assert.Equal("Templates: '*/en' lacks pushBody.", error.Message);
    }

    [Fact]
    public void Parse_NoGenericTemplate_IsRejected()
    {
        const string Json = """{ "templates": { "LOW_CREDIT_1": { "en": { "sms": "a", "emailSubject": "s", "emailBody": "b", "pushTitle": "t", "pushBody": "p" } } } }""";

        var error = Assert.Throws<TemplateException>(() => TemplateCatalog.Parse(Json));

        Assert.Contains("generic template '*' is missing", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Balance {balance", "never closed")]
    [InlineData("Balance {} now", "is not a placeholder name")]
    [InlineData("Balance {1x}", "is not a placeholder name")]
    [InlineData("Balance } now", "lone '}'")]
    public void MessageTemplateParse_MalformedText_Throws(string text, string expected)
    {
        var error = Assert.Throws<TemplateException>(() => MessageTemplate.Parse(text, "T"));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MessageTemplateRender_DoubledBraces_AreLiteral()
    {
        var template = MessageTemplate.Parse("{{kw}} is {kw} kW, {kw} again", "T");

        Assert.Equal(["kw"], template.Placeholders);
        Assert.Equal("{kw} is 2.5 kW, 2.5 again", template.Render(new Dictionary<string, string> { ["kw"] = "2.5" }, "T"));
    }

    private static string Catalog(string englishParts) => $$"""{ "templates": { "*": { "en": {{englishParts}} } } }""";
}
