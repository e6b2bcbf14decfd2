namespace PrepaidPower.Notifications.Channels;

/// <summary>
/// Where and how to POST one kind of message (SMS or push) to the operator's gateway. Bound from
/// <c>Notifications:Sms</c> or <c>Notifications:Push</c>; the channel is enabled when <see cref="Url"/> is set.
/// </summary>
public sealed class WebhookChannelOptions
{
    /// <summary>The gateway's absolute http(s) URL.</summary>
    public Uri? Url { get; set; }

    /// <summary>The shared HMAC secret (at least 16 characters); keep it in a secret store, not in a file.</summary>
    public string Secret { get; set; } = "";

    /// <summary>How long one HTTP attempt may take. Default 10 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>HTTP attempts within one send, the first included (≥ 1). Default 4; then the outbox retries later.</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>Upper bound of the first retry's delay (jittered down to half). Default 1 s.</summary>
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Cap on one retry's delay, including a server's <c>Retry-After</c>. Default 30 s.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws with the setting's full name when a value is unusable.</summary>
    /// <param name="section">The configuration path, e.g. <c>Notifications:Sms</c>, for the message.</param>
    public void Validate(string section)
    {
        if (Url is null || !Url.IsAbsoluteUri || (Url.Scheme != Uri.UriSchemeHttp && Url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"{section}:Url must be an absolute http or https URL (got '{Url}').");
        }

        if (Secret.Length < 16)
        {
            throw new ArgumentException($"{section}:Secret must be at least 16 characters (the receiver checks the HMAC with it).");
        }

        if (Timeout <= TimeSpan.Zero || MaxAttempts < 1 || InitialDelay <= TimeSpan.Zero || MaxDelay < InitialDelay)
        {
            throw new ArgumentException($"{section}: Timeout and InitialDelay must be positive, MaxAttempts at least 1 and MaxDelay at least InitialDelay.");
        }
    }
}
