using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PrepaidPower.Domain.Rating;

namespace PrepaidPower.Grains.Accounts;

/// <summary>
/// The Details JSON of the ledger entries the account writes, and how replay reads it back: a usage entry carries the
/// tier counter after it (so the ledger alone rebuilds tier state) and the rated lines for people; a standing charge
/// carries the instant it charged through.
/// </summary>
internal static class LedgerDetails
{
    public static string Usage(TierCounter counter, DateTimeOffset periodStart, DateTimeOffset periodEnd, ReadOnlySpan<RatedLine> lines, bool byBands)
    {
        var array = new JsonArray();
        foreach (var l in lines)
        {
            array.Add(new JsonObject
            {
                ["version"] = l.VersionEffectiveFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["tier"] = l.TierIndex + 1,
                ["band"] = l.Band,
                ["kWh"] = l.KilowattHours.ToString(CultureInfo.InvariantCulture),
                ["rate"] = l.Rate.ToString(CultureInfo.InvariantCulture),
                ["amountMinor"] = l.AmountMinor.ToString(CultureInfo.InvariantCulture),
            });
        }
        return new JsonObject
        {
            ["tierPeriodStart"] = counter.PeriodStart.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["tierUsedWh"] = counter.Used.WattHours,
            ["periodStart"] = periodStart.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["periodEnd"] = periodEnd.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["splitBy"] = byBands ? "band registers" : "time",
            ["lines"] = array,
        }.ToJsonString();
    }

    public static (DateOnly PeriodStart, long UsedWh) TierCounterOf(string? details)
    {
        var node = Parse(details);
        var start = DateOnly.ParseExact((string)node["tierPeriodStart"]!, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        return (start, (long)node["tierUsedWh"]!);
    }

    public static string Standing(DateTimeOffset through, int days) => new JsonObject
    {
        ["through"] = through.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        ["days"] = days,
    }.ToJsonString();

    public static DateTimeOffset StandingThrough(string? details) =>
        DateTimeOffset.Parse((string)Parse(details)["through"]!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    public static string Payment(string channel, string? reason, string? operatorId) => new JsonObject
    {
        ["channel"] = channel,
        ["reason"] = reason,
        ["operator"] = operatorId,
    }.ToJsonString();

    public static string Recovery(string what, string? debtId) => new JsonObject { ["allocation"] = what, ["debtId"] = debtId }.ToJsonString();

    private static JsonNode Parse(string? details) =>
        JsonNode.Parse(details ?? throw new InvalidDataException("A ledger entry the account wrote has no details.")) ?? throw new JsonException("Empty details.");
}
