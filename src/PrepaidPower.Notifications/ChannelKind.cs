using System.Text.Json.Serialization;

namespace PrepaidPower.Notifications;

/// <summary>A way to reach a customer. The lower-case name (<see cref="ChannelKinds.Name"/>) is stored in the outbox and sent in webhooks.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ChannelKind>))]
public enum ChannelKind
{
    /// <summary>Text message through the SMS webhook gateway.</summary>
    [JsonStringEnumMemberName("sms")]
    Sms,

    /// <summary>App push through the push webhook gateway.</summary>
    [JsonStringEnumMemberName("push")]
    Push,

    /// <summary>E-mail over SMTP.</summary>
    [JsonStringEnumMemberName("email")]
    Email,

    /// <summary>The service's own log (an audit trail of what was said, and the only channel of a quick local run).</summary>
    [JsonStringEnumMemberName("log")]
    Log,
}

/// <summary>Stable wire names of <see cref="ChannelKind"/>: these strings are in database rows and webhook bodies, never rename them.</summary>
public static class ChannelKinds
{
    public static string Name(this ChannelKind kind) => kind switch
    {
        ChannelKind.Sms => "sms",
        ChannelKind.Push => "push",
        ChannelKind.Email => "email",
        ChannelKind.Log => "log",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown channel kind."),
    };

    public static bool TryParse(string? name, out ChannelKind kind)
    {
        switch (name)
        {
            case "sms": kind = ChannelKind.Sms; return true;
            case "push": kind = ChannelKind.Push; return true;
            case "email": kind = ChannelKind.Email; return true;
            case "log": kind = ChannelKind.Log; return true;
            default: kind = default; return false;
        }
    }
}
