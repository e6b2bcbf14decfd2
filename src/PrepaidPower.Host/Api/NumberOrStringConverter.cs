using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PrepaidPower.Host.Api;

/// <summary>
/// Reads an amount given either as a JSON string ("100.00") or a JSON number (100.00) into its exact text, so that
/// no binary floating point ever touches money; the text is then parsed by the currency's rules.
/// </summary>
internal sealed class NumberOrStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number => Encoding.UTF8.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan),
        _ => throw new JsonException($"Expected an amount as a string such as \"100.00\" or a number, not {reader.TokenType}."),
    };

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
