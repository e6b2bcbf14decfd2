namespace PrepaidPower.Host.Hosting;

/// <summary>
/// The host does not listen for Ctrl+C itself: whoever embeds it (the <c>prepaidpower</c> command, a test) owns the
/// process and stops it through a cancellation token, so exactly one party decides when to shut down.
/// </summary>
internal sealed class EmbeddedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
