using PrepaidPower.Domain.Protection;
using PrepaidPower.Domain.Supply;

namespace PrepaidPower.Grains;

/// <summary>Settings shared by the account, meter and tariff grains of a silo.</summary>
public sealed class PrepaidPowerGrainOptions
{
    /// <summary>Storage provider of account snapshots (the host registers it; "accounts" in the PostgreSQL setup).</summary>
    public const string AccountStorage = "accounts";

    /// <summary>Storage provider of meter state ("meters" in the PostgreSQL setup).</summary>
    public const string MeterStorage = "meters";

    /// <summary>
    /// The clock of the domain rules (billing instants, deadlines, reading plausibility). Orleans keeps its own clock;
    /// tests put a FakeTimeProvider here without freezing the runtime.
    /// </summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>
    /// The largest top-up, refund or adjustment accepted, in major units of the account's currency; anything above is
    /// "absurd" and rejected (400) as a likely typo (e.g. minor units sent as major). Default 100,000.
    /// </summary>
    public decimal MaxPaymentMajor { get; set; } = 100_000m;

    /// <summary>
    /// Write the account snapshot after this many ledger entries (the ledger is the truth; the snapshot only shortens
    /// the replay on activation). Credit-state, meter and settings changes are always written at once. Default 100:
    /// one storage write per 100 charges instead of one per charge; an activation replays at most that many rows.
    /// </summary>
    public int SnapshotEveryEntries { get; set; } = 100;

    /// <summary>
    /// Write a meter's state after this many routine readings (a reading that only moves the validated position, and
    /// the relay read that came with it). Everything else — registration, attachment, exchange, held readings, the
    /// first delivered position, every supply change — is written at once, and a pending write is made when the meter
    /// deactivates. Default 1: every reading is written. Larger values save one storage write per reading, and no
    /// money is at risk (the account bills from its own ledger-backed position), but after a crash the meter validates
    /// the next reading against an older baseline: a reading it had already seen counts as accepted (billing nothing)
    /// rather than duplicate, and a burst of readings faster than the meter's rated power over that span is held as a
    /// spike. The load harness measures both settings (README, Performance).
    /// </summary>
    public int MeterSnapshotEveryReadings { get; set; } = 1;

    /// <summary>Write a pending snapshot when an account or a meter deactivates. Tests turn it off to act like a crash. Default true.</summary>
    public bool SnapshotOnDeactivate { get; set; } = true;

    /// <summary>Account events kept on the account for the API (a bounded ring; the stream carries every event). Default 32.</summary>
    public int RecentEventCapacity { get; set; } = 32;

    /// <summary>Publish account events on the <c>AccountEvents</c> stream provider. Default true.</summary>
    public bool PublishEvents { get; set; } = true;

    /// <summary>Supply command retry and freshness settings for every meter.</summary>
    public SupplyOptions Supply { get; set; } = SupplyOptions.Default;

    /// <summary>
    /// A fixed protection calendar per account IANA zone, overriding the shared one (for tests and tools). Default
    /// null: accounts use the calendar grain <see cref="Contracts.Calendar.IProtectionCalendarGrain.DefaultId"/>, whose
    /// content until an operator sets it is nights 20:00–08:00 and whole weekends.
    /// </summary>
    public Func<string, ProtectionCalendar>? ProtectionCalendar { get; set; }

    /// <summary>
    /// How long a silo trusts its cached protection-calendar revision before asking the calendar grain again, on the
    /// grains' clock <see cref="Time"/>. An arrears cut always re-checks first. Default 1 minute.
    /// </summary>
    public TimeSpan ProtectionCalendarCheck { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a silo trusts its cached tariff revision before asking the tariff grain again. Default 1 minute.</summary>
    public TimeSpan TariffRevisionCheck { get; set; } = TimeSpan.FromMinutes(1);
}
