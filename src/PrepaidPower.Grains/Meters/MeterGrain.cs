using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrepaidPower.Contracts.Accounts;
using PrepaidPower.Contracts.Concentrators;
using PrepaidPower.Contracts.Errors;
using PrepaidPower.Contracts.Meters;
using PrepaidPower.Domain;
using PrepaidPower.Domain.Readings;
using PrepaidPower.Domain.Supply;
using PrepaidPower.Grains.Accounts;
using PrepaidPower.Grains.Concentrators;
using PrepaidPower.Grains.Tariffs;
using SupplyDisconnectReason = PrepaidPower.Domain.Supply.DisconnectReason;

namespace PrepaidPower.Grains.Meters;

/// <summary>
/// One meter: validates readings (VEE), delivers accepted energy to its account as continuous-position ranges, and
/// runs the supply machine. A command stays pending (and visible) until the device path confirms it; every command the
/// machine emits (new orders, retries, safety opens) is handed to the concentrator that last read this meter's relay.
/// </summary>
public sealed partial class MeterGrain(
    [PersistentState("meter", PrepaidPowerGrainOptions.MeterStorage)] IPersistentState<MeterState> store,
    IOptions<PrepaidPowerGrainOptions> options,
    ILogger<MeterGrain> logger) : Grain, IMeterGrain
{
    /// <summary>Alarm code: an arrears cut was not sent because the last meter reading is too old.</summary>
    public const string CutoffStaleReading = "SUPPLY_CUTOFF_STALE_READING";

    private readonly TimeProvider time = options.Value.Time;
    private readonly SupplyMachine supply = new(options.Value.Supply, options.Value.Time);
    private ReadingValidator? validator;

    /// <summary>Routine changes (readings, relay timestamps) not yet written; see <see cref="PrepaidPowerGrainOptions.MeterSnapshotEveryReadings"/>.</summary>
    private int unsaved;
    private bool concentratorChanged;

    /// <summary>For <see cref="IngestMetrics.CutoffLatency"/>: when the pending cut became due (monotonic timestamp; 0 = none).</summary>
    private long cutDueAt;
    private string? cutReason;
    private IAccountGrain? accountRef;

    private MeterState S => store.State;

    private string MeterId => this.GetPrimaryKeyString();

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (options.Value.SnapshotOnDeactivate && unsaved > 0 && reason.ReasonCode is not DeactivationReasonCode.ApplicationError)
        {
            try
            {
                await store.WriteStateAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Routine state only: the next activation starts from the last written state and the account's ledger.
                LogSaveFailed(logger, e, MeterId);
            }
        }
    }

    public async Task<MeterView> RegisterAsync(RegisterMeterRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(request))));
        if (S.Registered)
        {
            return S.RegisterHash == hash
                ? View()
                : throw new ConflictException(ErrorCodes.MeterExists, $"Meter '{MeterId}' is registered already with other settings; use a new meter id, or record an exchange.");
        }
        AccountGrain.CheckId(MeterId, "meter id");
        TariffGrain.RequireText(request.Model, "model");
        TariffGrain.RequireText(request.ConcentratorAddress, "concentratorAddress");
        TariffGrain.RequireText(request.OperatorId, "operatorId");
        if (request.BandNames.Count > BandRegisters.MaxBands || request.BandNames.Any(string.IsNullOrWhiteSpace) || request.BandNames.Distinct(StringComparer.Ordinal).Count() != request.BandNames.Count)
        {
            throw new InvalidRequestException(ErrorCodes.InvalidField, $"bandNames: give 0 to {BandRegisters.MaxBands} distinct names in register order, e.g. [\"peak\", \"valley\"].");
        }
        ValidationSettings settings;
        try
        {
            settings = ValidationSettings.Create(
                request.MaxPowerKilowatts,
                request.RegisterMaximumWh is { } max ? Energy.FromWattHours(max) : null,
                request.RegisterStepWh is { } step ? Energy.FromWattHours(step) : null,
                bandCount: request.BandNames.Count);
        }
        catch (ArgumentException e)
        {
            throw new InvalidRequestException(ErrorCodes.InvalidField, e.Message);
        }
        S.Registered = true;
        S.RegisterHash = hash;
        S.Model = request.Model.Trim();
        S.MaxPowerKilowatts = settings.MaxPowerKilowatts;
        S.RegisterMaximumWh = settings.RegisterMaximum.WattHours;
        S.RegisterStepWh = settings.RegisterStep.WattHours;
        S.BandNames = [.. request.BandNames];
        S.ConcentratorAddress = request.ConcentratorAddress.Trim();
        await SaveAsync();
        LogRegistered(logger, MeterId, S.Model, S.ConcentratorAddress, request.OperatorId);
        return View();
    }

    public Task<MeterView> GetAsync()
    {
        RequireRegistered();
        return Task.FromResult(View());
    }

    public async Task<MeterView> AttachAsync(AttachMeterRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireRegistered();
        TariffGrain.RequireText(request.OperatorId, "operatorId");
        AccountGrain.CheckId(request.AccountId, "account id");
        if (S.AccountId == request.AccountId)
        {
            return View();
        }
        if (S.AccountId is not null)
        {
            throw new ConflictException(ErrorCodes.MeterAttachedElsewhere, $"Meter '{MeterId}' is attached to account '{S.AccountId}'; detach it there first (nothing was changed).");
        }
        var v = S.Validation;
        long? position = v.HasBaseline ? v.PositionWh : null;
        await GrainFactory.GetGrain<IAccountGrain>(request.AccountId).AttachMeterAsync(MeterId, position);
        S.AccountId = request.AccountId;
        MarkDelivered(v);
        await SaveAsync();
        LogAttached(logger, MeterId, request.AccountId, request.OperatorId);
        return View();
    }

    public async Task<MeterView> DetachAsync(string operatorId)
    {
        RequireRegistered();
        TariffGrain.RequireText(operatorId, nameof(operatorId));
        if (S.AccountId is { } account)
        {
            await GrainFactory.GetGrain<IAccountGrain>(account).DetachMeterAsync(MeterId);
            S.AccountId = null;
            S.DeliveredWh = null;
            await SaveAsync();
        }
        return View();
    }

    public async Task<MeterView> ExchangeAsync(MeterExchangeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireRegistered();
        TariffGrain.RequireText(request.OperatorId, "operatorId");
        ExchangeStep step;
        try
        {
            var exchange = MeterExchange.Create(
                Energy.FromWattHours(request.OldFinalWh), Energy.FromWattHours(request.NewStartWh), request.At.ToUniversalTime(),
                MeterMapping.Bands(request.OldFinalBandsWh), MeterMapping.Bands(request.NewStartBandsWh));
            step = Validator().ApplyExchange(MeterMapping.ToDomain(S.Validation), exchange);
        }
        catch (ArgumentException e)
        {
            throw new InvalidRequestException(ErrorCodes.ExchangeRejected, e.Message);
        }
        catch (InvalidOperationException e)
        {
            throw new ConflictException(ErrorCodes.ExchangeRejected, e.Message);
        }
        S.Validation = MeterMapping.ToData(step.State);
        if (request.NewModel is { } model)
        {
            TariffGrain.RequireText(model, "newModel");
            S.Model = model.Trim();
        }
        S.Held.Clear();
        await SaveAsync();
        LogExchanged(logger, MeterId, request.OldFinalWh, request.NewStartWh, request.OperatorId);
        await DeliverAsync(Stopwatch.GetTimestamp());
        return View();
    }

    public async Task<ReadingResult> ReportReadingAsync(ReadingReport reading)
    {
        ArgumentNullException.ThrowIfNull(reading);
        var receivedAt = Stopwatch.GetTimestamp();
        RequireRegistered();
        MeterReading raw;
        try
        {
            raw = MeterReading.Create(reading.MeterTime.ToUniversalTime(), reading.ReceivedAt.ToUniversalTime(), Energy.FromWattHours(reading.TotalWh), MeterMapping.Bands(reading.BandsWh));
        }
        catch (ArgumentException e)
        {
            throw new InvalidRequestException(ErrorCodes.InvalidField, e.Message);
        }
        var step = Validator().Validate(MeterMapping.ToDomain(S.Validation), raw);
        S.Validation = MeterMapping.ToData(step.State);
        var result = step.Result;
        if (result.Outcome != ReadingOutcome.Held && (S.LastReadAt is null || raw.ReceivedAt > S.LastReadAt))
        {
            S.LastReadAt = raw.ReceivedAt;
        }
        if (result.Outcome == ReadingOutcome.Held)
        {
            S.Held.Add(new HeldReading { Reading = reading, Reason = result.Reason.ToString(), Flags = result.Flags.ToString(), HeldAt = time.GetUtcNow() });
            if (S.Held.Count > IMeterGrain.MaxHeldReadings)
            {
                S.Held.RemoveAt(0);
            }
            LogHeld(logger, MeterId, reading.TotalWh, result.Reason, result.Flags);
        }
        // Held readings and the first delivered position are written at once; a routine reading waits for the
        // snapshot interval (the account's ledger-backed position makes a lost one harmless).
        var mustSave = result.Outcome == ReadingOutcome.Held;
        if (S.DeliveredWh is null && S.AccountId is not null && S.Validation.HasBaseline && result.Outcome != ReadingOutcome.Accepted)
        {
            MarkDelivered(S.Validation);
            mustSave = true;
        }
        var billed = await DeliverAsync(receivedAt);
        await (mustSave ? SaveAsync() : SaveRoutineAsync());
        return new ReadingResult
        {
            Outcome = result.Outcome.ToString(),
            HoldReason = result.Reason.ToString(),
            Flags = result.Flags.ToString(),
            BilledWh = billed?.BilledWh ?? 0,
            ChargedMinor = billed?.ChargedMinor ?? 0,
            PositionWh = S.Validation.PositionWh,
        };
    }

    public Task<IReadOnlyList<HeldReading>> GetHeldReadingsAsync()
    {
        RequireRegistered();
        return Task.FromResult<IReadOnlyList<HeldReading>>(S.Held.ToArray());
    }

    public Task<SupplyView> GetSupplyAsync()
    {
        RequireRegistered();
        return Task.FromResult(SupplyView());
    }

    public async Task<SupplyView> ApplySupplyOrderAsync(SupplyOrderRequest order)
    {
        ArgumentNullException.ThrowIfNull(order);
        RequireRegistered();
        await ApplyOrdersAsync([order], Stopwatch.GetTimestamp());
        return SupplyView();
    }

    public async Task<SupplyView> ConfirmCommandAsync(Guid commandId, RelayReading observed)
    {
        ArgumentNullException.ThrowIfNull(observed);
        RequireRegistered();
        LearnConcentrator(observed.ConcentratorId);
        var before = MeterMapping.ToDomain(S.Supply);
        var wasOpening = before.Pending is { Kind: SupplyCommandKind.Open } p && p.Id == commandId;
        var next = await ApplyAsync(new SupplyTrigger.Confirmed(commandId, MeterMapping.ToRelay(observed)));
        if (wasOpening && next.Status == SupplyStatus.Disconnected && cutDueAt != 0)
        {
            IngestMetrics.CutoffLatency.Record(Stopwatch.GetElapsedTime(cutDueAt).TotalMilliseconds, new KeyValuePair<string, object?>("reason", cutReason));
            cutDueAt = 0;
        }
        if (wasOpening && next.Status == SupplyStatus.Disconnected && S.AccountId is { } account)
        {
            var orders = await GrainFactory.GetGrain<IAccountGrain>(account).DisconnectConfirmedAsync(MeterId);
            await ApplyOrdersAsync(orders, Stopwatch.GetTimestamp());
        }
        return SupplyView();
    }

    public async Task<SupplyView> CommandTimedOutAsync(Guid commandId)
    {
        RequireRegistered();
        if (commandId == Guid.Empty)
        {
            throw new InvalidRequestException(ErrorCodes.InvalidField, "commandId: give the id of the pending command that timed out; Guid.Empty is not one.");
        }
        await ApplyAsync(new SupplyTrigger.Timeout(commandId));
        return SupplyView();
    }

    public async Task<MeterPollResult> ReportPollAsync(MeterPoll poll)
    {
        ArgumentNullException.ThrowIfNull(poll);
        var view = poll.Relay is { } relay ? await ReportRelayStatusAsync(relay) : null;
        return new MeterPollResult { Reading = await ReportReadingAsync(poll.Reading), Supply = view };
    }

    public async Task<SupplyView> ReportRelayStatusAsync(RelayReading observed)
    {
        ArgumentNullException.ThrowIfNull(observed);
        RequireRegistered();
        LearnConcentrator(observed.ConcentratorId);
        await ApplyAsync(new SupplyTrigger.StatusObserved(MeterMapping.ToRelay(observed)));
        return SupplyView();
    }

    public async Task<SupplyView> ReportSafetyEventAsync(SafetyEventType type)
    {
        RequireRegistered();
        var kind = type switch
        {
            SafetyEventType.ArcFault => SafetyEventKind.ArcFault,
            SafetyEventType.ResidualCurrent => SafetyEventKind.ResidualCurrent,
            SafetyEventType.OverTemperature => SafetyEventKind.OverTemperature,
            SafetyEventType.Overload => SafetyEventKind.Overload,
            _ => throw new InvalidRequestException(ErrorCodes.InvalidField, $"Safety event type {(int)type} is unknown; use ArcFault, ResidualCurrent, OverTemperature or Overload."),
        };
        await ApplyAsync(new SupplyTrigger.SafetyEvent(kind, Guid.NewGuid()));
        if (S.AccountId is { } account)
        {
            var orders = await GrainFactory.GetGrain<IAccountGrain>(account).SafetyTrippedAsync(MeterId, kind.ToString());
            await ApplyOrdersAsync(orders, Stopwatch.GetTimestamp());
        }
        return SupplyView();
    }

    public async Task<SupplyView> ClearSafetyAsync(string operatorId)
    {
        RequireRegistered();
        TariffGrain.RequireText(operatorId, nameof(operatorId));
        if (MeterMapping.ToDomain(S.Supply).Status != SupplyStatus.SafetyTripped)
        {
            return SupplyView();
        }
        try
        {
            await ApplyAsync(new SupplyTrigger.ClearSafety(operatorId));
        }
        catch (InvalidSupplyTransitionException e)
        {
            throw new ConflictException(ErrorCodes.InvalidTransition, e.Message);
        }
        return SupplyView();
    }

    /// <summary>Sends the accepted energy not yet delivered to the account, and applies the orders it returns.</summary>
    /// <param name="receivedAt">When the reading (or exchange) that led here arrived: a cut it causes is timed from then.</param>
    private async Task<UsageBilled?> DeliverAsync(long receivedAt)
    {
        var v = S.Validation;
        if (S.AccountId is not { } account || !v.HasBaseline)
        {
            return null;
        }
        if (S.DeliveredWh is not { } delivered)
        {
            MarkDelivered(v);
            await SaveAsync();
            return null;
        }
        if (v.PositionWh <= delivered)
        {
            return null;
        }
        var bandEnergies = S.DeliveredBandsWh.Count == v.BandPositionsWh.Count
            ? v.BandPositionsWh.Select((p, i) => p - S.DeliveredBandsWh[i]).ToArray()
            : [];
        var report = new UsageReport
        {
            MeterId = MeterId,
            FromWh = delivered,
            ToWh = v.PositionWh,
            PeriodStart = S.DeliveredAt,
            PeriodEnd = v.ReceivedAt,
            BandNames = bandEnergies.Length > 0 ? S.BandNames.ToArray() : [],
            BandEnergiesWh = bandEnergies,
            FromRegisterWh = S.DeliveredRegisterWh,
            ToRegisterWh = v.RegisterWh,
        };
        // If this call fails the range stays undelivered; the next reading sends it again together with the new energy.
        var billed = await Account(account).BillUsageAsync(report);
        MarkDelivered(v);
        MarkUnsaved();
        await ApplyOrdersAsync(billed.Orders, receivedAt);
        return billed;
    }

    private void MarkDelivered(ValidationData v)
    {
        if (!v.HasBaseline)
        {
            S.DeliveredWh = null;
            return;
        }
        S.DeliveredWh = v.PositionWh;
        S.DeliveredBandsWh = [.. v.BandPositionsWh];
        S.DeliveredAt = v.ReceivedAt;
        S.DeliveredRegisterWh = v.RegisterWh;
    }

    /// <summary>Applies the account's supply orders to this meter's supply machine (an arrears cut only on fresh data).</summary>
    /// <param name="orders">The orders, in the account's order.</param>
    /// <param name="dueAt">Monotonic timestamp of the event that made these orders due (for the cutoff latency).</param>
    private async Task ApplyOrdersAsync(IReadOnlyList<SupplyOrderRequest> orders, long dueAt)
    {
        foreach (var order in orders)
        {
            var id = Guid.NewGuid();
            SupplyTrigger trigger;
            try
            {
                trigger = order.Kind switch
                {
                    SupplyOrderKind.Limit => new SupplyTrigger.RequestLimit(PowerLimit.FromKilowatts(order.LimitKilowatts ?? 0), id),
                    SupplyOrderKind.DisconnectArrears => new SupplyTrigger.RequestDisconnect(id, SupplyDisconnectReason.Arrears),
                    SupplyOrderKind.DisconnectEnforcement => new SupplyTrigger.RequestDisconnect(id, SupplyDisconnectReason.Enforcement),
                    SupplyOrderKind.Reconnect => new SupplyTrigger.RequestReconnect(id),
                    _ => throw new InvalidRequestException(ErrorCodes.InvalidField, $"Supply order kind {(int)order.Kind} is unknown."),
                };
            }
            catch (ArgumentException e)
            {
                throw new InvalidRequestException(ErrorCodes.InvalidField, e.Message);
            }
            if (order.Kind == SupplyOrderKind.DisconnectArrears && !IsReadingFresh())
            {
                // Never cut on stale data: the balance that led to this cut may not include what the meter used since.
                var last = S.LastReadAt is { } at ? $"last read at {at:O}" : "never read";
                LogAlarm(logger, MeterId, CutoffStaleReading, AlarmSeverity.Warning,
                    $"Arrears cutoff not sent: meter reading {last}, older than {options.Value.Supply.MaxStatusAgeForCutoff}. Read the meter, then order again.");
                continue;
            }
            try
            {
                S.LastOrderReason = order.Reason;
                var next = await ApplyAsync(trigger);
                if (order.Kind is SupplyOrderKind.DisconnectArrears or SupplyOrderKind.DisconnectEnforcement && next.Pending is { Kind: SupplyCommandKind.Open })
                {
                    cutDueAt = dueAt;
                    cutReason = order.Kind == SupplyOrderKind.DisconnectArrears ? "arrears" : "enforcement";
                }
            }
            catch (InvalidSupplyTransitionException e)
            {
                // E.g. a reconnect for a meter that was never cut, or any order while safety-tripped: the machine says no.
                LogOrderRejected(logger, MeterId, order.Kind, e.Message);
            }
        }
    }

    private async Task<SupplyState> ApplyAsync(SupplyTrigger trigger)
    {
        var before = MeterMapping.ToDomain(S.Supply);
        var transition = supply.Apply(before, trigger);
        S.Supply = MeterMapping.ToData(transition.Next);
        var routine = !concentratorChanged && transition.Commands.Count == 0 && transition.Alarms.Count == 0
            && transition.Events.All(e => e.Code == SupplyCodes.StatusRecorded)
            && before with { LastStatusAt = transition.Next.LastStatusAt } == transition.Next;
        if (routine)
        {
            // A relay read that only refreshes its timestamp: an older one after a crash only makes a cut wait for a fresh read.
            MarkUnsaved();
        }
        else
        {
            await SaveAsync();
        }
        foreach (var command in transition.Commands)
        {
            await HandOverAsync(command, transition.Next);
        }
        foreach (var alarm in transition.Alarms)
        {
            LogAlarm(logger, MeterId, alarm.Code, alarm.Severity, alarm.Message);
        }
        foreach (var e in transition.Events)
        {
            // A routine relay read that matched is every meter's every poll: kept out of the information log.
            if (e.Code == SupplyCodes.StatusRecorded)
            {
                LogStatusRecorded(logger, MeterId, e.Detail);
            }
            else
            {
                LogSupplyEvent(logger, MeterId, e.Code, e.From, e.To, e.Detail);
            }
        }
        return transition.Next;
    }

    /// <summary>
    /// Hands a command to the concentrator that reads this meter. A failure is logged, not thrown: the command stays
    /// pending in the state, the concentrator picks it up from the next relay status it reports, and the machine's
    /// timeout retries it.
    /// </summary>
    private async Task HandOverAsync(SupplyCommand command, SupplyState next)
    {
        if (S.ConcentratorId is not { } concentrator)
        {
            LogNoConcentrator(logger, MeterId, command.Id);
            return;
        }
        var priority = CommandPriorities.For(
            safetyTripped: next.Status == SupplyStatus.SafetyTripped,
            (SupplyCommandType)(int)command.Kind,
            enforcement: S.LastOrderReason?.StartsWith("enforcement", StringComparison.Ordinal) == true,
            relaySeenOpen: next.LastStatus is { Position: RelayPosition.Open },
            relayLimitWatts: next.LastStatus?.Limit?.Watts,
            limitWatts: command.Limit?.Watts);
        try
        {
            await GrainFactory.GetGrain<IConcentratorGrain>(concentrator).SubmitCommandAsync(new ConcentratorCommand
            {
                MeterId = MeterId,
                CommandId = command.Id,
                Kind = (SupplyCommandType)(int)command.Kind,
                LimitWatts = command.Limit?.Watts,
                Attempt = command.Attempt,
                NextRetryAt = next.Pending?.NextRetryAt ?? time.GetUtcNow(),
                Priority = priority,
            });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogHandOverFailed(logger, e, MeterId, command.Id, concentrator);
        }
    }

    private void LearnConcentrator(string? concentratorId)
    {
        if (!string.IsNullOrWhiteSpace(concentratorId) && concentratorId != S.ConcentratorId)
        {
            // Persisted with the supply state that follows; the meter may have moved to another concentrator.
            S.ConcentratorId = concentratorId;
            concentratorChanged = true;
        }
    }

    private bool IsReadingFresh()
    {
        if (S.LastReadAt is not { } at)
        {
            return false;
        }
        var age = time.GetUtcNow() - at;
        return age >= TimeSpan.Zero && age <= options.Value.Supply.MaxStatusAgeForCutoff;
    }

    /// <summary>The attached account's grain, resolved once per attachment (a reference lookup per reading is measurable).</summary>
    private IAccountGrain Account(string accountId)
    {
        if (accountRef is not { } cached || cached.GetPrimaryKeyString() != accountId)
        {
            accountRef = cached = GrainFactory.GetGrain<IAccountGrain>(accountId);
        }
        return cached;
    }

    /// <summary>Writes the state now (every change that is not routine).</summary>
    private async Task SaveAsync()
    {
        await store.WriteStateAsync();
        unsaved = 0;
        concentratorChanged = false;
    }

    /// <summary>Counts one routine reading and writes the state every <see cref="PrepaidPowerGrainOptions.MeterSnapshotEveryReadings"/>.</summary>
    private Task SaveRoutineAsync() => ++unsaved >= options.Value.MeterSnapshotEveryReadings ? SaveAsync() : Task.CompletedTask;

    private void MarkUnsaved() => unsaved = Math.Max(unsaved, 1);

    private ReadingValidator Validator() => validator ??= new ReadingValidator(
        ValidationSettings.Create(S.MaxPowerKilowatts, Energy.FromWattHours(S.RegisterMaximumWh), Energy.FromWattHours(S.RegisterStepWh), bandCount: S.BandNames.Count),
        time);

    private void RequireRegistered()
    {
        if (!S.Registered)
        {
            throw new NotFoundException(ErrorCodes.MeterNotFound, $"Meter '{MeterId}' is not registered; register it first.");
        }
    }

    private SupplyView SupplyView() => MeterMapping.View(MeterMapping.ToDomain(S.Supply), S.LastOrderReason);

    private MeterView View() => new()
    {
        MeterId = MeterId,
        Model = S.Model,
        MaxPowerKilowatts = S.MaxPowerKilowatts,
        RegisterMaximumWh = S.RegisterMaximumWh,
        BandNames = S.BandNames.ToArray(),
        ConcentratorAddress = S.ConcentratorAddress,
        AccountId = S.AccountId,
        LastRegisterWh = S.Validation.HasBaseline ? S.Validation.RegisterWh : null,
        PositionWh = S.Validation.HasBaseline ? S.Validation.PositionWh : null,
        Supply = SupplyView(),
        HeldReadingCount = S.Held.Count,
        ExchangeCount = S.Validation.ExchangeCount,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Meter {MeterId} ({Model}) registered at {Address} by {OperatorId}")]
    private static partial void LogRegistered(ILogger logger, string meterId, string model, string address, string operatorId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Meter {MeterId} attached to account {AccountId} by {OperatorId}")]
    private static partial void LogAttached(ILogger logger, string meterId, string accountId, string operatorId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Meter {MeterId} exchanged: old final {OldFinalWh} Wh, new start {NewStartWh} Wh, by {OperatorId}")]
    private static partial void LogExchanged(ILogger logger, string meterId, long oldFinalWh, long newStartWh, string operatorId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Meter {MeterId}: reading {TotalWh} Wh held ({Reason}; {Flags})")]
    private static partial void LogHeld(ILogger logger, string meterId, long totalWh, HoldReason reason, ReadingFlags flags);

    [LoggerMessage(Level = LogLevel.Information, Message = "Meter {MeterId}: supply order {Kind} not applied: {Why}")]
    private static partial void LogOrderRejected(ILogger logger, string meterId, SupplyOrderKind kind, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Meter {MeterId}: supply alarm {Code} ({Severity}): {Message}")]
    private static partial void LogAlarm(ILogger logger, string meterId, string code, AlarmSeverity severity, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Meter {MeterId}: command {CommandId} waits: no concentrator has read this meter yet")]
    private static partial void LogNoConcentrator(ILogger logger, string meterId, Guid commandId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Meter {MeterId}: handing command {CommandId} to concentrator {ConcentratorId} failed; it stays pending")]
    private static partial void LogHandOverFailed(ILogger logger, Exception exception, string meterId, Guid commandId, string concentratorId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Meter {MeterId}: writing the routine state on deactivation failed; the next activation starts from the last written state")]
    private static partial void LogSaveFailed(ILogger logger, Exception exception, string meterId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Meter {MeterId}: {Detail}")]
    private static partial void LogStatusRecorded(ILogger logger, string meterId, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Meter {MeterId}: {Code} {From} -> {To} {Detail}")]
    private static partial void LogSupplyEvent(ILogger logger, string meterId, string code, SupplyStatus from, SupplyStatus to, string detail);
}
