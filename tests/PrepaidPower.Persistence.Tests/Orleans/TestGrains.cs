// Small grains that exercise the PostgreSQL providers: named and default storage, and a reminder.
namespace PrepaidPower.Persistence.Tests.Orleans;

public interface ICounterGrain : IGrainWithStringKey
{
    Task<CounterState> GetAsync();

    Task<int> AddAsync(int amount, string note);

    Task ReloadAsync();

    Task DeactivateAsync();
}

/// <summary>Stored state with a CLR type name that must not appear in the stored bytes.</summary>
[GenerateSerializer]
[Alias("pp-test.counter-state")]
public sealed class CounterState
{
    [Id(0)]
    public int Total { get; set; }

    [Id(1)]
    public string Note { get; set; } = string.Empty;
}

/// <summary>Persists through the named "accounts" storage.</summary>
public sealed class CounterGrain([PersistentState("counter", "accounts")] IPersistentState<CounterState> state) : Grain, ICounterGrain
{
    public Task<CounterState> GetAsync() => Task.FromResult(state.State);

    public async Task<int> AddAsync(int amount, string note)
    {
        state.State.Total += amount;
        state.State.Note = note;
        await state.WriteStateAsync();
        return state.State.Total;
    }

    public Task ReloadAsync() => state.ReadStateAsync();

    public Task DeactivateAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}

public interface INoteGrain : IGrainWithGuidCompoundKey
{
    Task<string?> GetAsync();

    Task SetAsync(string text);

    Task ClearAsync();
}

[GenerateSerializer]
[Alias("pp-test.note-state")]
public sealed class NoteState
{
    [Id(0)]
    public string? Text { get; set; }
}

/// <summary>Persists through the default storage, with a Guid key and a key extension.</summary>
public sealed class NoteGrain([PersistentState("note")] IPersistentState<NoteState> state) : Grain, INoteGrain
{
    public Task<string?> GetAsync() => Task.FromResult(state.State.Text);

    public Task SetAsync(string text)
    {
        state.State.Text = text;
        return state.WriteStateAsync();
    }

    public Task ClearAsync() => state.ClearStateAsync();
}

public interface IReminderProbeGrain : IGrainWithStringKey
{
    Task StartAsync(TimeSpan due, TimeSpan period);

    Task<int> GetTicksAsync();

    Task StopAsync();
}

public sealed class ReminderProbeGrain : Grain, IReminderProbeGrain, IRemindable
{
    public const string ReminderName = "probe";

    private int _ticks;

    public Task StartAsync(TimeSpan due, TimeSpan period) => this.RegisterOrUpdateReminder(ReminderName, due, period);

    public Task<int> GetTicksAsync() => Task.FromResult(_ticks);

    public async Task StopAsync()
    {
        var reminder = await this.GetReminder(ReminderName);
        if (reminder is not null)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        _ticks++;
        return Task.CompletedTask;
    }
}
