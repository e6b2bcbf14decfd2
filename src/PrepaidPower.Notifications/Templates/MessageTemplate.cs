// A parsed template text: literal runs and {placeholder} holes, parsed once so that rendering is a plain walk.
using System.Text;

namespace PrepaidPower.Notifications.Templates;

/// <summary>
/// One template text such as <c>"Balance {balance} {currency}."</c>. A placeholder is <c>{name}</c> with a name of
/// ASCII letters, digits and underscores; <c>{{</c> and <c>}}</c> stand for literal braces.
/// </summary>
public sealed class MessageTemplate
{
    private readonly (string Text, bool IsPlaceholder)[] _parts;

    private MessageTemplate(string source, (string, bool)[] parts, IReadOnlyList<string> placeholders)
    {
        Source = source;
        _parts = parts;
        Placeholders = placeholders;
    }

    /// <summary>The text as written.</summary>
    public string Source { get; }

    /// <summary>The placeholder names in order of first use, without duplicates.</summary>
    public IReadOnlyList<string> Placeholders { get; }

    /// <summary>Parses <paramref name="source"/>; <paramref name="where"/> names it in error messages.</summary>
    /// <exception cref="TemplateException">An unclosed or empty placeholder, a bad name, or a lone <c>}</c>.</exception>
    public static MessageTemplate Parse(string source, string where)
    {
        ArgumentNullException.ThrowIfNull(source);
        var parts = new List<(string, bool)>();
        var names = new List<string>();
        var literal = new StringBuilder();
        for (var i = 0; i < source.Length; i++)
        {
            var c = source[i];
            if (c == '{' && i + 1 < source.Length && source[i + 1] == '{')
            {
                literal.Append('{');
                i++;
            }
            else if (c == '}' && i + 1 < source.Length && source[i + 1] == '}')
            {
                literal.Append('}');
                i++;
            }
            else if (c == '{')
            {
                var end = source.IndexOf('}', i + 1);
                if (end < 0)
                {
                    throw new TemplateException($"{where}: placeholder opened at character {i} is never closed; write '{{{{' for a literal brace.");
                }

                var name = source[(i + 1)..end];
                if (!IsName(name))
                {
                    throw new TemplateException($"{where}: '{{{name}}}' at character {i} is not a placeholder name (letters, digits and '_', starting with a letter).");
                }

                if (literal.Length > 0)
                {
                    parts.Add((literal.ToString(), false));
                    literal.Clear();
                }

                parts.Add((name, true));
                if (!names.Contains(name, StringComparer.Ordinal))
                {
                    names.Add(name);
                }

                i = end;
            }
            else if (c == '}')
            {
                throw new TemplateException($"{where}: lone '}}' at character {i}; write '}}}}' for a literal brace.");
            }
            else
            {
                literal.Append(c);
            }
        }

        if (literal.Length > 0)
        {
            parts.Add((literal.ToString(), false));
        }

        return new MessageTemplate(source, [.. parts], names);
    }

    /// <summary>Fills every placeholder from <paramref name="values"/>.</summary>
    /// <exception cref="TemplateException">A placeholder has no value; the message names it and <paramref name="where"/>.</exception>
    public string Render(IReadOnlyDictionary<string, string> values, string where)
    {
        var text = new StringBuilder(Source.Length + 32);
        foreach (var (part, isPlaceholder) in _parts)
        {
            if (!isPlaceholder)
            {
                text.Append(part);
            }
            else if (values.TryGetValue(part, out var value) && value is not null)
            {
                text.Append(value);
            }
            else
            {
                throw new TemplateException($"{where}: no value for placeholder '{{{part}}}'; add Data[\"{part}\"] to the notification request.");
            }
        }

        return text.ToString();
    }

    private static bool IsName(string name) =>
        name.Length > 0 && char.IsAsciiLetter(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
