using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace PrepaidPower.Notifications.Tests.Support;

/// <summary>Keeps every log entry with its structured values, for tests that assert what was logged.</summary>
internal sealed class TestLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(LogLevel Level, EventId Id, string Message, IReadOnlyDictionary<string, object?> Values)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
            ? pairs.ToDictionary(p => p.Key, p => p.Value)
            : [];
        Entries.Enqueue((logLevel, eventId, formatter(state, exception), values));
    }
}
