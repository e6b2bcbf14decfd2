using System.Text;
using PrepaidPower.Notifications.Channels;

namespace PrepaidPower.Notifications.Tests.Channels;

[Trait("Category", "Unit")]
public sealed class WebhookSignatureTests
{
    private const string Secret = "correct horse battery staple";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"id":"k:sms"}""");

    [Fact]
    public void Compute_KnownBody_MatchesIndependentHmac()
    {
        // Python: hmac.new(b'correct horse battery staple', b'{"id":"k:sms"}', hashlib.sha256).hexdigest()
        Assert.Equal("sha256=6a0751889133cfbc0fce1feb81970c9cd7c679e100dee6e3e147da6e1c8a2371", WebhookSignature.Compute(Secret, Body));
    }

    [Fact]
    public void Verify_RightSignature_True_TamperedBodyOrSecret_False()
    {
        var header = WebhookSignature.Compute(Secret, Body);

        Assert.True(WebhookSignature.Verify(Secret, Body, header));
        Assert.True(WebhookSignature.Verify(Secret, Body, header.ToUpperInvariant().Replace("SHA256=", "sha256=", StringComparison.Ordinal)));
        Assert.False(WebhookSignature.Verify(Secret, Encoding.UTF8.GetBytes("""{"id":"k:push"}"""), header));
        Assert.False(WebhookSignature.Verify("another secret of some length", Body, header));
        Assert.False(WebhookSignature.Verify(Secret, Body, null));
        Assert.False(WebhookSignature.Verify(Secret, Body, header[7..]));
    }
}
