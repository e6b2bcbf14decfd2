using System.Buffers;
using System.Globalization;
using System.Text;
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
    // A usage entry is written per reading and read back per entry applied: it is written with a reused Utf8JsonWriter
    // (the same JSON the node API gave, without its per-property objects) and read with a forward-only reader.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? writer;

    public static string Usage(TierCounter counter, DateTimeOffset periodStart, DateTimeOffset periodEnd, ReadOnlySpan<RatedLine> lines, bool byBands)
    {
        var b = buffer ??= new ArrayBufferWriter<byte>(512);
        b.ResetWrittenCount();
        var w = writer ??= new Utf8JsonWriter(b);
        w.Reset(b);
        Span<char> text = stackalloc char[40];
        w.WriteStartObject();
        w.WriteString("tierPeriodStart", Format(counter.PeriodStart, text));
        w.WriteNumber("tierUsedWh", counter.Used.WattHours);
        w.WriteString("periodStart", periodStart.UtcDateTime.TryFormat(text, out var n, "O", CultureInfo.InvariantCulture) ? text[..n] : throw new FormatException());
        w.WriteString("periodEnd", periodEnd.UtcDateTime.TryFormat(text, out n, "O", CultureInfo.InvariantCulture) ? text[..n] : throw new FormatException());
        w.WriteString("splitBy", byBands ? "band registers" : "time");
        w.WriteStartArray("lines");
        foreach (var l in lines)
        {
            w.WriteStartObject();
            w.WriteString("version", Format(l.VersionEffectiveFrom, text));
            w.WriteNumber("tier", l.TierIndex + 1);
            w.WriteString("band", l.Band);
            w.WriteString("kWh", l.KilowattHours.TryFormat(text, out n, provider: CultureInfo.InvariantCulture) ? text[..n] : throw new FormatException());
            w.WriteString("rate", l.Rate.TryFormat(text, out n, provider: CultureInfo.InvariantCulture) ? text[..n] : throw new FormatException());
            w.WriteString("amountMinor", l.AmountMinor.TryFormat(text, out n, provider: CultureInfo.InvariantCulture) ? text[..n] : throw new FormatException());
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
        return Encoding.UTF8.GetString(b.WrittenSpan);
    }

    public static (DateOnly PeriodStart, long UsedWh) TierCounterOf(string? details)
    {
        if (details is null)
        {
            throw new InvalidDataException("A ledger entry the account wrote has no details.");
        }
        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(details.Length));
        try
        {
            var reader = new Utf8JsonReader(bytes.AsSpan(0, Encoding.UTF8.GetBytes(details, bytes)));
            DateOnly? start = null;
            long? used = null;
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && (start is null || used is null))
            {
                var isStart = reader.ValueTextEquals("tierPeriodStart"u8);
                var isUsed = reader.ValueTextEquals("tierUsedWh"u8);
                reader.Read();
                if (isStart)
                {
                    start = DateOnly.ParseExact(reader.GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture);
                }
                else if (isUsed)
                {
                    used = reader.GetInt64();
                }
                else
                {
                    reader.Skip();
                }
            }
            return (start ?? throw new InvalidDataException("Usage details have no tierPeriodStart."), used ?? throw new InvalidDataException("Usage details have no tierUsedWh."));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private static ReadOnlySpan<char> Format(DateOnly date, Span<char> text) =>
        date.TryFormat(text, out var n, "yyyy-MM-dd", CultureInfo.InvariantCulture) ? text[..n] : throw new FormatException();

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
