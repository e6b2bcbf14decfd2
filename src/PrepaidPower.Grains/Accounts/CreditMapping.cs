using PrepaidPower.Contracts.Accounts;
using PrepaidPower.Contracts.Errors;
using PrepaidPower.Domain;
using PrepaidPower.Domain.Credit;
using PrepaidPower.Domain.Protection;

namespace PrepaidPower.Grains.Accounts;

/// <summary>Converts between the storable/API forms and the domain's credit policy, credit state and protections.</summary>
internal static class CreditMapping
{
    /// <summary>
    /// The policy for an account: the product default (alarms at 20.00 and 5.00, emergency credit of 10.00 offered at
    /// 5.00 on request, cut at 0.00 after 3 days' notice and grace, reconnect at 1.00) with the spec's overrides.
    /// </summary>
    /// <exception cref="InvalidRequestException">The result breaks a policy rule (the message lists every problem).</exception>
    public static CreditPolicy ToPolicy(CreditPolicySpec spec, Currency currency)
    {
        Money M(long minor) => Money.FromMinor(minor, currency);
        var major = currency.MinorPerMajor;
        var mode = spec.ArrearsMode is null ? ArrearsMode.DisconnectAfterNotice
            : Enum.TryParse<ArrearsMode>(spec.ArrearsMode, ignoreCase: false, out var m) && Enum.IsDefined(m) ? m
            : throw new InvalidRequestException(ErrorCodes.InvalidField, $"ArrearsMode '{spec.ArrearsMode}' is unknown; use DisconnectAfterNotice, LimitThenDisconnect or LimitOnly.");
        var ecLimit = spec.EmergencyCreditLimitMinor ?? (10 * major);
        var policy = new CreditPolicy
        {
            AlarmLevels = (spec.AlarmLevelsMinor ?? [20 * major, 5 * major]).Select(M).ToArray(),
            DaysLeftWarning = spec.DaysLeftWarning ?? 3m,
            EmergencyCredit = ecLimit == 0 ? null : new EmergencyCreditPolicy(
                M(spec.EmergencyCreditAvailableAtOrBelowMinor ?? (5 * major)), M(ecLimit), spec.EmergencyCreditAutomatic ?? false),
            DisconnectionThreshold = M(spec.DisconnectionThresholdMinor ?? 0),
            ReconnectThreshold = M(spec.ReconnectThresholdMinor ?? major),
            ArrearsMode = mode,
            NoticePeriod = spec.NoticePeriod ?? TimeSpan.FromDays(3),
            GracePeriod = spec.GracePeriod ?? TimeSpan.FromDays(3),
            Limiting = mode == ArrearsMode.DisconnectAfterNotice ? null : new LimitingSchedule(
                (spec.LimitStepsKilowatts ?? [5m, 3m]).ToArray(),
                spec.LimitFloorKilowatts ?? 1m,
                LimitStepInterval.Days(spec.LimitStepDays ?? 30)),
        };
        var problems = policy.Problems();
        return problems.Count == 0 ? policy
            : throw new InvalidRequestException(ErrorCodes.InvalidField, "The credit policy is invalid: " + string.Join(" ", problems));
    }

    public static CreditState ToDomain(CreditStateData d, Currency currency) => new()
    {
        Status = (CreditStatus)d.Status,
        Balance = Money.FromMinor(d.BalanceMinor, currency),
        Since = d.Since,
        AlarmLevel = d.AlarmLevel,
        DaysLeftWarned = d.DaysLeftWarned,
        EmergencyCreditOffered = d.EmergencyCreditOffered,
        EmergencyCreditActive = d.EmergencyCreditActive,
        EmergencyCreditExhausted = d.EmergencyCreditExhausted,
        NoticeServedAt = d.NoticeServedAt,
        LimitStep = d.LimitStep,
        Deadline = d.Deadline,
        HeldFrom = d.HeldFrom is { } h ? (CreditStatus)h : null,
        EnforcementReason = d.EnforcementReason,
        SafetyCause = d.SafetyCause,
        Protections = d.Protections.Aggregate(AccountProtections.None, (set, p) => set.With(ToDomain(p))),
    };

    public static CreditStateData ToData(CreditState s) => new()
    {
        Status = (int)s.Status,
        BalanceMinor = s.Balance.MinorUnits,
        Since = s.Since,
        AlarmLevel = s.AlarmLevel,
        DaysLeftWarned = s.DaysLeftWarned,
        EmergencyCreditOffered = s.EmergencyCreditOffered,
        EmergencyCreditActive = s.EmergencyCreditActive,
        EmergencyCreditExhausted = s.EmergencyCreditExhausted,
        NoticeServedAt = s.NoticeServedAt,
        LimitStep = s.LimitStep,
        Deadline = s.Deadline,
        HeldFrom = s.HeldFrom is { } h ? (int)h : null,
        EnforcementReason = s.EnforcementReason,
        SafetyCause = s.SafetyCause,
        Protections = s.Protections.All().Select(ToView).ToList(),
    };

    /// <exception cref="InvalidRequestException">Missing or over-long reason, operator or region.</exception>
    public static AccountProtection ToDomain(ProtectionView p)
    {
        try
        {
            return p.Type switch
            {
                ProtectionType.KeepSupplyOn => AccountProtection.KeepSupplyOn(p.Until, p.Reason, p.OperatorId ?? ""),
                ProtectionType.Medical => AccountProtection.Medical(p.Until, p.Reason),
                ProtectionType.WeatherHold => AccountProtection.WeatherHold(p.Until, p.Region ?? "", p.Reason),
                _ => throw new InvalidRequestException(ErrorCodes.InvalidField, $"Protection type {(int)p.Type} is unknown; use KeepSupplyOn, Medical or WeatherHold."),
            };
        }
        catch (ArgumentException e)
        {
            throw new InvalidRequestException(ErrorCodes.InvalidField, e.Message);
        }
    }

    public static ProtectionView ToView(AccountProtection p) => new()
    {
        Type = p.Kind switch
        {
            ProtectionKind.KeepSupplyOn => ProtectionType.KeepSupplyOn,
            ProtectionKind.Medical => ProtectionType.Medical,
            _ => ProtectionType.WeatherHold,
        },
        Until = p.Until,
        Reason = p.Reason,
        OperatorId = p.OperatorId,
        Region = p.Region,
    };

    public static ProtectionKind ToKind(ProtectionType t) => t switch
    {
        ProtectionType.KeepSupplyOn => ProtectionKind.KeepSupplyOn,
        ProtectionType.Medical => ProtectionKind.Medical,
        ProtectionType.WeatherHold => ProtectionKind.WeatherHold,
        _ => throw new InvalidRequestException(ErrorCodes.InvalidField, $"Protection type {(int)t} is unknown; use KeepSupplyOn, Medical or WeatherHold."),
    };
}
