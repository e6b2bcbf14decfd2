using System.Text.Json;
using System.Text.Json.Serialization;

namespace PrepaidPower.Cli.Quote;

/// <summary>
/// The quote command's optional account file: who the customer is for the tariff's quota rules, how much of the
/// current tier period they have used already, and their debts.
/// </summary>
internal sealed record AccountFile
{
    /// <summary>Persons in the household (1–99); drives quota modifiers such as Shanghai's +100 kWh/month for 5 or more.</summary>
    public int HouseholdSize { get; init; } = 1;

    /// <summary>Day the account was opened, for a pro-rated first tier period; null = opened before the period.</summary>
    public DateOnly? AccountOpened { get; init; }

    /// <summary>Energy already used in the current tier period before the first reading.</summary>
    public TierUsageFile? TierUsage { get; init; }

    public IReadOnlyList<DebtFile> Debts { get; init; } = [];

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
    };

    public static AccountFile Parse(string name, string json)
    {
        AccountFile? file;
        try
        {
            file = JsonSerializer.Deserialize<AccountFile>(json, Options);
        }
        catch (JsonException e)
        {
            var line = (int)(e.LineNumber ?? -1) + 1;
            var column = (int)(e.BytePositionInLine ?? -1) + 1;
            throw new InputFileException(name, line, column, $"at {e.Path ?? "$"}: {FirstSentence(e.Message)}");
        }
        if (file is null)
        {
            throw new InputFileException(name, 1, 1, "expected a JSON object");
        }
        file.Validate(name);
        return file;
    }

    private void Validate(string name)
    {
        if (HouseholdSize is < 1 or > 99)
        {
            throw new InputFileException(name, 0, 0, $"at $.householdSize: {HouseholdSize} is not a household size; give 1 to 99 persons");
        }
        if (TierUsage is { UsedKwh: < 0 })
        {
            throw new InputFileException(name, 0, 0, $"at $.tierUsage.usedKwh: {TierUsage.UsedKwh} is negative");
        }
        if (TierUsage is { } t && decimal.Round(t.UsedKwh, 3) != t.UsedKwh)
        {
            throw new InputFileException(name, 0, 0, "at $.tierUsage.usedKwh: at most 3 decimals (whole Wh)");
        }
        for (var i = 0; i < Debts.Count; i++)
        {
            Debts[i].Validate(name, $"$.debts[{i}]");
        }
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}

internal sealed record TierUsageFile
{
    public required DateOnly PeriodStart { get; init; }

    public required decimal UsedKwh { get; init; }
}

/// <summary>How a debt is recovered: <c>time</c> (a fixed amount per day or week) or <c>payment</c> (a share of each top-up).</summary>
internal enum DebtRecoveryMethod
{
    Time,
    Payment,
}

internal enum DebtPeriod
{
    Day,
    Week,
}

internal sealed record DebtFile
{
    public required string Id { get; init; }

    public string? Label { get; init; }

    /// <summary>Outstanding amount in the tariff's currency, as a string such as "50.00".</summary>
    public required string Outstanding { get; init; }

    public required DebtRecoveryMethod Method { get; init; }

    /// <summary>Time-based: amount per <see cref="Per"/>.</summary>
    public string? Amount { get; init; }

    public DebtPeriod? Per { get; init; }

    /// <summary>Payment-based: percent of each top-up (0–100].</summary>
    public decimal? Percent { get; init; }

    /// <summary>Payment-based: most collected per Monday–Sunday week.</summary>
    public string? WeeklyCap { get; init; }

    internal void Validate(string name, string path)
    {
        if (string.IsNullOrWhiteSpace(Id))
        {
            throw new InputFileException(name, 0, 0, $"at {path}.id: a debt needs an id");
        }
        switch (Method)
        {
            case DebtRecoveryMethod.Time when Amount is null || Per is null:
                throw new InputFileException(name, 0, 0, $"at {path}: a time-based debt needs 'amount' and 'per' (day or week)");
            case DebtRecoveryMethod.Payment when Percent is not (> 0 and <= 100):
                throw new InputFileException(name, 0, 0, $"at {path}.percent: a payment-based debt needs a percent above 0 and at most 100");
        }
    }
}
