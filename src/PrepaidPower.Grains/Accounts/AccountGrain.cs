using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrepaidPower.Contracts;
using PrepaidPower.Contracts.Accounts;
using PrepaidPower.Contracts.Calendar;
using PrepaidPower.Contracts.Errors;
using PrepaidPower.Contracts.Meters;
using PrepaidPower.Domain;
using PrepaidPower.Domain.Credit;
using PrepaidPower.Domain.Ledger;
using PrepaidPower.Domain.Payments;
using PrepaidPower.Domain.Protection;
using PrepaidPower.Domain.Rating;
using PrepaidPower.Domain.Tariffs;
using PrepaidPower.Grains.Calendar;
using PrepaidPower.Grains.Tariffs;

namespace PrepaidPower.Grains.Accounts;

/// <summary>
/// The account: wallet, billed-up-to per meter, tier counter and credit policy. Money from outside is committed to the
/// ledger before it is acknowledged; usage and standing charges are appended to it; the snapshot is a cache of the
/// ledger up to <see cref="AccountState.LastSequence"/> and activation replays the tail. A failed write deactivates the
/// activation so the next call re-reads the truth.
/// </summary>
public sealed partial class AccountGrain(
    [PersistentState("account", PrepaidPowerGrainOptions.AccountStorage)] IPersistentState<AccountState> store,
    ILedgerStore ledger,
    TariffCache tariffs,
    ProtectionCalendarCache calendars,
    IOptions<PrepaidPowerGrainOptions> options,
    ILogger<AccountGrain> logger) : Grain, IAccountGrain, IRemindable
{
    private const string DeadlineReminder = "credit-deadline";
    private const int MaxMeters = 16;
    private const int ReplayBatch = 1_000;
    private static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan MaxReminderDue = TimeSpan.FromDays(30);

    private readonly PrepaidPowerGrainOptions settings = options.Value;
    private readonly TimeProvider time = options.Value.Time;
    private CreditPolicyMachine? machine;
    private ProtectionCalendar? machineCalendar;
    private int entriesSinceSnapshot;

    /// <summary>The deadline this activation registered the reminder for (null: none yet, or unknown).</summary>
    private DateTimeOffset? reminderDeadline;

    private MeterDispatcher? dispatcher;

    private AccountState S => store.State;

    private string AccountId => this.GetPrimaryKeyString();

    private Currency Currency => Currency.FromCode(S.Currency);

    /// <summary>Sends supply orders to the meters outside this grain's turns (see <see cref="DriveAsync"/>).</summary>
    private MeterDispatcher Dispatcher => dispatcher ??= new MeterDispatcher(AccountId, MeterDispatcher.DefaultRetryDelays, logger);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!S.Opened)
        {
            return;
        }
        var before = S.LastSequence;
        while (true)
        {
            var tail = await ledger.ReadAsync(AccountId, S.LastSequence, ReplayBatch, cancellationToken);
            foreach (var entry in tail)
            {
                Apply(entry);
            }
            if (tail.Count < ReplayBatch)
            {
                break;
            }
        }
        if (S.LastSequence != before)
        {
            LogReplayed(logger, AccountId, before, S.LastSequence);
            if (S.Credit is { } c && c.BalanceMinor != S.BalanceMinor)
            {
                // The snapshot's credit state saw an older balance: let the rules catch up (events and orders follow).
                await DriveAsync(new BalanceChanged(Balance), callerMeter: null, cancellationToken);
            }
            else
            {
                await SaveAsync();
            }
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (dispatcher is { Busy: > 0 } d)
        {
            // Orders already decided still go out; the deactivation's own deadline bounds the wait.
            try
            {
                await d.DrainAsync().WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                LogOrdersUnsent(logger, AccountId, d.Busy);
            }
        }
        if (settings.SnapshotOnDeactivate && entriesSinceSnapshot > 0 && reason.ReasonCode is not DeactivationReasonCode.ApplicationError)
        {
            try
            {
                await store.WriteStateAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Only a cache: the ledger has every entry and the next activation replays it.
                LogSnapshotFailed(logger, e, AccountId);
            }
        }
    }

    // ---------------- Operator API ----------------

    public async Task<AccountView> OpenAsync(OpenAccountRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var hash = Hash(JsonSerializer.Serialize(request));
        if (S.Opened)
        {
            return S.OpenRequestHash == hash
                ? View()
                : throw new ConflictException(ErrorCodes.AccountExists, $"Account '{AccountId}' is already open with other settings; change them one by one, or use a new account id.");
        }
        CheckId(AccountId, "account id");
        if (!Currency.TryFromCode(request.Currency, out var currency))
        {
            throw new InvalidRequestException(ErrorCodes.WrongCurrency, $"Currency '{request.Currency}' is not a known ISO 4217 code; use one such as CNY or GBP.");
        }
        var tariff = await TariffAsync(request.TariffId);
        if (tariff.Currency != currency)
        {
            throw new InvalidRequestException(ErrorCodes.WrongCurrency, $"Tariff '{tariff.Id}' prices in {tariff.Currency.Code} but the account is in {currency.Code}; open it in {tariff.Currency.Code} or choose a {currency.Code} tariff.");
        }
        CheckTimeZone(request.TimeZone);
        CheckHousehold(request.HouseholdSize);
        CheckContact(request.Contact);
        TariffGrain.RequireText(request.OperatorId, "operatorId");
        var spec = request.CreditPolicy ?? CreditPolicySpec.Default;
        _ = CreditMapping.ToPolicy(spec, currency);

        var now = time.GetUtcNow();
        S.Opened = true;
        S.OpenRequestHash = hash;
        S.OpenedAt = now;
        S.Currency = currency.Code;
        S.TariffId = tariff.Id;
        S.TimeZone = request.TimeZone;
        S.HouseholdSize = request.HouseholdSize;
        S.Contact = request.Contact;
        S.Policy = spec;
        S.StandingChargedThrough = now;
        S.LastEntryAt = now;
        // A new account starts in credit at zero; the first balance change applies the policy's thresholds.
        S.Credit = CreditMapping.ToData(new CreditState { Status = CreditStatus.InCredit, Balance = Money.Zero(currency), Since = now });
        await SaveAsync();
        LogOpened(logger, AccountId, tariff.Id, currency.Code, request.OperatorId);
        return View();
    }

    public Task<AccountView> GetAsync()
    {
        RequireOpen();
        return Task.FromResult(View());
    }

    public async Task<AccountView> CloseAsync(OperatorAction action)
    {
        RequireOpen();
        CheckAction(action);
        if (!S.Closed)
        {
            S.Closed = true;
            await SaveAsync();
            LogClosed(logger, AccountId, action.OperatorId, action.Reason);
        }
        return View();
    }

    public async Task<AccountView> ChangeTariffAsync(string tariffId, string operatorId)
    {
        RequireOpen();
        TariffGrain.RequireText(operatorId, nameof(operatorId));
        var tariff = await TariffAsync(tariffId);
        if (tariff.Currency != Currency)
        {
            throw new InvalidRequestException(ErrorCodes.WrongCurrency, $"Tariff '{tariff.Id}' prices in {tariff.Currency.Code} but the account is in {S.Currency}; choose a {S.Currency} tariff.");
        }
        if (S.TariffId != tariff.Id)
        {
            // Bill the standing charge up to now at the old tariff before switching.
            await CommitChargesAsync([.. await StandingEntriesAsync(time.GetUtcNow())]);
            S.TariffId = tariff.Id;
            await SaveAsync();
        }
        return View();
    }

    public async Task<AccountView> SetHouseholdSizeAsync(int householdSize, string operatorId)
    {
        RequireOpen();
        TariffGrain.RequireText(operatorId, nameof(operatorId));
        CheckHousehold(householdSize);
        S.HouseholdSize = householdSize;
        await SaveAsync();
        return View();
    }

    public async Task<AccountView> SetContactAsync(ContactDetails? contact, string operatorId)
    {
        RequireOpen();
        TariffGrain.RequireText(operatorId, nameof(operatorId));
        CheckContact(contact);
        S.Contact = contact;
        await SaveAsync();
        return View();
    }

    public async Task<AccountView> AddProtectionAsync(ProtectionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireOpen();
        TariffGrain.RequireText(request.OperatorId, "operatorId");
        var view = new ProtectionView { Type = request.Type, Until = request.Until, Reason = request.Reason, OperatorId = request.OperatorId, Region = request.Region };
        var protection = CreditMapping.ToDomain(view);
        await DriveAsync(new ProtectionAdded(protection), null);
        return View();
    }

    public async Task<AccountView> RemoveProtectionAsync(ProtectionType type, string operatorId)
    {
        RequireOpen();
        TariffGrain.RequireText(operatorId, nameof(operatorId));
        var kind = CreditMapping.ToKind(type);
        if (Credit().Protections.Get(kind) is null)
        {
            throw new NotFoundException(ErrorCodes.InvalidField, $"Account '{AccountId}' has no {type} protection to remove.");
        }
        await DriveAsync(Trigger(() => new ProtectionRemoved(kind, operatorId)), null);
        return View();
    }

    public Task<PaymentReceipt> TopUpAsync(PaymentRequest request) => PaymentAsync(PaymentRequestKind.TopUp, request);

    public Task<PaymentReceipt> RefundAsync(PaymentRequest request) => PaymentAsync(PaymentRequestKind.Refund, request);

    public Task<PaymentReceipt> AdjustAsync(PaymentRequest request) => PaymentAsync(PaymentRequestKind.Adjustment, request);

    public Task<BalanceView> GetBalanceAsync()
    {
        RequireOpen();
        return Task.FromResult(BalanceView());
    }

    public async Task<LedgerPage> GetLedgerAsync(long afterSequence, int max)
    {
        RequireOpen();
        if (afterSequence < 0 || max is < 1 or > IAccountGrain.MaxPageSize)
        {
            throw new InvalidRequestException(ErrorCodes.InvalidField, $"Page with afterSequence ≥ 0 and 1 ≤ max ≤ {IAccountGrain.MaxPageSize}; got afterSequence {afterSequence}, max {max}.");
        }
        var entries = await ledger.ReadAsync(AccountId, afterSequence, max + 1);
        var page = entries.Take(max).Select(ToView).ToArray();
        return new LedgerPage { AccountId = AccountId, Entries = page, NextAfterSequence = entries.Count > max ? page[^1].Sequence : null };
    }

    public async Task<Statement> GetStatementAsync(DateTimeOffset from, DateTimeOffset to)
    {
        RequireOpen();
        if (to <= from)
        {
            throw new InvalidRequestException(ErrorCodes.InvalidField, $"The statement period {from:O} – {to:O} is empty or reversed; 'to' must be after 'from'.");
        }
        var entries = await ledger.ReadPeriodAsync(AccountId, from, to, IAccountGrain.MaxStatementEntries + 1);
        var shown = entries.Take(IAccountGrain.MaxStatementEntries).ToArray();
        long opening;
        long closing;
        if (shown.Length > 0)
        {
            opening = shown[0].BalanceAfterMinor - shown[0].AmountMinor;
            closing = shown[^1].BalanceAfterMinor;
        }
        else
        {
            // Nothing happened in the period: the balance then is the one before the first later entry, or now's.
            var later = await ledger.ReadPeriodAsync(AccountId, to, DateTimeOffset.MaxValue, 1);
            opening = closing = later.Count > 0 ? later[0].BalanceAfterMinor - later[0].AmountMinor : S.BalanceMinor;
        }
        var totals = shown.GroupBy(e => e.Kind.ToString())
            .ToDictionary(g => g.Key, g => new MoneyAmount(g.Sum(e => e.AmountMinor), S.Currency), StringComparer.Ordinal);
        return new Statement
        {
            AccountId = AccountId,
            From = from,
            To = to,
            OpeningBalance = new MoneyAmount(opening, S.Currency),
            ClosingBalance = new MoneyAmount(closing, S.Currency),
            Totals = totals,
            Entries = shown.Select(ToView).ToArray(),
            Truncated = entries.Count > IAccountGrain.MaxStatementEntries,
        };
    }

    public Task<IReadOnlyList<AccountEvent>> GetRecentEventsAsync(int max)
    {
        RequireOpen();
        var take = Math.Clamp(max, 0, S.RecentEvents.Count);
        return Task.FromResult<IReadOnlyList<AccountEvent>>(S.RecentEvents.Skip(S.RecentEvents.Count - take).ToArray());
    }

    public async Task<BalanceView> ActivateEmergencyCreditAsync()
    {
        RequireOpen();
        await DriveAsync(new EmergencyCreditActivated(), null);
        return BalanceView();
    }

    public async Task<BalanceView> EnforcementCutAsync(OperatorAction action)
    {
        RequireOpen();
        CheckAction(action);
        await DriveAsync(Trigger(() => new EnforcementCut(action.OperatorId, action.Reason)), null);
        LogEnforcement(logger, AccountId, "cut", action.OperatorId, action.Reason);
        return BalanceView();
    }

    public async Task<BalanceView> LiftEnforcementAsync(OperatorAction action)
    {
        RequireOpen();
        CheckAction(action);
        await DriveAsync(Trigger(() => new EnforcementLifted(action.OperatorId, action.Reason)), null);
        LogEnforcement(logger, AccountId, "lifted", action.OperatorId, action.Reason);
        return BalanceView();
    }

    public async Task<BalanceView> ClearSafetyTripAsync(OperatorAction action)
    {
        RequireOpen();
        CheckAction(action);
        if (Credit().Status != CreditStatus.SafetyTripped)
        {
            throw new ConflictException(ErrorCodes.InvalidTransition, $"Account '{AccountId}' is not safety-tripped (it is {Credit().Status}); there is nothing to clear.");
        }
        // Each meter clears its trip before it gets the reconnect this may order (a tripped supply refuses every order).
        // Both go through the dispatcher, in that order, after the account has saved: a meter may be waiting for this
        // account to bill its usage, so waiting for the meter here could deadlock until the response timeout.
        await DriveAsync(
            Trigger(() => new SafetyCleared(action.OperatorId, action.Reason)),
            null,
            first: meterId => new MeterCall($"ClearSafety by {action.OperatorId}", () => GrainFactory.GetGrain<IMeterGrain>(meterId).ClearSafetyAsync(action.OperatorId)));
        return BalanceView();
    }

    // ---------------- Meter callbacks ----------------

    public async Task AttachMeterAsync(string meterId, long? positionWh)
    {
        RequireOpen();
        if (S.Closed)
        {
            throw new ConflictException(ErrorCodes.AccountClosed, $"Account '{AccountId}' is closed; attach the meter to an open account.");
        }
        if (S.Meters.Any(m => m.MeterId == meterId))
        {
            return;
        }
        if (S.Meters.Count >= MaxMeters)
        {
            throw new ConflictException(ErrorCodes.InvalidField, $"Account '{AccountId}' has {MaxMeters} meters already; detach one first.");
        }
        S.Meters.Add(new MeterBilling { MeterId = meterId, BilledUpToWh = positionWh });
        await SaveAsync();
    }

    public async Task DetachMeterAsync(string meterId)
    {
        RequireOpen();
        if (S.Meters.RemoveAll(m => m.MeterId == meterId) > 0)
        {
            await SaveAsync();
        }
    }

    public async Task<UsageBilled> BillUsageAsync(UsageReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        RequireOpen();
        var meter = S.Meters.Find(m => m.MeterId == report.MeterId)
            ?? throw new ConflictException(ErrorCodes.MeterNotAttached, $"Meter '{report.MeterId}' is not attached to account '{AccountId}'; attach it first.");
        var billedUpTo = meter.BilledUpToWh ?? report.FromWh;
        if (report.ToWh <= billedUpTo)
        {
            // Duplicate, late or out of order: everything up to here is billed already.
            return new UsageBilled { BilledUpToWh = billedUpTo, Balance = new MoneyAmount(S.BalanceMinor, S.Currency) };
        }
        var tariff = await TariffAsync(S.TariffId);
        var now = time.GetUtcNow();
        var entries = await StandingEntriesAsync(now, tariff);
        var usage = RateUsage(tariff, report, billedUpTo, entries.Count > 0 ? entries[^1].BalanceAfterMinor : S.BalanceMinor, S.LastSequence + entries.Count + 1);
        entries.Add(usage);
        await CommitChargesAsync(entries);
        var orders = await DriveAsync(new BalanceChanged(Balance), report.MeterId);
        return new UsageBilled
        {
            BilledWh = report.ToWh - billedUpTo,
            ChargedMinor = -usage.AmountMinor,
            BilledUpToWh = report.ToWh,
            Balance = new MoneyAmount(S.BalanceMinor, S.Currency),
            Orders = orders,
        };
    }

    public async Task<IReadOnlyList<SupplyOrderRequest>> DisconnectConfirmedAsync(string meterId)
    {
        RequireOpen();
        try
        {
            return await DriveAsync(new DisconnectConfirmed(), meterId);
        }
        catch (ConflictException e)
        {
            // A confirmation the credit state does not wait for (e.g. the account recovered meanwhile): record, ignore.
            LogIgnoredConfirmation(logger, AccountId, meterId, e.Message);
            return [];
        }
    }

    public async Task<IReadOnlyList<SupplyOrderRequest>> SafetyTrippedAsync(string meterId, string cause)
    {
        RequireOpen();
        return await DriveAsync(Trigger(() => new SafetyTripped($"{cause} (meter {meterId})")), meterId);
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != DeadlineReminder || !S.Opened)
        {
            return;
        }
        var credit = Credit();
        if (credit.NextDeadline is { } deadline && deadline <= time.GetUtcNow())
        {
            await DriveAsync(new TimerDue(), null);
        }
        else
        {
            // Early (a far deadline is reached in steps): register again for the time that is left.
            reminderDeadline = null;
            await SyncReminderAsync(credit);
        }
    }

    // ---------------- Money ----------------

    private async Task<PaymentReceipt> PaymentAsync(PaymentRequestKind kind, PaymentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireOpen();
        var money = CheckPayment(kind, request);
        var receivedAt = request.ReceivedAt ?? time.GetUtcNow();
        var hash = Hash(string.Join('\u001f',
            kind.ToString(), AccountId, money.MinorUnits.ToString(CultureInfo.InvariantCulture), money.Currency.Code,
            request.Channel, request.Reason ?? "", request.OperatorId ?? "",
            request.ReceivedAt?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture) ?? ""));

        // Rules that depend on the account's state must not turn a faithful retry into an error: check the id first.
        var stateProblem = kind switch
        {
            PaymentRequestKind.TopUp when S.Closed => $"Account '{AccountId}' is closed and takes no top-ups; refund the customer instead.",
            PaymentRequestKind.Refund when money.MinorUnits > S.BalanceMinor =>
                $"A refund of {money.ToAmountString()} {money.Currency.Code} is more than the balance {Balance.ToAmountString()}; refund at most the balance.",
            _ => null,
        };
        if (stateProblem is not null)
        {
            var earlier = await ledger.FindExternalAsync(request.Id);
            if (earlier.Count == 0)
            {
                throw kind == PaymentRequestKind.TopUp
                    ? new ConflictException(ErrorCodes.AccountClosed, stateProblem)
                    : new InvalidRequestException(ErrorCodes.InvalidAmount, stateProblem);
            }
            return earlier[0].RequestHash == hash
                ? Receipt(kind, earlier, replayed: true)
                : throw IdConflict(request.Id);
        }

        var signed = kind == PaymentRequestKind.Refund ? -money.MinorUnits : money.MinorUnits;
        var entryKind = kind switch
        {
            PaymentRequestKind.TopUp => LedgerEntryKind.TopUp,
            PaymentRequestKind.Refund => LedgerEntryKind.Refund,
            _ => LedgerEntryKind.Adjustment,
        };
        var balance = checked(S.BalanceMinor + signed);
        var sequence = S.LastSequence + 1;
        var entries = new List<LedgerEntry>
        {
            new(AccountId, sequence, entryKind, signed, S.Currency, balance, receivedAt, ExternalId: request.Id, RequestHash: hash,
                Details: LedgerDetails.Payment(request.Channel, request.Reason, request.OperatorId)),
        };
        if (kind == PaymentRequestKind.TopUp)
        {
            // The balance itself carries emergency credit in use (it is below the disconnection threshold), so nothing
            // is repaid separately; debt registers are not kept yet, so the waterfall sends everything to the balance.
            var allocation = PaymentAllocator.Allocate(money, receivedAt, Money.Zero(money.Currency), [], TimeZoneInfo.FindSystemTimeZoneById(S.TimeZone));
            foreach (var line in allocation.Lines.Where(l => l.Kind != AllocationLineKind.ToBalance))
            {
                balance = checked(balance - line.Amount.MinorUnits);
                entries.Add(new LedgerEntry(AccountId, ++sequence,
                    line.Kind == AllocationLineKind.EmergencyCreditRepaid ? LedgerEntryKind.EmergencyCreditRepaid : LedgerEntryKind.DebtRecovery,
                    -line.Amount.MinorUnits, S.Currency, balance, receivedAt, Details: LedgerDetails.Recovery(line.Kind.ToString(), line.DebtId)));
            }
        }

        ExternalCommit commit;
        try
        {
            commit = await ledger.CommitExternalAsync(entries);
        }
        catch (IdempotencyConflictException)
        {
            throw IdConflict(request.Id);
        }
        catch (Exception e)
        {
            throw LedgerFailed(e);
        }
        if (commit.Replayed)
        {
            if (commit.Entries.Count == 0 || commit.Entries[0].AccountId != AccountId)
            {
                throw IdConflict(request.Id);
            }
            return Receipt(kind, commit.Entries, replayed: true);
        }
        foreach (var e in commit.Entries)
        {
            Apply(e);
        }
        entriesSinceSnapshot += commit.Entries.Count;
        LogPayment(logger, AccountId, kind, request.Id, money.MinorUnits, S.BalanceMinor);
        await DriveAsync(kind == PaymentRequestKind.TopUp ? new TopUp(Balance) : new BalanceChanged(Balance), null);
        return Receipt(kind, commit.Entries, replayed: false);
    }

    private Money CheckPayment(PaymentRequestKind kind, PaymentRequest r)
    {
        CheckId(r.Id, "payment id");
        if (r.Amount.Currency != S.Currency)
        {
            throw new InvalidRequestException(ErrorCodes.WrongCurrency, $"The amount is in '{r.Amount.Currency}' but account '{AccountId}' is in {S.Currency}; send {S.Currency}.");
        }
        var money = r.Amount.ToMoney();
        var max = Money.FromMajor(settings.MaxPaymentMajor, money.Currency);
        if (kind == PaymentRequestKind.Adjustment ? money.IsZero : !money.IsPositive)
        {
            throw new InvalidRequestException(ErrorCodes.InvalidAmount,
                kind == PaymentRequestKind.Adjustment
                    ? "An adjustment of zero changes nothing; send a positive or negative amount."
                    : $"The amount must be positive; got {money.ToAmountString()} {money.Currency.Code}.");
        }
        if ((money.IsNegative ? -money : money) > max)
        {
            throw new InvalidRequestException(ErrorCodes.AmountTooLarge, $"{money.ToAmountString()} {money.Currency.Code} is above the largest accepted amount {max.ToAmountString()}; check the amount (minor units sent as major?) or split it.");
        }
        if (string.IsNullOrWhiteSpace(r.Channel) || r.Channel.Length > 50)
        {
            throw new InvalidRequestException(ErrorCodes.InvalidField, "channel is required (1–50 characters), e.g. \"wechat\", \"counter\" or \"operator\".");
        }
        if (kind != PaymentRequestKind.TopUp)
        {
            TariffGrain.RequireText(r.Reason, "reason");
            TariffGrain.RequireText(r.OperatorId, "operatorId");
        }
        else if (r.Reason is { Length: > 200 })
        {
            throw new InvalidRequestException(ErrorCodes.InvalidField, "reason is at most 200 characters.");
        }
        if (r.ReceivedAt is { } at && at > time.GetUtcNow() + TimeSpan.FromMinutes(5))
        {
            throw new InvalidRequestException(ErrorCodes.InvalidField, $"receivedAt {at:O} is in the future; send when the money was received, or leave it out.");
        }
        return money;
    }

    private static ConflictException IdConflict(string id) => new(ErrorCodes.IdempotencyConflict,
        $"The id '{id}' was already used for a different request; nothing was written. Use a new id for a new payment, or resend exactly the original request.");

    /// <summary>Standing-charge entry for the local days started since the last one (none when nothing is due or free).</summary>
    private async Task<List<LedgerEntry>> StandingEntriesAsync(DateTimeOffset now, Tariff? tariff = null)
    {
        var list = new List<LedgerEntry>(2);
        if (now <= S.StandingChargedThrough)
        {
            return list;
        }
        tariff ??= await TariffAsync(S.TariffId);
        var standing = Rater.StandingCharge(tariff, S.StandingChargedThrough, now);
        if (standing.Days == 0 || standing.AmountMinor == 0)
        {
            return list;
        }
        var accumulator = new ChargeAccumulator(S.ChargesExactMinor, S.ChargesPostedMinor, tariff.Rounding);
        var post = accumulator.Post(standing.AmountMinor);
        list.Add(new LedgerEntry(AccountId, S.LastSequence + 1, LedgerEntryKind.StandingCharge, -post, S.Currency,
            checked(S.BalanceMinor - post), now, ExactMinor: standing.AmountMinor, Details: LedgerDetails.Standing(now, standing.Days)));
        return list;
    }

    private LedgerEntry RateUsage(Tariff tariff, UsageReport report, long billedUpTo, long balanceBefore, long sequence)
    {
        var energy = Energy.FromWattHours(report.ToWh - billedUpTo);
        var end = report.PeriodEnd;
        var start = report.PeriodStart < end ? report.PeriodStart : end - TimeSpan.FromSeconds(1);
        var account = new RatingAccount(new TierCounter(S.TierPeriodStart, Energy.FromWattHours(S.TierUsedWh)), DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(S.OpenedAt, tariff.TimeZone).DateTime), QuotaModifier(tariff));
        var lines = new RatedLine[tariff.MaxRatedLines];

        // Band registers price each band exactly, but only for exactly the range the meter measured them over.
        var bands = billedUpTo == report.FromWh ? BandEnergies(tariff, report) : null;
        RatingResult result;
        try
        {
            result = Rater.Rate(tariff, start, end, energy, bands ?? default(ReadOnlySpan<Energy>), account, lines);
        }
        catch (ArgumentException e)
        {
            // A range the tariff cannot split as given (e.g. reported after a later tier period began): price it at its end.
            LogRatedAtEnd(logger, AccountId, report.MeterId, e.Message);
            bands = null;
            result = Rater.Rate(tariff, end - TimeSpan.FromSeconds(1), end, energy, account, lines);
        }
        var accumulator = new ChargeAccumulator(S.ChargesExactMinor, S.ChargesPostedMinor, tariff.Rounding);
        var post = accumulator.Post(result.TotalMinor);
        return new LedgerEntry(AccountId, sequence, LedgerEntryKind.Usage, -post, S.Currency, checked(balanceBefore - post), end,
            MeterId: report.MeterId, RegisterFromWh: billedUpTo, RegisterToWh: report.ToWh, ExactMinor: result.TotalMinor,
            Details: LedgerDetails.Usage(result.Counter, start, end, lines.AsSpan(0, result.LineCount), bands is not null));
    }

    private static Energy[]? BandEnergies(Tariff tariff, UsageReport report)
    {
        if (report.BandNames.Count == 0 || report.BandNames.Count != report.BandEnergiesWh.Count)
        {
            return null;
        }
        var energies = new Energy[tariff.BandNames.Length];
        for (var i = 0; i < report.BandNames.Count; i++)
        {
            var index = tariff.BandIndex(report.BandNames[i]);
            if (index < 0)
            {
                return null;
            }
            energies[index] += Energy.FromWattHours(report.BandEnergiesWh[i]);
        }
        return energies.Sum(e => e.WattHours) == report.ToWh - report.FromWh ? energies : null;
    }

    private string? QuotaModifier(Tariff tariff) =>
        S.HouseholdSize >= 5 && tariff.QuotaModifierNames.Contains("large-household") ? "large-household" : null;

    /// <summary>Appends charges (group-committed by the store) and applies them; a failure deactivates this activation.</summary>
    private async Task CommitChargesAsync(List<LedgerEntry> entries)
    {
        if (entries.Count == 0)
        {
            return;
        }
        try
        {
            await ledger.AppendAsync(entries);
        }
        catch (Exception e)
        {
            throw LedgerFailed(e);
        }
        foreach (var e in entries)
        {
            Apply(e);
        }
        entriesSinceSnapshot += entries.Count;
    }

    private Exception LedgerFailed(Exception e)
    {
        // Whether the write landed is unknown: never serve a balance the database may not have. The next call reloads.
        LogLedgerFailed(logger, e, AccountId);
        DeactivateOnIdle();
        return e;
    }

    /// <summary>Applies one committed ledger entry to the snapshot: the same code for live writes and for replay.</summary>
    private void Apply(LedgerEntry e)
    {
        if (e.Sequence != S.LastSequence + 1 || e.AccountId != AccountId)
        {
            throw new InvalidDataException($"Account '{AccountId}' at sequence {S.LastSequence} cannot apply entry {e.AccountId}#{e.Sequence}: the ledger has a gap or the snapshot is ahead of it.");
        }
        var balance = checked(S.BalanceMinor + e.AmountMinor);
        if (balance != e.BalanceAfterMinor)
        {
            throw new InvalidDataException($"Account '{AccountId}': entry {e.Sequence} says the balance is {e.BalanceAfterMinor} but the snapshot gives {balance}.");
        }
        S.BalanceMinor = balance;
        S.LastSequence = e.Sequence;
        if (e.OccurredAt > S.LastEntryAt)
        {
            S.LastEntryAt = e.OccurredAt;
        }
        switch (e.Kind)
        {
            case LedgerEntryKind.Usage:
                S.ChargesExactMinor += e.ExactMinor ?? -e.AmountMinor;
                S.ChargesPostedMinor -= e.AmountMinor;
                var (periodStart, used) = LedgerDetails.TierCounterOf(e.Details);
                S.TierPeriodStart = periodStart;
                S.TierUsedWh = used;
                if (e is { MeterId: { } meterId, RegisterToWh: { } to })
                {
                    S.BilledEnergyWh += to - (e.RegisterFromWh ?? to);
                    var meter = S.Meters.Find(m => m.MeterId == meterId);
                    if (meter is not null && (meter.BilledUpToWh is null || meter.BilledUpToWh < to))
                    {
                        meter.BilledUpToWh = to;
                    }
                }
                break;
            case LedgerEntryKind.StandingCharge:
                S.ChargesExactMinor += e.ExactMinor ?? -e.AmountMinor;
                S.ChargesPostedMinor -= e.AmountMinor;
                S.StandingChargedThrough = LedgerDetails.StandingThrough(e.Details);
                break;
        }
    }

    // ---------------- Credit policy ----------------

    /// <summary>
    /// The credit machine, rebuilt when the shared protection calendar's revision has changed (checked against the
    /// silo's <see cref="ProtectionCalendarCache"/>; <paramref name="recheck"/> asks the calendar grain now).
    /// </summary>
    private async ValueTask<CreditPolicyMachine> MachineAsync(bool recheck = false)
    {
        var calendar = settings.ProtectionCalendar is { } fixedCalendar
            ? machineCalendar ?? fixedCalendar(S.TimeZone)
            : await calendars.GetAsync(IProtectionCalendarGrain.DefaultId, S.TimeZone, recheck);
        if (machine is null || !ReferenceEquals(calendar, machineCalendar))
        {
            machine = new CreditPolicyMachine(CreditMapping.ToPolicy(S.Policy, Currency), calendar, time);
            machineCalendar = calendar;
        }
        return machine;
    }

    /// <summary>One trigger, then any deadline that has already passed (zero grace, a late reminder). Pure: nothing is applied.</summary>
    private (CreditStep Step, List<CreditEvent> Events, List<SupplyOrder> Orders) Run(CreditPolicyMachine m, CreditState before, CreditTrigger trigger)
    {
        CreditStep step;
        try
        {
            step = m.Handle(before, trigger);
        }
        catch (InvalidCreditTransitionException e)
        {
            throw new ConflictException(ErrorCodes.InvalidTransition, e.Message);
        }
        catch (ArgumentException e)
        {
            throw new InvalidRequestException(ErrorCodes.InvalidField, e.Message);
        }
        var events = new List<CreditEvent>(step.Events);
        var orders = new List<SupplyOrder>(step.Orders);
        for (var i = 0; i < 16 && step.NextDeadline is { } due && due <= time.GetUtcNow(); i++)
        {
            step = m.Handle(step.State, new TimerDue());
            events.AddRange(step.Events);
            orders.AddRange(step.Orders);
        }
        return (step, events, orders);
    }

    private CreditState Credit() => CreditMapping.ToDomain(S.Credit!, Currency);

    private Money Balance => Money.FromMinor(S.BalanceMinor, Currency);

    /// <summary>
    /// Runs one trigger through the credit machine (and any deadline already passed), persists the new state, hands the
    /// supply orders to the dispatcher for the attached meters, sets or clears the deadline reminder and publishes the
    /// events. Orders for <paramref name="callerMeter"/> are returned instead of sent: the account never calls back into
    /// its caller. No meter is awaited inside this turn: a meter's poll turn awaits this account (billing), so an
    /// account turn awaiting a meter is a cycle that only the response timeout would break. The caller's reply (a
    /// top-up's receipt) therefore means "committed", not "applied at the meters".
    /// </summary>
    /// <param name="trigger">What happened.</param>
    /// <param name="callerMeter">The meter whose call this is, if any: its orders are returned, not sent.</param>
    /// <param name="cancellationToken">For the state write.</param>
    /// <param name="first">A call sent to every other attached meter before its orders (clearing a safety trip).</param>
    private async Task<IReadOnlyList<SupplyOrderRequest>> DriveAsync(CreditTrigger trigger, string? callerMeter, CancellationToken cancellationToken = default, Func<string, MeterCall>? first = null)
    {
        var m = await MachineAsync();
        var before = Credit();
        var (step, events, orders) = Run(m, before, trigger);
        if (settings.ProtectionCalendar is null && orders.Exists(o => o is Disconnect { Reason: DisconnectReason.Arrears }))
        {
            // "Never cut in a protected window": a holiday added since this silo last looked must still count, so
            // the calendar's revision is checked now (one grain call per arrears cut, not per reading).
            var latest = await MachineAsync(recheck: true);
            if (!ReferenceEquals(latest, m))
            {
                (step, events, orders) = Run(latest, before, trigger);
            }
        }
        S.Credit = CreditMapping.ToData(step.State);
        var published = events.Select(ToAccountEvent).ToArray();
        foreach (var e in published)
        {
            S.RecentEvents.Add(e);
        }
        if (S.RecentEvents.Count > settings.RecentEventCapacity)
        {
            S.RecentEvents.RemoveRange(0, S.RecentEvents.Count - settings.RecentEventCapacity);
        }
        // The ledger rebuilds the balance, so a balance-only change waits for the snapshot interval; any other credit
        // change (status, deadline, alarms, protections) is written at once.
        if (events.Count > 0 || before with { Balance = step.State.Balance } != step.State)
        {
            await SaveAsync(cancellationToken);
        }
        else
        {
            await SaveIfDueAsync();
        }

        var requests = orders.Select(ToRequest).ToArray();
        IReadOnlyList<SupplyOrderRequest> forCaller = [];
        foreach (var meter in S.Meters)
        {
            if (meter.MeterId == callerMeter)
            {
                forCaller = requests;
                continue;
            }
            var meterId = meter.MeterId;
            var calls = new List<MeterCall>(requests.Length + 1);
            if (first is not null)
            {
                calls.Add(first(meterId));
            }
            calls.AddRange(requests.Select(r => new MeterCall($"{r.Kind} ({r.Reason})", () => GrainFactory.GetGrain<IMeterGrain>(meterId).ApplySupplyOrderAsync(r))));
            Dispatcher.Send(meterId, calls);
        }
        await SyncReminderAsync(step.State);
        await PublishAsync(published);
        if (before.Status != step.State.Status)
        {
            LogCreditStatus(logger, AccountId, before.Status, step.State.Status, string.Join(",", events.Select(e => e.Code)));
        }
        return forCaller;
    }

    private static SupplyOrderRequest ToRequest(SupplyOrder order) => order switch
    {
        LimitTo l => new SupplyOrderRequest { Kind = SupplyOrderKind.Limit, LimitKilowatts = l.Kilowatts, Reason = "arrears: limit step" },
        Disconnect { Reason: DisconnectReason.Enforcement } d => new SupplyOrderRequest { Kind = SupplyOrderKind.DisconnectEnforcement, Reason = "enforcement: " + d.Detail },
        Disconnect d => new SupplyOrderRequest { Kind = SupplyOrderKind.DisconnectArrears, Reason = "arrears: " + d.Detail },
        _ => new SupplyOrderRequest { Kind = SupplyOrderKind.Reconnect, Reason = "credit restored" },
    };

    private AccountEvent ToAccountEvent(CreditEvent e)
    {
        var number = ++S.EventNumber;
        return new AccountEvent
        {
            Id = $"{AccountId}:{number.ToString(CultureInfo.InvariantCulture)}",
            AccountId = AccountId,
            EventNumber = number,
            Code = e.Code,
            At = e.At,
            From = e.From.ToString(),
            To = e.To.ToString(),
            Level = e.Level,
            Kilowatts = e.Kilowatts,
            Until = e.Until,
            Reason = e.Reason,
            OperatorId = e.OperatorId,
            Balance = e.Balance is { } b ? MoneyAmount.From(b) : null,
            DaysOfCreditLeft = e.DaysOfCreditLeft,
            Language = S.Contact?.Language,
        };
    }

    private async Task PublishAsync(IReadOnlyList<AccountEvent> events)
    {
        if (events.Count == 0 || !settings.PublishEvents)
        {
            return;
        }
        try
        {
            var stream = this.GetStreamProvider(AccountEventStream.ProviderName)
                .GetStream<AccountEvent>(StreamId.Create(AccountEventStream.Namespace, AccountId));
            foreach (var e in events)
            {
                await stream.OnNextAsync(e);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The state and the ring already hold the events; a stream outage must not undo a committed payment.
            LogPublishFailed(logger, ex, AccountId, events.Count);
        }
    }

    private async Task SyncReminderAsync(CreditState credit)
    {
        if (credit.NextDeadline is { } deadline)
        {
            if (S.ReminderSet && reminderDeadline == deadline)
            {
                // Registered for this deadline already by this activation: a reading in a timed state costs no reminder write.
                return;
            }
            reminderDeadline = deadline;
            var due = deadline - time.GetUtcNow();
            due = due < TimeSpan.Zero ? TimeSpan.Zero : due > MaxReminderDue ? MaxReminderDue : due;
            await this.RegisterOrUpdateReminder(DeadlineReminder, due, ReminderPeriod);
            if (!S.ReminderSet)
            {
                S.ReminderSet = true;
                await SaveAsync();
            }
        }
        else if (S.ReminderSet)
        {
            var reminder = await this.GetReminder(DeadlineReminder);
            if (reminder is not null)
            {
                await this.UnregisterReminder(reminder);
            }
            S.ReminderSet = false;
            reminderDeadline = null;
            await SaveAsync();
        }
    }

    private static CreditTrigger Trigger(Func<CreditTrigger> build)
    {
        try
        {
            return build();
        }
        catch (ArgumentException e)
        {
            throw new InvalidRequestException(ErrorCodes.InvalidField, e.Message);
        }
    }

    // ---------------- Helpers ----------------

    private async Task SaveAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await store.WriteStateAsync(cancellationToken);
            entriesSinceSnapshot = 0;
        }
        catch (Exception e)
        {
            LogSnapshotFailed(logger, e, AccountId);
            DeactivateOnIdle();
            throw;
        }
    }

    /// <summary>Writes the snapshot only every <see cref="PrepaidPowerGrainOptions.SnapshotEveryEntries"/> entries (the ledger has the rest).</summary>
    private Task SaveIfDueAsync() => entriesSinceSnapshot >= settings.SnapshotEveryEntries ? SaveAsync() : Task.CompletedTask;

    private async Task<Tariff> TariffAsync(string? tariffId)
    {
        if (string.IsNullOrWhiteSpace(tariffId))
        {
            throw new InvalidRequestException(ErrorCodes.InvalidField, "tariffId is required; list the tariffs to find one.");
        }
        return await tariffs.GetAsync(tariffId);
    }

    private void RequireOpen()
    {
        if (!S.Opened)
        {
            throw new NotFoundException(ErrorCodes.AccountNotFound, $"Account '{AccountId}' does not exist; open it first.");
        }
    }

    internal static void CheckId(string? id, string what)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Length > 100 || id.Any(char.IsControl))
        {
            throw new InvalidRequestException(ErrorCodes.InvalidField, $"The {what} must be 1–100 printable characters; got '{id}'.");
        }
    }

    private static void CheckTimeZone(string? zone)
    {
        try
        {
            _ = TimeZoneInfo.FindSystemTimeZoneById(zone ?? "");
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            throw new InvalidRequestException(ErrorCodes.InvalidField, $"'{zone}' is not a known IANA time zone; use one such as \"Asia/Shanghai\" or \"Europe/London\".");
        }
    }

    private static void CheckHousehold(int size)
    {
        if (size is < 1 or > 99)
        {
            throw new InvalidRequestException(ErrorCodes.InvalidField, $"householdSize {size} is not a household size; give 1 to 99 persons.");
        }
    }

    private static void CheckContact(ContactDetails? c)
    {
        if (c is null)
        {
            return;
        }
        if (string.IsNullOrWhiteSpace(c.Phone) && string.IsNullOrWhiteSpace(c.Email) && string.IsNullOrWhiteSpace(c.PushId))
        {
            throw new InvalidRequestException(ErrorCodes.InvalidField, "contact needs a phone, an e-mail or a push id (or leave contact out for no reminders).");
        }
        if (c.Email is { } email && (email.Length > 254 || !email.Contains('@', StringComparison.Ordinal)))
        {
            throw new InvalidRequestException(ErrorCodes.InvalidField, $"contact.email '{email}' is not an e-mail address.");
        }
        if (string.IsNullOrWhiteSpace(c.Language) || c.Language.Length > 35)
        {
            throw new InvalidRequestException(ErrorCodes.InvalidField, "contact.language is required, e.g. \"zh-CN\" or \"en\".");
        }
    }

    private static void CheckAction(OperatorAction action)
    {
        ArgumentNullException.ThrowIfNull(action);
        TariffGrain.RequireText(action.OperatorId, "operatorId");
        TariffGrain.RequireText(action.Reason, "reason");
    }

    private static string Hash(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private AccountView View() => new()
    {
        AccountId = AccountId,
        Lifecycle = S.Closed ? "Closed" : "Open",
        TariffId = S.TariffId,
        TimeZone = S.TimeZone,
        HouseholdSize = S.HouseholdSize,
        Balance = BalanceView(),
        Meters = S.Meters.Select(m => new AttachedMeterView { MeterId = m.MeterId, BilledUpToWh = m.BilledUpToWh }).ToArray(),
        Protections = S.Credit?.Protections.ToArray() ?? [],
        Contact = S.Contact,
        OpenedAt = S.OpenedAt,
        CreditPolicy = S.Policy,
    };

    private BalanceView BalanceView() => new()
    {
        Balance = new MoneyAmount(S.BalanceMinor, S.Currency),
        CreditStatus = ((CreditStatus)(S.Credit?.Status ?? (int)CreditStatus.InCredit)).ToString(),
        LastLedgerSequence = S.LastSequence,
        Deadline = S.Credit is { } c ? CreditMapping.ToDomain(c, Currency).NextDeadline : null,
        EmergencyCreditActive = S.Credit?.EmergencyCreditActive ?? false,
        BilledEnergyWh = S.BilledEnergyWh,
    };

    private PaymentReceipt Receipt(PaymentRequestKind kind, IReadOnlyList<LedgerEntry> entries, bool replayed) => new()
    {
        AccountId = AccountId,
        PaymentId = entries[0].ExternalId ?? "",
        Kind = kind,
        Amount = new MoneyAmount(Math.Abs(entries[0].AmountMinor), entries[0].Currency),
        BalanceAfter = new MoneyAmount(entries[^1].BalanceAfterMinor, entries[^1].Currency),
        Entries = entries.Select(ToView).ToArray(),
        Replayed = replayed,
    };

    private static LedgerEntryView ToView(LedgerEntry e) => new()
    {
        Sequence = e.Sequence,
        Kind = e.Kind.ToString(),
        Amount = new MoneyAmount(e.AmountMinor, e.Currency),
        BalanceAfter = new MoneyAmount(e.BalanceAfterMinor, e.Currency),
        OccurredAt = e.OccurredAt,
        ExternalId = e.ExternalId,
        MeterId = e.MeterId,
        RegisterFromWh = e.RegisterFromWh,
        RegisterToWh = e.RegisterToWh,
        Details = e.Details,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {AccountId} opened on tariff {TariffId} in {Currency} by {OperatorId}")]
    private static partial void LogOpened(ILogger logger, string accountId, string tariffId, string currency, string operatorId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {AccountId} closed by {OperatorId}: {Reason}")]
    private static partial void LogClosed(ILogger logger, string accountId, string operatorId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {AccountId}: {Kind} {PaymentId} of {AmountMinor} minor committed; balance {BalanceMinor}")]
    private static partial void LogPayment(ILogger logger, string accountId, PaymentRequestKind kind, string paymentId, long amountMinor, long balanceMinor);

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {AccountId} replayed the ledger from sequence {From} to {To}")]
    private static partial void LogReplayed(ILogger logger, string accountId, long from, long to);

    [LoggerMessage(Level = LogLevel.Error, Message = "Account {AccountId}: ledger write failed; deactivating so the next call reloads from the ledger")]
    private static partial void LogLedgerFailed(ILogger logger, Exception exception, string accountId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId}: snapshot write failed (the ledger remains the truth)")]
    private static partial void LogSnapshotFailed(ILogger logger, Exception exception, string accountId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Account {AccountId}: publishing {Count} account event(s) failed; they are kept in the account's recent events")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, string accountId, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {AccountId}: credit {From} -> {To} ({Codes})")]
    private static partial void LogCreditStatus(ILogger logger, string accountId, CreditStatus from, CreditStatus to, string codes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId}: enforcement {What} by {OperatorId}: {Reason}")]
    private static partial void LogEnforcement(ILogger logger, string accountId, string what, string operatorId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {AccountId}: disconnect confirmation from meter {MeterId} ignored: {Why}")]
    private static partial void LogIgnoredConfirmation(ILogger logger, string accountId, string meterId, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId}: deactivated with supply orders for {Meters} meter(s) still going out")]
    private static partial void LogOrdersUnsent(ILogger logger, string accountId, int meters);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId}: usage of meter {MeterId} priced at the end of its interval: {Why}")]
    private static partial void LogRatedAtEnd(ILogger logger, string accountId, string meterId, string why);
}
