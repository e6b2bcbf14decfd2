using PrepaidPower.Contracts.Accounts;

namespace PrepaidPower.Host.Api.Accounts;

/// <summary>Opens an account. The operator recorded is the API key's name.</summary>
/// <param name="Id">The account id (1–100 printable characters), e.g. "ACC-0001".</param>
/// <param name="Currency">ISO 4217 code; must be the tariff's currency.</param>
/// <param name="TariffId">A tariff in the catalogue (GET /tariffs).</param>
/// <param name="TimeZone">IANA zone, e.g. "Asia/Shanghai"; protected windows and weekly caps are local to it.</param>
/// <param name="HouseholdSize">Persons in the household, 1–99; default 1.</param>
/// <param name="Contact">Where reminders go; null = none.</param>
/// <param name="CreditPolicy">Overrides of the default credit policy; null = the default.</param>
public sealed record OpenAccountBody(
    string Id,
    string Currency,
    string TariffId,
    string TimeZone,
    int HouseholdSize = 1,
    ContactDetails? Contact = null,
    CreditPolicySpec? CreditPolicy = null);

/// <param name="Reason">Why (audit).</param>
public sealed record ReasonBody(string Reason);

/// <param name="TariffId">The new tariff; same currency as the account.</param>
public sealed record ChangeTariffBody(string TariffId);

/// <param name="HouseholdSize">Persons in the household, 1–99.</param>
public sealed record HouseholdSizeBody(int HouseholdSize);

/// <summary>Grants a protection from arrears cuts until <paramref name="Until"/> (exclusive, in the future).</summary>
/// <param name="Until">When the protection ends (UTC).</param>
/// <param name="Reason">Why (audit).</param>
/// <param name="Region">Weather holds only: the region.</param>
public sealed record ProtectionBody(DateTimeOffset Until, string Reason, string? Region = null);
