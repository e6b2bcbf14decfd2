using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrepaidPower.Contracts.Concentrators;
using PrepaidPower.Contracts.Errors;
using PrepaidPower.Contracts.Meters;
using PrepaidPower.Grains.Accounts;
using PrepaidPower.Grains.Tariffs;
using PrepaidPower.Modbus;
using PrepaidPower.Modbus.Profiles;

namespace PrepaidPower.Grains.Concentrators;

/// <summary>
/// One data concentrator: a poll loop on a grain timer that reads every mapped meter through one
/// <see cref="ModbusTcpClient"/> (several meters per request where the layout allows), decodes the registers strictly,
/// and reports relay status, safety events and readings to the meter grains with bounded concurrency; and a priority
/// queue of supply commands, each attempt written once and confirmed by reading the relay back. Retries and giving up
/// belong to the meter's supply machine: the concentrator executes, reports what it read, and reports timeouts.
/// A keep-alive reminder reactivates a registered concentrator after a restart or a silo failure; the activation then
/// restarts its timer.
/// </summary>
public sealed partial class ConcentratorGrain(
    [PersistentState("concentrator")] IPersistentState<ConcentratorState> store,
    IOptions<PrepaidPowerGrainOptions> grainOptions,
    IOptions<ConcentratorOptions> concentratorOptions,
    DeviceProfileCatalog catalog,
    ILogger<ConcentratorGrain> logger) : Grain, IConcentratorGrain, IRemindable
{
    /// <summary>The one reminder of a registered concentrator; it only reactivates the grain.</summary>
    public const string KeepAliveReminder = "concentrator-keepalive";

    private const int AlarmCapacity = 32;
    private const int SafetyMask = (1 << (int)MeterEvent.ArcFault) | (1 << (int)MeterEvent.ResidualCurrent)
        | (1 << (int)MeterEvent.OverTemperature) | (1 << (int)MeterEvent.Overload);

    private readonly TimeProvider time = grainOptions.Value.Time;
    private readonly ConcentratorOptions settings = Validated(concentratorOptions.Value);
    private readonly CommandQueue queue = new();
    private readonly ConcentratorHealthTracker health = new();
    private readonly List<ConcentratorAlarm> alarms = [];
    private readonly Tally counters = new();

    /// <summary>Meter confirmations in flight: the next command is written without waiting for the last one's.</summary>
    private readonly List<Task> confirmations = [];

    /// <summary>Command ids whose confirmation is in flight (their timeout is not reported meanwhile).</summary>
    private readonly HashSet<Guid> confirming = [];
    private SemaphoreSlim? confirmWindow;

    private DateTimeOffset countersSince;
    private RegisterPlan? plan;
    private ModbusTcpClient? client;
    private long reconnectsOfEarlierClients;
    private IGrainTimer? pollTimer;
    private IGrainTimer? commandTimer;
    private SlotMemory[] memory = [];
    private ushort[] holding = [];
    private ushort[] input = [];
    private ConcentratorHealth reportedHealth = ConcentratorHealth.Offline;
    private bool polling;

    private ConcentratorState S => store.State;

    private string Id => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        countersSince = time.GetUtcNow();
        if (S.Registered)
        {
            await ConfigureAsync();
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await DrainConfirmationsAsync();
        await DisposeClientAsync();
    }

    public async Task<ConcentratorStatus> RegisterAsync(ConcentratorRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(registration);
        var valid = Validate(registration);
        if (S.Registered && SameAs(valid))
        {
            return Status();
        }

        S.Registered = true;
        S.Endpoint = valid.Endpoint;
        S.Layout = valid.Layout;
        S.ProfileId = valid.ProfileId;
        S.PollPeriod = valid.PollPeriod;
        S.RequestTimeout = valid.RequestTimeout;
        S.Bands = [.. valid.Bands];
        S.Meters = [.. valid.Meters];
        S.RegisteredBy = registration.OperatorId.Trim();
        S.RegisteredAt = time.GetUtcNow();
        await store.WriteStateAsync();
        await this.RegisterOrUpdateReminder(KeepAliveReminder, settings.KeepAliveReminderPeriod, settings.KeepAliveReminderPeriod);
        queue.Clear();
        await ConfigureAsync();
        LogRegistered(logger, Id, S.Endpoint, S.Layout, S.ProfileId, S.Meters.Count, S.PollPeriod, S.RegisteredBy);
        return Status();
    }

    public async Task UnregisterAsync(string operatorId)
    {
        TariffGrain.RequireText(operatorId, nameof(operatorId));
        if (!S.Registered)
        {
            return;
        }

        pollTimer?.Dispose();
        pollTimer = null;
        queue.Clear();
        plan = null;
        await DisposeClientAsync();
        if (await this.GetReminder(KeepAliveReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        await store.ClearStateAsync();
        LogUnregistered(logger, Id, operatorId);
        DeactivateOnIdle();
    }

    public Task<ConcentratorStatus> GetStatusAsync()
    {
        RequireRegistered();
        return Task.FromResult(Status());
    }

    public async Task<PollSummary> PollNowAsync()
    {
        RequireRegistered();
        return await PollAsync();
    }

    public Task SubmitCommandAsync(ConcentratorCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (!S.Registered || plan is null)
        {
            throw new NotFoundException(ConcentratorErrorCodes.ConcentratorNotFound, $"Concentrator '{Id}' is not registered (or its device profile is missing); register it before sending it commands.");
        }

        if (!plan.TryLocate(command.MeterId, out _))
        {
            throw new NotFoundException(ConcentratorErrorCodes.MeterNotOnConcentrator, $"Meter '{command.MeterId}' is not on concentrator '{Id}'; add it to the concentrator's meter map.");
        }

        if (command.CommandId == Guid.Empty || !Enum.IsDefined(command.Kind) || command.Attempt < 1 || !Enum.IsDefined(command.Priority))
        {
            throw new InvalidRequestException(ErrorCodes.InvalidField, $"Command for meter '{command.MeterId}' needs a command id, a kind (SetLimit, Open, Close), an attempt from 1 and a priority.");
        }

        if (queue.Upsert(command) && !polling)
        {
            // Run it now rather than at the next poll: a reconnect after a top-up must not wait a poll period.
            commandTimer?.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }

        return Task.CompletedTask;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // Being activated is the point: OnActivateAsync has restarted the poll timer. A reminder left behind by an
        // unregistered concentrator is removed.
        if (reminderName == KeepAliveReminder && !S.Registered && await this.GetReminder(KeepAliveReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    // ---------------- Polling ----------------

    private async Task PollTickAsync(CancellationToken cancellationToken)
    {
        try
        {
            await PollAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Nothing may stop the loop: the next tick polls again.
            LogPollFailed(logger, e, Id);
        }
    }

    private async Task CommandTickAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RunCommandsAsync(new PollTally());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogPollFailed(logger, e, Id);
        }
        finally
        {
            await DrainConfirmationsAsync();
        }
    }

    private async Task<PollSummary> PollAsync()
    {
        if (plan is not { } p || client is null)
        {
            return new PollSummary { Health = Evaluate().Health.ToString() };
        }

        polling = true;
        var tally = new PollTally();
        try
        {
            counters.Polls++;
            await RunCommandsAsync(tally);
            // A window of reports in flight: the ledger commits charges in groups, so a wide window makes big groups.
            using var window = new SemaphoreSlim(settings.MaxConcurrentReports);
            var inflight = new List<Task>(p.Meters.Length);
            var transportFailures = 0;
            var aborted = false;
            foreach (var group in p.Groups)
            {
                if (aborted || plan != p)
                {
                    tally.Skipped += group.Meters.Length;
                    continue;
                }

                var result = await ReadGroupAsync(group);
                if (!result.IsSuccess)
                {
                    tally.Failed += group.Meters.Length;
                    transportFailures = IsTransportFailure(result) ? transportFailures + 1 : 0;
                    LogReadFailed(logger, Id, group.UnitId, group.Meters[0].Slot, group.Meters.Length, result.ToString());
                    if (transportFailures >= settings.AbortPollAfterTransportFailures)
                    {
                        aborted = true;
                        counters.PollsAborted++;
                    }

                    continue;
                }

                transportFailures = 0;
                var at = time.GetUtcNow();
                var readAt = Stopwatch.GetTimestamp();
                foreach (var meter in group.Meters)
                {
                    if (!TryDecode(p, group, meter, out var sample, out var error))
                    {
                        counters.DecodeErrors++;
                        tally.Failed++;
                        LogDecodeError(logger, Id, meter.MeterId, error);
                        continue;
                    }

                    if (IsFrozen(meter.Index, sample, at))
                    {
                        counters.StaleReads++;
                        tally.Failed++;
                        continue;
                    }

                    counters.Reads++;
                    tally.Read++;
                    await window.WaitAsync();
                    inflight.Add(ReportInWindowAsync(window, meter, sample, at, readAt, tally));
                }

                if (queue.HasWaiting)
                {
                    await RunCommandsAsync(tally);
                }
            }

            await Task.WhenAll(inflight);
            await RunCommandsAsync(tally);
            await DrainConfirmationsAsync();
            counters.ReadsSkipped += tally.Skipped;
            health.RecordPoll(time.GetUtcNow(), tally.Read, tally.Failed + tally.Skipped);
            var (now, _) = RaiseHealthAlarm();
            return new PollSummary
            {
                Meters = p.Meters.Length,
                Read = tally.Read,
                Failed = tally.Failed,
                Skipped = tally.Skipped,
                ReadingsReported = tally.Reported,
                CommandsExecuted = tally.Commands,
                Health = now.ToString(),
            };
        }
        finally
        {
            polling = false;
        }
    }

    private async ValueTask<ModbusResult> ReadGroupAsync(ReadGroup group)
    {
        foreach (var request in group.Requests)
        {
            var destination = request.Kind == RegisterKind.Holding
                ? holding.AsMemory(request.Address - group.HoldingStart, request.Count)
                : input.AsMemory(request.Address - group.InputStart, request.Count);
            counters.Requests++;
            var result = request.Kind == RegisterKind.Holding
                ? await client!.ReadHoldingRegistersAsync(group.UnitId, request.Address, destination)
                : await client!.ReadInputRegistersAsync(group.UnitId, request.Address, destination);
            if (!result.IsSuccess)
            {
                Count(result);
                return result;
            }
        }

        return ModbusResult.Success;
    }

    private bool TryDecode(RegisterPlan p, ReadGroup group, MeterLocation meter, out MeterSample sample, out string error) =>
        MeterDecoder.TryDecode(
            p,
            new RegisterWindow(holding.AsSpan(0, group.HoldingLength), group.HoldingStart, input.AsSpan(0, group.InputLength), group.InputStart),
            meter.BaseAddress,
            out sample,
            out error);

    /// <summary>True when the meter clock stands still while the domain clock moved on: the registers are frozen.</summary>
    private bool IsFrozen(int index, MeterSample sample, DateTimeOffset at)
    {
        if (sample.ClockRaw is not { } raw)
        {
            return false;
        }

        ref var m = ref memory[index];
        if (!m.ClockKnown || raw != m.ClockRaw)
        {
            m.ClockKnown = true;
            m.ClockRaw = raw;
            m.ClockChangedAt = at;
            return false;
        }

        return at - m.ClockChangedAt >= settings.FrozenClockAfter;
    }

    private async Task ReportInWindowAsync(SemaphoreSlim window, MeterLocation meter, MeterSample sample, DateTimeOffset at, long readAt, PollTally tally)
    {
        try
        {
            await ReportAsync(meter, sample, at, readAt, tally);
        }
        finally
        {
            window.Release();
        }
    }

    /// <summary>
    /// Relay status first (so a cut caused by this reading sees a fresh status), then safety, then the reading: one
    /// call when no flag has risen (the routine case), separate calls when one has.
    /// </summary>
    private async Task ReportAsync(MeterLocation meter, MeterSample sample, DateTimeOffset at, long readAt, PollTally tally)
    {
        var grain = memory[meter.Index].Grain ??= GrainFactory.GetGrain<IMeterGrain>(meter.MeterId);
        try
        {
            var relay = sample.RelayClosed is { } closed
                ? new RelayReading
                {
                    Closed = closed,
                    LimitKilowatts = closed && sample.LimitWatts is { } w ? w / 1000m : null,
                    At = at,
                    ConcentratorId = Id,
                }
                : null;
            var reading = new ReadingReport
            {
                MeterTime = sample.MeterTime ?? at,
                ReceivedAt = at,
                TotalWh = sample.TotalWh,
                BandsWh = sample.BandsWh,
            };
            var known = memory[meter.Index];
            SupplyView? view;
            if (known.FlagsKnown && (sample.Events & ~known.Flags) == 0)
            {
                memory[meter.Index].Flags = sample.Events;
                view = (await grain.ReportPollAsync(new MeterPoll { Relay = relay, Reading = reading })).Supply;
            }
            else
            {
                view = relay is null ? null : await grain.ReportRelayStatusAsync(relay);
                await ReportEventsAsync(meter, sample, view, grain);
                await grain.ReportReadingAsync(reading);
            }

            IngestMetrics.ReadingLag.Record(Stopwatch.GetElapsedTime(readAt).TotalMilliseconds);
            counters.ReadingsReported++;
            tally.Reported++;
            if (view?.Pending is not null)
            {
                PullPending(meter, view);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            counters.ReportFailures++;
            ref var m = ref memory[meter.Index];
            if (!m.ReportFailureRaised)
            {
                m.ReportFailureRaised = true;
                Alarm(e is NotFoundException ? "METER_NOT_REGISTERED" : "METER_REPORT_FAILED", "Warning", meter.MeterId,
                    $"Reporting to meter '{meter.MeterId}' failed: {e.Message}");
            }

            LogReportFailed(logger, e, Id, meter.MeterId);
        }
    }

    /// <summary>
    /// A safety flag that has just appeared trips the meter (once; the meter keeps the trip sticky). Flags already
    /// latched when this activation first read the meter trip it only if it is not tripped already. Tamper and cover
    /// open raise an alarm here; they do not switch anything.
    /// </summary>
    private async Task ReportEventsAsync(MeterLocation meter, MeterSample sample, SupplyView? view, IMeterGrain grain)
    {
        ref var m = ref memory[meter.Index];
        var risen = m.FlagsKnown ? sample.Events & ~m.Flags : sample.Events;
        m.Flags = sample.Events;
        m.FlagsKnown = true;
        foreach (var notice in new[] { MeterEvent.Tamper, MeterEvent.CoverOpen })
        {
            if ((risen & (1 << (int)notice)) != 0)
            {
                Alarm(notice == MeterEvent.Tamper ? "METER_TAMPER" : "METER_COVER_OPEN", "Warning", meter.MeterId, $"Meter '{meter.MeterId}' reports {notice}.");
            }
        }

        if ((risen & SafetyMask) == 0 || view?.Status == "SafetyTripped")
        {
            return;
        }

        var first = new[] { MeterEvent.ArcFault, MeterEvent.ResidualCurrent, MeterEvent.OverTemperature, MeterEvent.Overload }
            .First(e => (risen & (1 << (int)e)) != 0);
        var type = first switch
        {
            MeterEvent.ArcFault => SafetyEventType.ArcFault,
            MeterEvent.ResidualCurrent => SafetyEventType.ResidualCurrent,
            MeterEvent.OverTemperature => SafetyEventType.OverTemperature,
            _ => SafetyEventType.Overload,
        };
        await grain.ReportSafetyEventAsync(type);
        counters.SafetyEventsReported++;
        Alarm("METER_SAFETY_EVENT", "Critical", meter.MeterId, $"Meter '{meter.MeterId}' reports {first}; supply tripped.");
    }

    /// <summary>The safety net for lost hand-overs (e.g. this activation is new): a pending command seen in a status report is queued.</summary>
    private void PullPending(MeterLocation meter, SupplyView view)
    {
        var p = view.Pending!;
        if (!Enum.TryParse<SupplyCommandType>(p.Kind, out var kind))
        {
            return;
        }

        var limitWatts = p.LimitKilowatts is { } kw ? (int)(kw * 1000m) : (int?)null;
        // The view gives the last relay read as text ("open", "closed", "closed, limited to …"): a limit raise is not
        // seen here, only a limit on an open relay. The meter's own hand-over, which normally comes first, sees both.
        var priority = CommandPriorities.For(
            safetyTripped: view.Status == "SafetyTripped",
            kind,
            enforcement: view.LastOrderReason?.StartsWith("enforcement", StringComparison.Ordinal) == true,
            relaySeenOpen: view.LastStatus == "open",
            relayLimitWatts: null,
            limitWatts);
        var command = new ConcentratorCommand
        {
            MeterId = meter.MeterId,
            CommandId = p.CommandId,
            Kind = kind,
            LimitWatts = limitWatts,
            Attempt = p.Attempts,
            NextRetryAt = p.NextRetryAt,
            Priority = priority,
        };
        if (queue.Upsert(command) && !polling)
        {
            commandTimer?.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    // ---------------- Commands ----------------

    /// <summary>Reports due timeouts to the meters, then writes every waiting command in priority order.</summary>
    private async Task RunCommandsAsync(PollTally tally)
    {
        if (plan is null || client is null)
        {
            return;
        }

        foreach (var due in queue.DueTimeouts(time.GetUtcNow()))
        {
            var c = due.Command;
            if (confirming.Contains(c.CommandId))
            {
                // Read back already; the meter settles it when the confirmation lands.
                continue;
            }

            try
            {
                var view = await GrainFactory.GetGrain<IMeterGrain>(c.MeterId).CommandTimedOutAsync(c.CommandId);
                counters.CommandTimeouts++;
                Alarm("COMMAND_UNCONFIRMED", "Warning", c.MeterId, $"{c.Kind} command {c.CommandId} (attempt {c.Attempt}) for meter '{c.MeterId}' not confirmed by {c.NextRetryAt:O}; handed back to the meter's supply machine.");
                if (view.Pending is { } p && p.CommandId == c.CommandId)
                {
                    if (p.Attempts > c.Attempt)
                    {
                        queue.Upsert(c with { Attempt = p.Attempts, NextRetryAt = p.NextRetryAt });
                    }
                }
                else
                {
                    queue.Remove(c.MeterId, c.CommandId);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                counters.ReportFailures++;
                LogReportFailed(logger, e, Id, c.MeterId);
            }
        }

        while (queue.NextToExecute() is { } next)
        {
            if (!await ExecuteAsync(next, tally))
            {
                // The device path is down: the rest waits for the next poll (or times out through the machine).
                break;
            }
        }
    }

    /// <summary>Writes one attempt and reads the relay back. False when the device path failed at the transport level.</summary>
    private async Task<bool> ExecuteAsync(QueuedCommand queued, PollTally tally)
    {
        var c = queued.Command;
        if (plan is not { } p || !p.TryLocate(c.MeterId, out var meter))
        {
            queue.Forget(c.MeterId);
            return true;
        }

        queue.MarkExecuted(queued);
        counters.CommandsExecuted++;
        tally.Commands++;
        if (!p.TryPlanWrites(c.Kind, c.LimitWatts, meter, out var writes, out var why))
        {
            counters.CommandsFailed++;
            Alarm("COMMAND_UNSUPPORTED", "Critical", c.MeterId, $"{c.Kind} command {c.CommandId} for meter '{c.MeterId}' cannot be carried out: {why}.");
            return true;
        }

        foreach (var write in writes)
        {
            counters.Requests++;
            var result = write.Values.Length == 1 && p.Profile.SingleRegisterWrite == ModbusFunction.WriteSingleRegister
                ? await client!.WriteSingleRegisterAsync(meter.UnitId, write.Address, write.Values[0])
                : await client!.WriteMultipleRegistersAsync(meter.UnitId, write.Address, write.Values);
            if (!result.IsSuccess)
            {
                return CommandFailed(c, $"writing {write.What} failed: {result}", result);
            }
        }

        var (read, relay, error) = await ReadRelayAsync(p, meter);
        if (relay is null)
        {
            return CommandFailed(c, $"reading the relay back failed: {error}", read);
        }

        // The device path is serial (one connection), the meters are not: each confirmation is a meter turn with a
        // storage write, so waiting for it before the next write made a wave of cuts take seconds per hundred.
        var window = confirmWindow ??= new SemaphoreSlim(settings.MaxConcurrentReports);
        await window.WaitAsync();
        confirming.Add(c.CommandId);
        confirmations.Add(ConfirmAsync(window, c, relay));
        return true;
    }

    /// <summary>
    /// Hands a read-back to the meter. Runs beside the next commands; its continuation (on this grain's scheduler) does
    /// the queue bookkeeping. Never throws: a meter that did not take it retries through its own timeout.
    /// </summary>
    private async Task ConfirmAsync(SemaphoreSlim window, ConcentratorCommand c, RelayReading relay)
    {
        try
        {
            await GrainFactory.GetGrain<IMeterGrain>(c.MeterId).ConfirmCommandAsync(c.CommandId, relay);
            counters.CommandsConfirmed++;
            queue.Remove(c.MeterId, c.CommandId);
            LogCommandConfirmed(logger, Id, c.MeterId, c.Kind, c.CommandId, c.Attempt, relay.Closed, relay.LimitKilowatts);
        }
        catch (Exception e)
        {
            // Written and read back, but the meter did not take it: its timeout retries the command.
            counters.ReportFailures++;
            LogReportFailed(logger, e, Id, c.MeterId);
        }
        finally
        {
            confirming.Remove(c.CommandId);
            window.Release();
        }
    }

    /// <summary>Waits for every confirmation in flight, so a poll's or a command tick's work is done when it returns.</summary>
    private async Task DrainConfirmationsAsync()
    {
        while (confirmations.Count > 0)
        {
            Task[] batch = [.. confirmations];
            confirmations.Clear();
            await Task.WhenAll(batch);
        }
    }

    private bool CommandFailed(ConcentratorCommand c, string why, ModbusResult result)
    {
        counters.CommandsFailed++;
        Alarm("COMMAND_FAILED", "Warning", c.MeterId, $"{c.Kind} command {c.CommandId} (attempt {c.Attempt}) for meter '{c.MeterId}': {why}; the supply machine retries at {c.NextRetryAt:O}.");
        return !IsTransportFailure(result);
    }

    private async Task<(ModbusResult Result, RelayReading? Relay, string Error)> ReadRelayAsync(RegisterPlan p, MeterLocation meter)
    {
        if (p.Map.RelayStatus is not { } status)
        {
            return (ModbusResult.Success, null, $"device profile '{p.Profile.Id}' has no relay status register, so no command can be confirmed");
        }

        var statusRegisters = new ushort[status.Point.Format.RegisterCount];
        var result = await ReadPointAsync(meter, status.Point, statusRegisters);
        if (!result.IsSuccess)
        {
            return (result, null, result.ToString());
        }

        var raw = status.Point.Format.ReadRaw(statusRegisters);
        if (raw != status.ClosedRaw && raw != status.OpenRaw)
        {
            counters.DecodeErrors++;
            return (ModbusResult.Success, null, $"relay status raw {raw} is neither closed nor open");
        }

        var closed = raw == status.ClosedRaw;
        decimal? limitKw = null;
        if (closed && p.Map.PowerLimit is { } limit)
        {
            var limitRegisters = new ushort[limit.Point.Format.RegisterCount];
            result = await ReadPointAsync(meter, limit.Point, limitRegisters);
            if (!result.IsSuccess)
            {
                return (result, null, result.ToString());
            }

            if (!MeterDecoder.TryLimit(limit, limitRegisters, out var watts, out var limitError))
            {
                counters.DecodeErrors++;
                return (ModbusResult.Success, null, "power limit: " + limitError);
            }

            limitKw = watts / 1000m;
        }

        return (result, new RelayReading { Closed = closed, LimitKilowatts = limitKw, At = time.GetUtcNow(), ConcentratorId = Id }, "");
    }

    private async ValueTask<ModbusResult> ReadPointAsync(MeterLocation meter, RegisterPoint point, ushort[] destination)
    {
        counters.Requests++;
        var address = (ushort)(meter.BaseAddress + point.Address);
        var result = point.Kind == RegisterKind.Holding
            ? await client!.ReadHoldingRegistersAsync(meter.UnitId, address, destination)
            : await client!.ReadInputRegistersAsync(meter.UnitId, address, destination);
        if (!result.IsSuccess)
        {
            Count(result);
        }

        return result;
    }

    // ---------------- Configuration ----------------

    private async Task ConfigureAsync()
    {
        await DisposeClientAsync();
        pollTimer?.Dispose();
        pollTimer = null;
        plan = null;
        if (!catalog.TryGet(S.ProfileId, out var profile))
        {
            Alarm("DEVICE_PROFILE_MISSING", "Critical", null, $"Device profile '{S.ProfileId}' is not in this silo's catalog; the concentrator does not poll. Give every silo the same profiles.");
            LogProfileMissing(logger, Id, S.ProfileId);
            return;
        }

        var layout = S.Layout == "table" ? ConcentratorLayout.Table : ConcentratorLayout.Gateway;
        plan = RegisterPlan.Build(profile, layout, S.Meters, [.. S.Bands.Select(ParseBand)]);
        memory = new SlotMemory[plan.Meters.Length];
        holding = new ushort[plan.MaxHolding];
        input = new ushort[plan.MaxInput];
        client = new ModbusTcpClient(new ModbusTcpClientOptions
        {
            EndPoint = ParseEndPoint(S.Endpoint),
            RequestTimeout = S.RequestTimeout ?? settings.RequestTimeout,
            ConnectTimeout = settings.ConnectTimeout,
        });
        pollTimer = this.RegisterGrainTimer(PollTickAsync, new GrainTimerCreationOptions
        {
            DueTime = S.PollPeriod,
            Period = S.PollPeriod,
            Interleave = false,
            KeepAlive = true,
        });
        commandTimer ??= this.RegisterGrainTimer(CommandTickAsync, new GrainTimerCreationOptions
        {
            DueTime = Timeout.InfiniteTimeSpan,
            Period = Timeout.InfiniteTimeSpan,
            Interleave = false,
        });
    }

    private async Task DisposeClientAsync()
    {
        if (client is { } c)
        {
            client = null;
            reconnectsOfEarlierClients += c.Counters.Reconnects;
            await c.DisposeAsync();
        }
    }

    private sealed record ValidRegistration(string Endpoint, string Layout, string ProfileId, TimeSpan PollPeriod, TimeSpan? RequestTimeout, IReadOnlyList<string> Bands, IReadOnlyList<ConcentratorMeter> Meters);

    /// <summary>Checks every field and reports every problem at once; nothing is changed when one is wrong.</summary>
    private ValidRegistration Validate(ConcentratorRegistration r)
    {
        AccountGrain.CheckId(Id, "concentrator id");
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(r.OperatorId))
        {
            problems.Add("operatorId is required");
        }

        var endpoint = (r.Endpoint ?? "").Trim();
        if (!TryParseEndPoint(endpoint, out _))
        {
            problems.Add($"endpoint '{r.Endpoint}' is not host:port (e.g. \"10.1.2.3:502\"; port 1–65535)");
        }

        var layoutName = (r.Layout ?? "").Trim().ToLowerInvariant();
        ConcentratorLayout? layout = layoutName switch
        {
            "gateway" => ConcentratorLayout.Gateway,
            "table" => ConcentratorLayout.Table,
            _ => null,
        };
        if (layout is null)
        {
            problems.Add($"layout '{r.Layout}' is unknown; use \"gateway\" (one meter per unit id) or \"table\" (fixed-stride blocks behind one unit id)");
        }

        DeviceProfile? profile = null;
        if (!catalog.TryGet(r.ProfileId ?? "", out var found))
        {
            problems.Add($"profileId '{r.ProfileId}' is not in the device profile catalog; known: {string.Join(", ", catalog.Ids)}");
        }
        else
        {
            profile = found;
            if (layout == ConcentratorLayout.Gateway && profile.Gateway is null || layout == ConcentratorLayout.Table && profile.Table is null)
            {
                problems.Add($"device profile '{profile.Id}' has no {layoutName} layout");
                profile = null;
            }
        }

        if (r.PollPeriod < TimeSpan.FromSeconds(1) || r.PollPeriod > TimeSpan.FromDays(1))
        {
            problems.Add($"pollPeriod {r.PollPeriod} is out of range; use 1 second to 1 day");
        }

        if (r.RequestTimeout is { } timeout && (timeout < TimeSpan.FromMilliseconds(50) || timeout > TimeSpan.FromSeconds(30)))
        {
            problems.Add($"requestTimeout {timeout} is out of range; use 50 ms to 30 s, or leave it out for the default");
        }

        var bands = new List<string>();
        foreach (var (band, i) in (r.Bands ?? []).Select((b, i) => (b, i)))
        {
            var name = (band ?? "").Trim().ToLowerInvariant();
            if (!Enum.TryParse<TouBand>(name, ignoreCase: true, out var tou) || !Enum.IsDefined(tou) || name.Any(char.IsDigit))
            {
                problems.Add($"bands[{i}] '{band}' is not a band; use sharp, peak, flat or valley");
            }
            else if (bands.Contains(name))
            {
                problems.Add($"bands[{i}] '{band}' is listed twice");
            }
            else if (profile is not null && layout is { } l && profile.RegistersFor(l).BandEnergy.All(b => b.Band != tou))
            {
                problems.Add($"bands[{i}] '{band}': device profile '{profile.Id}' has no {name} register");
            }
            else
            {
                bands.Add(name);
            }
        }

        var meters = r.Meters ?? [];
        if (meters.Count is 0 or > IConcentratorGrain.MaxMeters)
        {
            problems.Add($"meters: give 1 to {IConcentratorGrain.MaxMeters} meters ({meters.Count} given)");
        }

        var (low, high) = layout == ConcentratorLayout.Table && profile?.Table is { } t ? (0, t.MaxMeters - 1) : (GatewayLayout.FirstUnitId, GatewayLayout.LastUnitId);
        var slots = new HashSet<int>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var reported = 0;
        for (var i = 0; i < meters.Count && reported < 10; i++)
        {
            var m = meters[i];
            string? problem = m is null ? "is missing"
                : m.Slot < low || m.Slot > high ? $"slot {m.Slot} is outside {low}–{high} ({(layout == ConcentratorLayout.Table ? "table block index" : "gateway unit id")})"
                : string.IsNullOrWhiteSpace(m.MeterId) || m.MeterId.Length > 100 || m.MeterId.Any(char.IsControl) ? $"meterId '{m.MeterId}' must be 1–100 printable characters"
                : !slots.Add(m.Slot) ? $"slot {m.Slot} is used twice"
                : !ids.Add(m.MeterId) ? $"meter '{m.MeterId}' is listed twice"
                : null;
            if (problem is not null)
            {
                problems.Add($"meters[{i}]: {problem}");
                reported++;
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidRequestException(ErrorCodes.InvalidField, $"Concentrator '{Id}' was not registered: {string.Join("; ", problems)}.");
        }

        return new ValidRegistration(endpoint, layoutName, profile!.Id, r.PollPeriod, r.RequestTimeout, bands, [.. meters.OrderBy(m => m.Slot)]);
    }

    private bool SameAs(ValidRegistration v) =>
        S.Endpoint == v.Endpoint && S.Layout == v.Layout && S.ProfileId == v.ProfileId && S.PollPeriod == v.PollPeriod
        && S.RequestTimeout == v.RequestTimeout && S.Bands.SequenceEqual(v.Bands) && S.Meters.SequenceEqual(v.Meters);

    private static TouBand ParseBand(string name) => Enum.Parse<TouBand>(name, ignoreCase: true);

    private static EndPoint ParseEndPoint(string endpoint) =>
        TryParseEndPoint(endpoint, out var parsed) ? parsed : throw new InvalidOperationException($"Stored endpoint '{endpoint}' is not host:port.");

    private static bool TryParseEndPoint(string text, out EndPoint endPoint)
    {
        endPoint = null!;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            return false;
        }

        var host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        if (IPAddress.TryParse(host, out var ip))
        {
            endPoint = new IPEndPoint(ip, port);
            return true;
        }

        if (host.Length == 0 || host.Any(c => char.IsWhiteSpace(c) || c is ':' or '/' or '[' or ']'))
        {
            return false;
        }

        endPoint = new DnsEndPoint(host, port);
        return true;
    }

    private static ConcentratorOptions Validated(ConcentratorOptions options)
    {
        options.Validate();
        return options;
    }

    // ---------------- Health, counters, alarms ----------------

    private (ConcentratorHealth Health, string Reason) Evaluate() => health.Evaluate(time.GetUtcNow(), S.PollPeriod * settings.ClockRate, settings);

    private (ConcentratorHealth Health, string Reason) RaiseHealthAlarm()
    {
        var (now, reason) = Evaluate();
        if (now != reportedHealth)
        {
            Alarm("CONCENTRATOR_" + now.ToString().ToUpperInvariant(), now == ConcentratorHealth.Offline ? "Critical" : "Warning", null,
                $"Concentrator '{Id}' is {now} (was {reportedHealth}): {reason}.");
            reportedHealth = now;
        }

        return (now, reason);
    }

    private void Count(ModbusResult result)
    {
        switch (result.Status)
        {
            case ModbusStatus.Timeout:
                counters.Timeouts++;
                break;
            case ModbusStatus.ExceptionResponse:
                counters.ExceptionResponses++;
                break;
            case ModbusStatus.ProtocolError:
                counters.ProtocolErrors++;
                break;
            default:
                counters.ConnectionFailures++;
                break;
        }
    }

    private static bool IsTransportFailure(ModbusResult result) =>
        result.Status is ModbusStatus.Timeout or ModbusStatus.ConnectionLost or ModbusStatus.ConnectFailed or ModbusStatus.ProtocolError;

    private void Alarm(string code, string severity, string? meterId, string message)
    {
        alarms.Add(new ConcentratorAlarm { Code = code, Severity = severity, At = time.GetUtcNow(), MeterId = meterId, Message = message });
        if (alarms.Count > AlarmCapacity)
        {
            alarms.RemoveAt(0);
        }

        LogAlarm(logger, Id, code, severity, message);
    }

    private void RequireRegistered()
    {
        if (!S.Registered)
        {
            throw new NotFoundException(ConcentratorErrorCodes.ConcentratorNotFound, $"Concentrator '{Id}' is not registered; register it first (POST /concentrators).");
        }
    }

    private ConcentratorStatus Status()
    {
        var (h, reason) = Evaluate();
        return new ConcentratorStatus
        {
            ConcentratorId = Id,
            Endpoint = S.Endpoint,
            Layout = S.Layout,
            ProfileId = S.ProfileId,
            PollPeriod = S.PollPeriod,
            MeterCount = S.Meters.Count,
            Bands = S.Bands.ToArray(),
            Health = h.ToString(),
            HealthReason = reason,
            LastPollAt = health.LastPollAt,
            LastGoodReadAt = health.LastGoodReadAt,
            ConsecutiveFailedPolls = health.ConsecutiveFailedPolls,
            Counters = counters.ToView(reconnectsOfEarlierClients + (client?.Counters.Reconnects ?? 0)),
            CountersSince = countersSince,
            QueuedCommands = queue.Count,
            RecentAlarms = alarms.ToArray(),
        };
    }

    /// <summary>Per meter, this activation's memory: clock (frozen-register detection), latched flags, one alarm per failure kind.</summary>
    private struct SlotMemory
    {
        public bool ClockKnown;
        public ulong ClockRaw;
        public DateTimeOffset ClockChangedAt;
        public bool FlagsKnown;
        public int Flags;
        public bool ReportFailureRaised;

        /// <summary>The meter's grain reference, resolved on first use.</summary>
        public IMeterGrain? Grain;
    }

    private sealed class PollTally
    {
        public int Read;
        public int Failed;
        public int Skipped;
        public int Reported;
        public int Commands;
    }

    private sealed class Tally
    {
        public long Polls;
        public long Requests;
        public long Reads;
        public long DecodeErrors;
        public long StaleReads;
        public long Timeouts;
        public long ExceptionResponses;
        public long ProtocolErrors;
        public long ConnectionFailures;
        public long ReadingsReported;
        public long ReportFailures;
        public long SafetyEventsReported;
        public long CommandsExecuted;
        public long CommandsConfirmed;
        public long CommandsFailed;
        public long CommandTimeouts;
        public long PollsAborted;
        public long ReadsSkipped;

        public ConcentratorCounters ToView(long reconnects) => new()
        {
            Polls = Polls,
            Requests = Requests,
            Reads = Reads,
            DecodeErrors = DecodeErrors,
            StaleReads = StaleReads,
            Timeouts = Timeouts,
            ExceptionResponses = ExceptionResponses,
            ProtocolErrors = ProtocolErrors,
            ConnectionFailures = ConnectionFailures,
            Reconnects = reconnects,
            ReadingsReported = ReadingsReported,
            ReportFailures = ReportFailures,
            SafetyEventsReported = SafetyEventsReported,
            CommandsExecuted = CommandsExecuted,
            CommandsConfirmed = CommandsConfirmed,
            CommandsFailed = CommandsFailed,
            CommandTimeouts = CommandTimeouts,
            PollsAborted = PollsAborted,
            ReadsSkipped = ReadsSkipped,
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Concentrator {ConcentratorId} registered: {Endpoint} {Layout}, profile {ProfileId}, {MeterCount} meters, every {PollPeriod}, by {OperatorId}")]
    private static partial void LogRegistered(ILogger logger, string concentratorId, string endpoint, string layout, string profileId, int meterCount, TimeSpan pollPeriod, string operatorId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Concentrator {ConcentratorId} unregistered by {OperatorId}")]
    private static partial void LogUnregistered(ILogger logger, string concentratorId, string operatorId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Concentrator {ConcentratorId}: poll failed unexpectedly; the next tick polls again")]
    private static partial void LogPollFailed(ILogger logger, Exception exception, string concentratorId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Concentrator {ConcentratorId}: read of unit {UnitId} slot {Slot} ({Meters} meters) failed: {Result}")]
    private static partial void LogReadFailed(ILogger logger, string concentratorId, byte unitId, int slot, int meters, string result);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Concentrator {ConcentratorId}: meter {MeterId} registers not reported: {Error}")]
    private static partial void LogDecodeError(ILogger logger, string concentratorId, string meterId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Concentrator {ConcentratorId}: reporting to meter {MeterId} failed")]
    private static partial void LogReportFailed(ILogger logger, Exception exception, string concentratorId, string meterId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Concentrator {ConcentratorId}: meter {MeterId} {Kind} {CommandId} attempt {Attempt} read back closed={Closed} limit={LimitKilowatts} kW")]
    private static partial void LogCommandConfirmed(ILogger logger, string concentratorId, string meterId, SupplyCommandType kind, Guid commandId, int attempt, bool closed, decimal? limitKilowatts);

    [LoggerMessage(Level = LogLevel.Error, Message = "Concentrator {ConcentratorId}: device profile {ProfileId} is not in the catalog; not polling")]
    private static partial void LogProfileMissing(ILogger logger, string concentratorId, string profileId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Concentrator {ConcentratorId}: alarm {Code} ({Severity}): {Message}")]
    private static partial void LogAlarm(ILogger logger, string concentratorId, string code, string severity, string message);
}
