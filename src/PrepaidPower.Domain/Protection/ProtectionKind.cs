namespace PrepaidPower.Domain.Protection;

/// <summary>Why an instant is protected from an arrears cut. Lower values take precedence when several apply.</summary>
public enum ProtectionKind
{
    /// <summary>An operator's time-boxed "keep supply on" override (保电), with reason and operator.</summary>
    KeepSupplyOn = 1,

    /// <summary>Medical dependency or vulnerability protection, with an expiry (e.g. a 90-day certificate).</summary>
    Medical = 2,

    /// <summary>A weather hold (cold or heat moratorium) for the account's region.</summary>
    WeatherHold = 3,

    /// <summary>A public holiday in the calendar (whole local day).</summary>
    PublicHoliday = 4,

    /// <summary>A special day in the calendar (whole local day), e.g. a local festival.</summary>
    SpecialDay = 5,

    /// <summary>A window of the weekly profile (e.g. nights 20:00–08:00, weekends).</summary>
    WeeklyWindow = 6,
}
