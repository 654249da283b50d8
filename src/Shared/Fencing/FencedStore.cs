namespace SystemDesign.Fencing;

/// <summary>The outcome of one write to a <see cref="FencedStore{TValue}"/>.</summary>
public readonly record struct FencedWrite(bool Accepted, long Token, long HighestSeen);

/// <summary>
/// Storage that enforces fencing tokens: each write carries the token its writer was granted (a lock's
/// counter, a leader's term), and a write whose token is lower than one the store has already seen for that
/// key is rejected. This is what makes a lease or a leader election safe against a holder that was paused
/// (GC, VM migration) past its expiry and wakes up believing it still holds the lock: the lock service alone
/// cannot stop it, the storage can. With <paramref name="enforce"/> false the store accepts everything,
/// which is the unsafe baseline the notebooks compare against.
/// </summary>
public sealed class FencedStore<TValue>(bool enforce = true)
{
    private readonly Dictionary<string, (TValue Value, long Token)> _data = new();
    private readonly Dictionary<string, long> _highest = new();

    public bool Enforce { get; } = enforce;
    public int Accepted { get; private set; }
    public int Rejected { get; private set; }

    public FencedWrite Write(string key, TValue value, long token)
    {
        Guard.NotEmpty(key);
        Guard.InRange(token, 0, long.MaxValue);
        long highest = _highest.GetValueOrDefault(key, -1);
        if (Enforce && token < highest)
        {
            Rejected++;
            return new FencedWrite(false, token, highest);
        }
        _highest[key] = Math.Max(highest, token);
        _data[key] = (value, token);
        Accepted++;
        return new FencedWrite(true, token, _highest[key]);
    }

    public bool TryRead(string key, out TValue value, out long token)
    {
        Guard.NotEmpty(key);
        if (_data.TryGetValue(key, out var entry))
        {
            (value, token) = entry;
            return true;
        }
        value = default!;
        token = -1;
        return false;
    }
}
