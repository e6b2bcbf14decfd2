namespace PrepaidPower.Notifications.Templates;

/// <summary>A template filled in for one channel.</summary>
/// <param name="Title">E-mail subject or push title; empty for SMS and log.</param>
/// <param name="Body">SMS text, e-mail body (plain text), push body, or the log line's text.</param>
/// <param name="Language">The language actually used (<c>en</c> or <c>zh</c>), after falling back.</param>
/// <param name="TemplateCode">The template's event code, <c>*</c> when the generic one was used.</param>
public sealed record RenderedMessage(string Title, string Body, string Language, string TemplateCode);
