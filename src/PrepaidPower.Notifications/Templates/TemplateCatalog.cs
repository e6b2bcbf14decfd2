// The notification wording as data: event code × language × channel part, loaded from templates.json and checked on load.
using System.Collections.Frozen;
using System.Text.Json;

namespace PrepaidPower.Notifications.Templates;

/// <summary>
/// All notification templates, by event code and language. Each (code, language) has five parts: <c>sms</c>,
/// <c>emailSubject</c>, <c>emailBody</c>, <c>pushTitle</c>, <c>pushBody</c>. The code <c>*</c> is the generic template
/// used for any code without its own; a language other than <c>en</c>/<c>zh</c> falls back to English. Every template
/// is parsed and every placeholder checked against <see cref="KnownPlaceholders"/> when the catalog loads, so a typo in
/// the data fails at start-up, not when a customer is due a notice.
/// </summary>
public sealed class TemplateCatalog
{
    /// <summary>The code of the template used for event codes that have none of their own.</summary>
    public const string GenericCode = "*";

    /// <summary>The language used when the requested one has no template.</summary>
    public const string FallbackLanguage = "en";

    /// <summary>
    /// Every placeholder a template may use. <c>accountId</c> and <c>event</c> are always supplied by the composer; the
    /// others come from <see cref="NotificationRequest.Data"/>.
    /// </summary>
    public static readonly FrozenSet<string> KnownPlaceholders = FrozenSet.ToFrozenSet(
        ["accountId", "event", "balance", "currency", "amount", "until", "level", "kw", "days", "reason"], StringComparer.Ordinal);

    /// <summary>The parts every (code, language) must have.</summary>
    public static readonly IReadOnlyList<string> PartNames = ["sms", "emailSubject", "emailBody", "pushTitle", "pushBody"];

    private static readonly Lazy<TemplateCatalog> LazyDefault = new(LoadDefault);

    private readonly FrozenDictionary<string, FrozenDictionary<string, TemplateSet>> _templates;

    private TemplateCatalog(FrozenDictionary<string, FrozenDictionary<string, TemplateSet>> templates) => _templates = templates;

    /// <summary>The catalog shipped in this assembly (<c>Templates/templates.json</c>).</summary>
    public static TemplateCatalog Default => LazyDefault.Value;

    /// <summary>The event codes that have their own templates, plus <see cref="GenericCode"/>.</summary>
    public IReadOnlyCollection<string> EventCodes => _templates.Keys;

    /// <summary>The languages written for <paramref name="eventCode"/>.</summary>
    public IReadOnlyCollection<string> LanguagesOf(string eventCode) => _templates[eventCode].Keys;

    /// <summary>The template text of one part, e.g. <c>Get("LOW_CREDIT_1", "zh", "sms")</c>.</summary>
    public MessageTemplate Get(string eventCode, string language, string part) => _templates[eventCode][language].Part(part);

    /// <summary>
    /// Parses a catalog from JSON of the shape <c>{ "templates": { CODE: { LANG: { part: text, … } } } }</c>.
    /// </summary>
    /// <exception cref="TemplateException">Malformed JSON, a missing generic or English template, a missing or empty part, or an unknown placeholder.</exception>
    public static TemplateCatalog Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new TemplateException($"Templates: not valid JSON ({e.Message}).");
        }

        using (document)
        {
            if (!document.RootElement.TryGetProperty("templates", out var root) || root.ValueKind != JsonValueKind.Object)
            {
                throw new TemplateException("Templates: the document needs a \"templates\" object of event code → language → parts.");
            }

            var byCode = new Dictionary<string, FrozenDictionary<string, TemplateSet>>(StringComparer.Ordinal);
            foreach (var code in root.EnumerateObject())
            {
                var byLanguage = new Dictionary<string, TemplateSet>(StringComparer.Ordinal);
                foreach (var language in code.Value.EnumerateObject())
                {
                    byLanguage[language.Name] = TemplateSet.Parse(code.Name, language.Name, language.Value);
                }

                if (!byLanguage.ContainsKey(FallbackLanguage))
                {
                    throw new TemplateException($"Templates: '{code.Name}' has no '{FallbackLanguage}' templates; English is the fallback and must exist for every code.");
                }

                byCode[code.Name] = byLanguage.ToFrozenDictionary(StringComparer.Ordinal);
            }

            if (!byCode.ContainsKey(GenericCode))
            {
                throw new TemplateException($"Templates: the generic template '{GenericCode}' is missing; it is used for event codes without their own.");
            }

            return new TemplateCatalog(byCode.ToFrozenDictionary(StringComparer.Ordinal));
        }
    }

    /// <summary>
    /// Renders the template for <paramref name="eventCode"/> in <paramref name="language"/> for <paramref name="channel"/>.
    /// Log messages use the SMS text.
    /// </summary>
    /// <exception cref="TemplateException">A placeholder the template uses has no value in <paramref name="values"/>.</exception>
    public RenderedMessage Render(string eventCode, string language, ChannelKind channel, IReadOnlyDictionary<string, string> values)
    {
        var code = _templates.ContainsKey(eventCode) ? eventCode : GenericCode;
        var byLanguage = _templates[code];
        var lang = NormaliseLanguage(language);
        if (!byLanguage.ContainsKey(lang))
        {
            lang = FallbackLanguage;
        }

        var set = byLanguage[lang];
        string Fill(string part) => set.Part(part).Render(values, $"Template {code}/{lang}/{part}");
        return channel switch
        {
            ChannelKind.Sms or ChannelKind.Log => new RenderedMessage("", Fill("sms"), lang, code),
            ChannelKind.Email => new RenderedMessage(Fill("emailSubject"), Fill("emailBody"), lang, code),
            ChannelKind.Push => new RenderedMessage(Fill("pushTitle"), Fill("pushBody"), lang, code),
            _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "Unknown channel kind."),
        };
    }

    /// <summary>Reduces a language tag to its primary subtag in lower case: <c>"zh-CN"</c> → <c>"zh"</c>; blank → English.</summary>
    public static string NormaliseLanguage(string? language)
    {
        if (string.IsNullOrWhiteSpace(language))
        {
            return FallbackLanguage;
        }

        var primary = language.Trim();
        var dash = primary.IndexOfAny(['-', '_']);
        return (dash >= 0 ? primary[..dash] : primary).ToLowerInvariant();
    }

    private static TemplateCatalog LoadDefault()
    {
        const string Name = "PrepaidPower.Notifications.templates.json";
        using var stream = typeof(TemplateCatalog).Assembly.GetManifestResourceStream(Name)
            ?? throw new InvalidOperationException($"The embedded resource '{Name}' is missing from the build.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }

    private sealed class TemplateSet(FrozenDictionary<string, MessageTemplate> parts)
    {
        public MessageTemplate Part(string name) => parts[name];

        public static TemplateSet Parse(string code, string language, JsonElement element)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw new TemplateException($"Templates: '{code}/{language}' must be an object of parts ({string.Join(", ", PartNames)}).");
            }

            var parts = new Dictionary<string, MessageTemplate>(StringComparer.Ordinal);
            foreach (var part in element.EnumerateObject())
            {
                var where = $"Template {code}/{language}/{part.Name}";
                if (!PartNames.Contains(part.Name))
                {
                    throw new TemplateException($"{where}: unknown part; the parts are {string.Join(", ", PartNames)}.");
                }

                if (part.Value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(part.Value.GetString()))
                {
                    throw new TemplateException($"{where}: must be a non-empty string.");
                }

                var template = MessageTemplate.Parse(part.Value.GetString()!, where);
                foreach (var name in template.Placeholders)
                {
                    if (!KnownPlaceholders.Contains(name))
                    {
                        throw new TemplateException($"{where}: unknown placeholder '{{{name}}}'; the known ones are {string.Join(", ", KnownPlaceholders.Order(StringComparer.Ordinal))}.");
                    }
                }

                parts[part.Name] = template;
            }

            var missing = PartNames.Where(p => !parts.ContainsKey(p)).ToList();
            if (missing.Count > 0)
            {
                throw new TemplateException($"Templates: '{code}/{language}' lacks {string.Join(", ", missing)}.");
            }

            return new TemplateSet(parts.ToFrozenDictionary(StringComparer.Ordinal));
        }
    }
}
