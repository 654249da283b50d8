using SystemDesign.Fencing;

namespace SystemDesign.Locking;

/// <summary>
/// A lock service with Redis's <c>SET key token NX PX ttl</c> semantics on a virtual clock (milliseconds):
/// a key is held until its holder releases it with the right token or its expiry passes.
/// </summary>
public sealed class VirtualLockService
{
    private readonly Dictionary<string, (string Token, double ExpiresAt)> _keys = [];

    public bool TryAcquire(string key, string token, double ttlMs, double now)
    {
        Guard.NotEmpty(key);
        Guard.NotEmpty(token);
        Guard.Positive(ttlMs);
        if (Holder(key, now) is not null) return false;
        _keys[key] = (token, now + ttlMs);
        return true;
    }

    /// <summary>Compare-and-delete, like the Lua release script.</summary>
    public bool Release(string key, string token, double now)
    {
        Guard.NotEmpty(key);
        if (Holder(key, now) != token) return false;
        _keys.Remove(key);
        return true;
    }

    public string? Holder(string key, double now)
        => _keys.TryGetValue(key, out var e) && now < e.ExpiresAt ? e.Token : null;
}

/// <summary>One moment of a <see cref="PausedHolder"/> run.</summary>
public sealed record LeaseEvent(double AtMs, string Client, string What, string Outcome);

/// <summary>The result of <see cref="PausedHolder.Run"/>.</summary>
/// <param name="OverlapMs">how long A and B both believed they held the lock.</param>
/// <param name="StaleWrite">what the store said to A's write after its pause.</param>
/// <param name="FinalValue">what the store holds at the end.</param>
public sealed record PausedHolderRun(double TtlMs, double PauseMs, bool Fencing, long TokenA, long TokenB, double BAcquiredAtMs,
    double OverlapMs, FencedWrite StaleWrite, string FinalValue, IReadOnlyList<LeaseEvent> Events, IReadOnlyList<TimelineBar> Bars,
    IReadOnlyList<TimelineMark> Marks)
{
    public bool TwoHolders => OverlapMs > 0;
}

/// <summary>
/// The paused-holder failure of every lease-based lock, on a virtual clock. Client A takes the lock (TTL
/// <c>ttl</c>) and a fencing token, works, then stops for <c>pause</c> (a GC pause, a VM migration, a page
/// fault storm) without knowing it. Client B retries every <c>retry</c> ms; once the lease expires it gets the
/// lock and a larger token and writes. A wakes, still believing it holds the lock, and writes too. The lock
/// service cannot prevent this; a store that checks fencing tokens (<see cref="FencedStore{TValue}"/>) can.
/// </summary>
public static class PausedHolder
{
    /// <param name="nextToken">where fencing tokens come from: an in-memory counter by default, or a Redis INCR.</param>
    /// <param name="workBeforePauseMs">how long A works before the pause.</param>
    /// <param name="bHoldMs">how long B holds the lock once it has it.</param>
    public static PausedHolderRun Run(double ttlMs, double pauseMs, bool fencing, Func<long>? nextToken = null,
        double workBeforePauseMs = 1, double retryMs = 1, double bHoldMs = 5)
    {
        Guard.InRange(ttlMs, 1, 1e9);
        Guard.InRange(pauseMs, 0, 1e9);
        Guard.InRange(workBeforePauseMs, 0, 1e9);
        Guard.InRange(retryMs, 0.001, 1e9);
        Guard.InRange(bHoldMs, 1, 1e9);
        long counter = 0;
        nextToken ??= () => ++counter;
        const string key = "lock:resource";
        var service = new VirtualLockService();
        var store = new FencedStore<string>(enforce: fencing);
        var events = new List<LeaseEvent>();
        var agenda = new PriorityQueue<Action<double>, (double, int)>();
        int seq = 0;
        void At(double time, Action<double> action) => agenda.Enqueue(action, (time, seq++));

        long tokenA = 0, tokenB = 0;
        double resume = workBeforePauseMs + pauseMs, aRelease = resume + 1, bAcquired = double.NaN, bWrite = double.NaN, bRelease = double.NaN;
        FencedWrite staleWrite = default;

        // A: acquire, work, pause (without knowing it), wake, write as if it still held the lock, release.
        At(0, now =>
        {
            service.TryAcquire(key, "token-A", ttlMs, now);
            tokenA = nextToken();
            events.Add(new(now, "A", $"SET NX PX {ttlMs}", $"acquired, fencing token {tokenA}"));
        });
        At(workBeforePauseMs, now => events.Add(new(now, "A", "process pauses (GC)", $"for {pauseMs} ms")));
        At(resume, now =>
        {
            staleWrite = store.Write("resource", "A", tokenA);
            events.Add(new(now, "A", $"wakes up, writes with token {tokenA}",
                staleWrite.Accepted ? "accepted" : $"rejected: the store has seen token {staleWrite.HighestSeen}"));
        });
        At(aRelease, now => events.Add(new(now, "A", "release (compare-and-delete)",
            service.Release(key, "token-A", now) ? "released" : "not its lock any more: nothing deleted")));

        // B: retry until the lock is free (released by A, or expired), then write and release.
        void Retry(double now)
        {
            if (!service.TryAcquire(key, "token-B", ttlMs, now))
            {
                At(now + retryMs, Retry);
                return;
            }
            bAcquired = now;
            tokenB = nextToken();
            events.Add(new(now, "B", $"SET NX PX {ttlMs}", $"acquired, fencing token {tokenB}"));
            At(bWrite = now + 0.5, t =>
            {
                var w = store.Write("resource", "B", tokenB);
                events.Add(new(t, "B", $"writes with token {tokenB}", w.Accepted ? "accepted" : "rejected"));
            });
            At(bRelease = now + bHoldMs, t => events.Add(new(t, "B", "release (compare-and-delete)",
                service.Release(key, "token-B", t) ? "released" : "not its lock any more")));
        }
        At(retryMs, Retry);

        while (agenda.TryDequeue(out var action, out var when)) action(when.Item1);
        store.TryRead("resource", out var final, out _);

        double overlap = Math.Max(0, Math.Min(aRelease, bRelease) - Math.Max(0, bAcquired));
        var bars = new List<TimelineBar>
        {
            new("A believes it holds", 0, aRelease, "believes it holds the lock"),
            new("A per the lock service", 0, Math.Min(ttlMs, aRelease), "holds per the lock service"),
            new("A running", 0, workBeforePauseMs, "running"),
            new("A running", resume, aRelease, "running"),
            new("B believes it holds", bAcquired, bRelease, "believes it holds the lock"),
            new("B per the lock service", bAcquired, bRelease, "holds per the lock service"),
            new("B running", bAcquired, bRelease, "running"),
        };
        var marks = new List<TimelineMark>
        {
            new("A running", resume, $"write #{tokenA}", staleWrite.Accepted ? "write accepted" : "write rejected", staleWrite.Accepted),
            new("B running", bWrite, $"write #{tokenB}", "write accepted", true),
        };
        return new PausedHolderRun(ttlMs, pauseMs, fencing, tokenA, tokenB, bAcquired, overlap, staleWrite, final, events, bars, marks);
    }
}
