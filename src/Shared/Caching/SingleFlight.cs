using System.Collections.Concurrent;

namespace SystemDesign.Caching;

/// <summary>
/// Collapses concurrent calls for one key into one execution, as Go's <c>singleflight.Group</c> does: the
/// first caller runs the function, callers that arrive while it runs await the same task, and the key is
/// forgotten when it completes (so a later call runs again). Exceptions reach every waiter.
/// </summary>
public sealed class SingleFlight<TKey, TValue> where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Lazy<Task<TValue>>> _inFlight = new();

    /// <summary>Calls that ran the function, and calls that joined one already running.</summary>
    public int Executions => _executions;
    public int Joined => _joined;
    private int _executions, _joined;

    public async Task<TValue> DoAsync(TKey key, Func<Task<TValue>> work)
    {
        Guard.NotNull(work);
        var mine = new Lazy<Task<TValue>>(() => RunAsync(key, work));
        var flight = _inFlight.GetOrAdd(key, mine);
        if (!ReferenceEquals(flight, mine)) Interlocked.Increment(ref _joined);
        return await flight.Value.ConfigureAwait(false);
    }

    private async Task<TValue> RunAsync(TKey key, Func<Task<TValue>> work)
    {
        Interlocked.Increment(ref _executions);
        try { return await work().ConfigureAwait(false); }
        finally { _inFlight.TryRemove(key, out _); }
    }
}
