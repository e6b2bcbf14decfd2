namespace PrepaidPower.Notifications.Tests.Support;

/// <summary>Requests and data sets shared by the tests.</summary>
internal static class Samples
{
    public static readonly DateTimeOffset Noon = new(2026, 3, 2, 4, 0, 0, TimeSpan.Zero);

    /// <summary>A value for every known placeholder, as an English caller would format them.</summary>
    public static Dictionary<string, string> EnglishData() => new(StringComparer.Ordinal)
    {
        ["balance"] = "12.50",
        ["currency"] = "CNY",
        ["amount"] = "100.00",
        ["until"] = "9 March 2026 09:00",
        ["level"] = "2",
        ["kw"] = "2.5",
        ["days"] = "3",
        ["reason"] = "residual current",
    };

    /// <summary>A value for every known placeholder, as a Chinese caller would format them.</summary>
    public static Dictionary<string, string> ChineseData() => new(StringComparer.Ordinal)
    {
        ["balance"] = "12.50",
        ["currency"] = "元",
        ["amount"] = "100.00",
        ["until"] = "2026年3月9日 09:00",
        ["level"] = "2",
        ["kw"] = "2.5",
        ["days"] = "3",
        ["reason"] = "漏电保护动作",
    };

    public static NotificationRequest Request(
        string eventCode = "LOW_CREDIT_1",
        string language = "en",
        Recipient? recipient = null,
        string? key = null,
        Dictionary<string, string>? data = null) =>
        new(
            "ACC-1001",
            eventCode,
            Noon,
            language,
            recipient ?? new Recipient(Phone: "+8613800138000"),
            data ?? (language.StartsWith("zh", StringComparison.Ordinal) ? ChineseData() : EnglishData()),
            key ?? $"ACC-1001:{eventCode}:{Guid.NewGuid():N}");
}
