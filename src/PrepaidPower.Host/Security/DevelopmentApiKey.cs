using System.Security.Cryptography;

namespace PrepaidPower.Host.Security;

/// <summary>
/// The operator key a host makes for itself when the configuration has none, so that a first
/// <c>prepaidpower run</c> is usable at once. Kept in <c>.prepaidpower/dev-api-key</c> (mode 0600) and reused on
/// later starts; configure real keys under <c>PrepaidPower:ApiKeys</c> and it is no longer used.
/// </summary>
/// <param name="Key">The key.</param>
/// <param name="File">Where it is stored.</param>
/// <param name="Created">True when this start made it.</param>
public sealed record DevelopmentApiKey(string Key, string File, bool Created)
{
    public const string FileName = "dev-api-key";
    public const string KeyName = "dev-operator";

    internal static async Task<DevelopmentApiKey> LoadOrCreateAsync(string stateDirectory, CancellationToken cancellationToken)
    {
        var file = Path.Combine(stateDirectory, FileName);
        if (System.IO.File.Exists(file))
        {
            var existing = (await System.IO.File.ReadAllTextAsync(file, cancellationToken)).Trim();
            if (existing.Length >= ApiKeyEntry.MinimumKeyLength)
            {
                return new DevelopmentApiKey(existing, file, false);
            }
        }

        Directory.CreateDirectory(stateDirectory);
        var key = "pp_dev_" + RandomNumberGenerator.GetHexString(40, lowercase: true);
        await System.IO.File.WriteAllTextAsync(file, key + "\n", cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            System.IO.File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return new DevelopmentApiKey(key, file, true);
    }
}
