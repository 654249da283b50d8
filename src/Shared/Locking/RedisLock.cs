using System.Security.Cryptography;
using StackExchange.Redis;

namespace SystemDesign.Locking;

/// <summary>
/// A single-instance Redis lock: <c>SET key token NX PX ttl</c> to acquire (atomic: set only if absent, with
/// an expiry so a dead holder cannot block forever), and a Lua compare-and-delete to release, so only the
/// holder of the token can release it. Also hands out fencing tokens from an <c>INCR</c> counter, which the
/// lock itself cannot give: the value of a Redis lock is a random string, not an ordered number.
/// </summary>
public sealed class RedisLock
{
    /// <summary>Delete the key only if it still holds our token. Atomic: Redis runs a script without interleaving.</summary>
    public const string ReleaseScript = """
        if redis.call("get", KEYS[1]) == ARGV[1] then
            return redis.call("del", KEYS[1])
        else
            return 0
        end
        """;

    /// <summary>Extend the expiry only if the key still holds our token.</summary>
    public const string ExtendScript = """
        if redis.call("get", KEYS[1]) == ARGV[1] then
            return redis.call("pexpire", KEYS[1], ARGV[2])
        else
            return 0
        end
        """;

    private readonly IDatabase _db;

    /// <param name="key">the lock's key; the fencing counter lives at key + ":fence".</param>
    public RedisLock(IDatabase database, string key)
    {
        _db = Guard.NotNull(database);
        Key = Guard.NotEmpty(key);
    }

    public string Key { get; }

    public string FenceKey => Key + ":fence";

    /// <summary>A fresh 128-bit random token (hex). Pass a seeded <paramref name="random"/> for a reproducible notebook; by default it comes from the OS's cryptographic generator.</summary>
    public static string NewToken(Random? random = null)
    {
        var bytes = new byte[16];
        if (random is null) RandomNumberGenerator.Fill(bytes);
        else random.NextBytes(bytes);
        return Convert.ToHexString(bytes).ToLowerInvariant();
    }

    /// <summary>SET key token NX PX ttl: true when the lock was free and is now ours for <paramref name="ttl"/>.</summary>
    public bool TryAcquire(string token, TimeSpan ttl)
    {
        Guard.NotEmpty(token);
        Guard.InRange(ttl.TotalMilliseconds, 1, TimeSpan.FromDays(1).TotalMilliseconds, nameof(ttl));
        return _db.StringSet(Key, token, ttl, When.NotExists);
    }

    /// <summary>Releases only if <paramref name="token"/> still holds the lock; false (and nothing deleted) otherwise.</summary>
    public bool Release(string token)
    {
        Guard.NotEmpty(token);
        return (long)_db.ScriptEvaluate(ReleaseScript, [Key], [token]) == 1;
    }

    /// <summary>
    /// The naive release, a plain DEL: it deletes whoever's lock is there. Kept to show what the script prevents.
    /// </summary>
    public bool UnsafeRelease() => _db.KeyDelete(Key);

    /// <summary>Extends the lease if <paramref name="token"/> still holds it.</summary>
    public bool Extend(string token, TimeSpan ttl)
    {
        Guard.NotEmpty(token);
        Guard.InRange(ttl.TotalMilliseconds, 1, TimeSpan.FromDays(1).TotalMilliseconds, nameof(ttl));
        return (long)_db.ScriptEvaluate(ExtendScript, [Key], [token, (long)ttl.TotalMilliseconds]) == 1;
    }

    /// <summary>The token currently holding the lock, or null when it is free.</summary>
    public string? Holder() => _db.StringGet(Key);

    /// <summary>Time left before the lock expires (PTTL), or null when it is free.</summary>
    public TimeSpan? TimeToLive() => _db.KeyTimeToLive(Key);

    /// <summary>The next fencing token: INCR on a counter that never expires, so tokens only grow.</summary>
    public long NextFencingToken() => _db.StringIncrement(FenceKey);

    /// <summary>
    /// The two release races of a naive DEL, on the real server. (a) A's lock expires (TTL
    /// <paramref name="shortTtl"/>, waited out for real), B acquires, A releases. (b) A releases, B acquires, A
    /// retries its release (a retry after a lost reply). Each is run with the compare-and-delete script and with a
    /// plain DEL; the row says whether B still holds its lock afterwards.
    /// </summary>
    public IReadOnlyList<ReleaseRace> ReleaseRaces(TimeSpan shortTtl, Random random)
    {
        Guard.InRange(shortTtl.TotalMilliseconds, 1, 1000, nameof(shortTtl));
        Guard.NotNull(random);
        var rows = new List<ReleaseRace>();
        foreach (bool safe in new[] { true, false })
        {
            foreach (bool expiry in new[] { true, false })
            {
                Clear();
                string a = NewToken(random), b = NewToken(random);
                TryAcquire(a, expiry ? shortTtl : TimeSpan.FromSeconds(30));
                if (expiry) WaitUntilFree(TimeSpan.FromSeconds(5));
                else Release(a);
                Guard.That(TryAcquire(b, TimeSpan.FromSeconds(30)), "B must get the free lock", nameof(shortTtl));
                bool released = safe ? Release(a) : UnsafeRelease();
                rows.Add(new ReleaseRace(expiry ? "(a) A's lock expired, B acquired, A releases" : "(b) A released, B acquired, A retries its release",
                    safe ? "Lua compare-and-delete" : "plain DEL", released, Holder() == b));
            }
        }
        Clear();
        return rows;
    }

    /// <summary>Polls PTTL until the key is gone (it expired), at most <paramref name="timeout"/>.</summary>
    public void WaitUntilFree(TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (Holder() is not null)
        {
            if (clock.Elapsed > timeout) throw new TimeoutException($"{Key} was still held after {timeout.TotalMilliseconds} ms");
            Thread.Sleep(2);
        }
    }

    /// <summary>Deletes the lock and its fencing counter (experiment clean-up).</summary>
    public void Clear() => _db.KeyDelete([Key, FenceKey]);
}

/// <summary>One row of <see cref="RedisLock.ReleaseRaces"/>: did A's late release delete B's lock?</summary>
public sealed record ReleaseRace(string Scenario, string Release, bool ADeletedAKey, bool BStillHoldsLock);
