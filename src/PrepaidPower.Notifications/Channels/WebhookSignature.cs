// The webhook signature scheme, shared by the sender and by any .NET receiver that wants to check it.
using System.Security.Cryptography;
using System.Text;

namespace PrepaidPower.Notifications.Channels;

/// <summary>
/// <c>X-PrepaidPower-Signature: sha256=&lt;lower-case hex HMAC-SHA256 of the raw request body, keyed with the UTF-8 bytes
/// of the shared secret&gt;</c>. A receiver computes the same over the bytes it received, before parsing them.
/// </summary>
public static class WebhookSignature
{
    /// <summary>The header that carries the signature.</summary>
    public const string SignatureHeader = "X-PrepaidPower-Signature";

    /// <summary>The header that carries the send time, Unix seconds (UTC), informational: replays are harmless because of <see cref="IdempotencyHeader"/>.</summary>
    public const string TimestampHeader = "X-PrepaidPower-Timestamp";

    /// <summary>The header that carries the delivery id; the same id means the same message, however often it arrives.</summary>
    public const string IdempotencyHeader = "Idempotency-Key";

    private const string Prefix = "sha256=";

    /// <summary>The header value for <paramref name="body"/>: <c>sha256=</c> followed by 64 lower-case hex digits.</summary>
    public static string Compute(string secret, ReadOnlySpan<byte> body)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body, mac);
        return Prefix + Convert.ToHexStringLower(mac);
    }

    /// <summary>True when <paramref name="header"/> is the signature of <paramref name="body"/> under <paramref name="secret"/>; compares in constant time.</summary>
    public static bool Verify(string secret, ReadOnlySpan<byte> body, string? header)
    {
        if (header is null || !header.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Compute(secret, body));
        var actual = Encoding.ASCII.GetBytes(header.Trim().ToLowerInvariant());
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }
}
