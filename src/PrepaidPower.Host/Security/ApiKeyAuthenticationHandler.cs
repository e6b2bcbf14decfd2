// Authenticates a request by its API key and answers 401/403 as problem+json.
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace PrepaidPower.Host.Security;

/// <summary>
/// Reads the key from <c>X-Api-Key: KEY</c>, <c>Authorization: ApiKey KEY</c>, or <c>Authorization: Basic</c> with
/// the key as password (any user name) — the last so that a browser can open the dashboard. A request without a key
/// is anonymous (and gets 401 from any endpoint that needs a role); a request with a wrong key fails authentication.
/// </summary>
internal sealed partial class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IOptionsMonitor<ApiKeyOptions> keys,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";
    public const string KeyNameClaim = "prepaidpower:key-name";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!TryReadKey(Request, out var presented, out var malformed))
        {
            return Task.FromResult(malformed is null ? AuthenticateResult.NoResult() : AuthenticateResult.Fail(malformed));
        }

        var hash = ApiKeyEntry.HashOf(presented);
        foreach (var (name, entry) in keys.CurrentValue.ApiKeys)
        {
            // Comparing hashes, not keys: equal-length digests, and the configured secret may be a hash only.
            if (string.Equals(entry.Hash, hash, StringComparison.Ordinal))
            {
                var identity = new ClaimsIdentity(
                    [new Claim(ClaimTypes.Name, name), new Claim(KeyNameClaim, name), new Claim(ClaimTypes.Role, entry.Role.ToString())],
                    SchemeName);
                return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
            }
        }

        Log.UnknownKey(Logger, Request.Path);
        return Task.FromResult(AuthenticateResult.Fail("The API key is not known."));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        // Basic lets a browser ask for the key (as password) when someone opens the dashboard.
        Response.Headers.Append(HeaderNames.WWWAuthenticate, $"{SchemeName} realm=\"PrepaidPower\"");
        Response.Headers.Append(HeaderNames.WWWAuthenticate, "Basic realm=\"PrepaidPower (any user name, API key as password)\", charset=\"UTF-8\"");
        var failure = (await Context.AuthenticateAsync(SchemeName)).Failure?.Message;
        await WriteProblemAsync(
            StatusCodes.Status401Unauthorized,
            "API key required",
            failure is null
                ? $"Send an API key in the {HeaderName} header (or `Authorization: ApiKey <key>`)."
                : $"{failure} Send a valid key in the {HeaderName} header (or `Authorization: ApiKey <key>`).");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        var role = Context.User.FindFirstValue(ClaimTypes.Role) ?? "none";
        var name = Context.User.Identity?.Name ?? "?";
        return WriteProblemAsync(
            StatusCodes.Status403Forbidden,
            "Not allowed for this key's role",
            $"The key '{name}' has role {role}, which may not do this. {RoleHelp(Context)}");
    }

    private static string RoleHelp(HttpContext context) =>
        HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
            ? "Reading needs an Operator or Viewer key."
            : context.Request.Path.Value?.EndsWith("/top-ups", StringComparison.Ordinal) == true
                ? "Top-ups need an Operator or Cashier key."
                : "Changes need an Operator key.";

    private Task WriteProblemAsync(int status, string title, string detail) =>
        problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        }).AsTask();

    private static bool TryReadKey(HttpRequest request, out string key, out string? malformed)
    {
        key = string.Empty;
        malformed = null;
        if (request.Headers.TryGetValue(HeaderName, out var header))
        {
            key = header.ToString().Trim();
            malformed = key.Length == 0 || header.Count > 1 ? $"The {HeaderName} header must hold exactly one key." : null;
            return malformed is null;
        }

        var authorization = request.Headers.Authorization.ToString();
        if (authorization.Length == 0)
        {
            return false;
        }

        var space = authorization.IndexOf(' ', StringComparison.Ordinal);
        var scheme = space < 0 ? authorization : authorization[..space];
        var value = space < 0 ? string.Empty : authorization[(space + 1)..].Trim();
        if (scheme.Equals(SchemeName, StringComparison.OrdinalIgnoreCase))
        {
            key = value;
        }
        else if (scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value));
                key = decoded[(decoded.IndexOf(':', StringComparison.Ordinal) + 1)..];
            }
            catch (FormatException)
            {
                malformed = "The Basic credentials are not valid base64.";
                return false;
            }
        }
        else
        {
            malformed = $"The Authorization scheme '{scheme}' is not accepted; use `ApiKey <key>` or the {HeaderName} header.";
            return false;
        }

        if (key.Length == 0)
        {
            malformed = "The API key is empty.";
            return false;
        }

        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "Request to {Path} with an unknown API key")]
        public static partial void UnknownKey(ILogger logger, PathString path);
    }
}
