using System.Text.Json;

namespace PrepaidPower.Domain.Tariffs;

// The JSON shape of a tariff file (docs/tariffs.md), deserialised strictly and then validated by TariffLoader.
// Numbers that must be exact (prices, kWh) are kept as JsonElement so that strings and numbers both parse to
// decimal and every bad value can be reported, not just the first.

internal sealed class TariffDocument
{
    public string? Id { get; set; }

    public string? Name { get; set; }

    public string? Description { get; set; }

    public string? Currency { get; set; }

    public string? TimeZone { get; set; }

    public string? Rounding { get; set; }

    public List<VersionDocument?>? Versions { get; set; }

    public List<HouseholdModifierDocument?>? HouseholdModifiers { get; set; }
}

internal sealed class HouseholdModifierDocument
{
    public int? MinPersons { get; set; }

    public string? Modifier { get; set; }
}

internal sealed class VersionDocument
{
    public string? EffectiveFrom { get; set; }

    public JsonElement? StandingChargePerDay { get; set; }

    public TimeOfUseDocument? TimeOfUse { get; set; }

    public string? TierPeriod { get; set; }

    public List<TierDocument?>? Tiers { get; set; }

    public JsonElement? Price { get; set; }

    public Dictionary<string, JsonElement>? Prices { get; set; }
}

internal sealed class TimeOfUseDocument
{
    public List<string?>? Bands { get; set; }

    public WeekdaysDocument? Weekdays { get; set; }

    public List<string?>? PublicHolidays { get; set; }

    public List<SpecialDayDocument?>? SpecialDays { get; set; }

    public List<SeasonDocument?>? Seasons { get; set; }
}

internal sealed class WeekdaysDocument
{
    public string? Monday { get; set; }

    public string? Tuesday { get; set; }

    public string? Wednesday { get; set; }

    public string? Thursday { get; set; }

    public string? Friday { get; set; }

    public string? Saturday { get; set; }

    public string? Sunday { get; set; }
}

internal sealed class SpecialDayDocument
{
    public string? Date { get; set; }

    public string? DayType { get; set; }

    public string? Note { get; set; }
}

internal sealed class SeasonDocument
{
    public string? Name { get; set; }

    public string? StartsOn { get; set; }

    public Dictionary<string, List<BandRangeDocument?>?>? DayTypes { get; set; }
}

internal sealed class BandRangeDocument
{
    public string? Band { get; set; }

    public string? From { get; set; }

    public string? To { get; set; }
}

internal sealed class TierDocument
{
    public JsonElement? UpTo { get; set; }

    public Dictionary<string, JsonElement>? QuotaModifiers { get; set; }

    public JsonElement? Price { get; set; }

    public Dictionary<string, JsonElement>? Prices { get; set; }
}
