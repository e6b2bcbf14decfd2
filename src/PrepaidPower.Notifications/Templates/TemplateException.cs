namespace PrepaidPower.Notifications.Templates;

/// <summary>A template that cannot be parsed, or a request that lacks a value a template needs. The message says where and what to add.</summary>
public sealed class TemplateException(string message) : Exception(message);
