namespace PrepaidPower.Notifications.Channels;

/// <summary>How the SMTP connection is secured.</summary>
public enum SmtpSecurity
{
    /// <summary>Plain text; only for a relay on the same host or a test server.</summary>
    None,

    /// <summary>Connect in plain text and require STARTTLS (submission port 587). The default.</summary>
    StartTls,

    /// <summary>TLS from the first byte (SMTPS, port 465).</summary>
    SslOnConnect,
}

/// <summary>The mail server for customer e-mail, bound from <c>Notifications:Smtp</c>; enabled when <see cref="Host"/> is set.</summary>
public sealed class SmtpChannelOptions
{
    /// <summary>The server's host name or address.</summary>
    public string Host { get; set; } = "";

    /// <summary>TCP port, 1–65535. Default 587.</summary>
    public int Port { get; set; } = 587;

    /// <summary>Connection security. Default <see cref="SmtpSecurity.StartTls"/>.</summary>
    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    /// <summary>Login name; blank means no authentication.</summary>
    public string? UserName { get; set; }

    /// <summary>Password for <see cref="UserName"/>; keep it in a secret store.</summary>
    public string? Password { get; set; }

    /// <summary>The sender address, e.g. <c>notices@power.example.cn</c>.</summary>
    public string From { get; set; } = "";

    /// <summary>The sender's display name. Default "PrepaidPower".</summary>
    public string FromName { get; set; } = "PrepaidPower";

    /// <summary>The right-hand side of generated Message-IDs; default the domain of <see cref="From"/>.</summary>
    public string? MessageIdDomain { get; set; }

    /// <summary>Socket timeout for each SMTP operation. Default 30 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws with the setting's full name when a value is unusable.</summary>
    public void Validate(string section = "Notifications:Smtp")
    {
        if (string.IsNullOrWhiteSpace(Host))
        {
            throw new ArgumentException($"{section}:Host must name the mail server.");
        }

        if (Port is < 1 or > 65535)
        {
            throw new ArgumentException($"{section}:Port must be 1–65535 (got {Port}).");
        }

        if (!MimeKit.MailboxAddress.TryParse(From, out _) || !From.Contains('@', StringComparison.Ordinal))
        {
            throw new ArgumentException($"{section}:From must be an e-mail address (got '{From}').");
        }

        if (!string.IsNullOrEmpty(UserName) && Password is null)
        {
            throw new ArgumentException($"{section}:Password is required when {section}:UserName is set.");
        }

        if (Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{section}:Timeout must be positive.");
        }
    }
}
