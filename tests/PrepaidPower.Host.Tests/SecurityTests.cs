using PrepaidPower.Host.Security;

namespace PrepaidPower.Host.Tests;

[Trait("Category", "Unit")]
public sealed class SecurityTests
{
    [Fact]
    public void Validate_ShortKey_IsRejectedWithAdvice()
    {
        var result = Validate(("ops", new ApiKeyEntry { Key = "short", Role = ApiRole.Operator }));

        Assert.True(result.Failed);
        Assert.Contains("at least 24", result.FailureMessage);
    }

    [Fact]
    public void Validate_KeyAndHashBoth_IsRejected()
    {
        var result = Validate(("ops", new ApiKeyEntry { Key = new string('k', 30), KeySha256 = new string('a', 64), Role = ApiRole.Operator }));

        Assert.Contains("exactly one of Key or KeySha256", result.FailureMessage);
    }

    [Fact]
    public void Validate_SameKeyTwice_IsRejected()
    {
        var key = new string('k', 30);
        var result = Validate(
            ("a", new ApiKeyEntry { Key = key, Role = ApiRole.Operator }),
            ("b", new ApiKeyEntry { KeySha256 = ApiKeyEntry.HashOf(key), Role = ApiRole.Viewer }));

        Assert.Contains("same key", result.FailureMessage);
    }

    [Fact]
    public void Validate_NoKeys_IsRejected()
    {
        Assert.Contains("No API keys", Validate().FailureMessage);
    }

    [Fact]
    public void Validate_GoodKeys_Pass()
    {
        var result = Validate(
            ("ops", new ApiKeyEntry { Key = new string('k', 30), Role = ApiRole.Operator }),
            ("till", new ApiKeyEntry { KeySha256 = ApiKeyEntry.HashOf("another-key-of-enough-length"), Role = ApiRole.Cashier, Burst = 5, PermitsPerSecond = 2 }));

        Assert.True(result.Succeeded);
    }

    [Fact]
    public void HashOf_IsLowerHexSha256()
    {
        // sha256("abc") from FIPS 180-2, appendix B.1.
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ApiKeyEntry.HashOf("abc"));
    }

    [Fact]
    public async Task DevelopmentKey_IsCreatedOnceWithOwnerOnlyModeAndReused()
    {
        var folder = Path.Combine(Directory.CreateTempSubdirectory("pp-devkey-").FullName, ".prepaidpower");
        try
        {
            var first = await DevelopmentApiKey.LoadOrCreateAsync(folder, CancellationToken.None);
            var second = await DevelopmentApiKey.LoadOrCreateAsync(folder, CancellationToken.None);

            Assert.True(first.Created);
            Assert.False(second.Created);
            Assert.Equal(first.Key, second.Key);
            Assert.True(first.Key.Length >= ApiKeyEntry.MinimumKeyLength);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(first.File));
            }
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(folder)!, recursive: true);
        }
    }

    private static Microsoft.Extensions.Options.ValidateOptionsResult Validate(params (string Name, ApiKeyEntry Entry)[] keys)
    {
        var options = new ApiKeyOptions();
        foreach (var (name, entry) in keys)
        {
            options.ApiKeys[name] = entry;
        }

        return new ApiKeyOptionsValidator().Validate(null, options);
    }
}
