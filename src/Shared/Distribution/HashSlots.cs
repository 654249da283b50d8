using System.Text;
using StackExchange.Redis;
using SystemDesign.Hashing;

namespace SystemDesign.Distribution;

/// <summary>
/// Redis Cluster's key → slot mapping: slot = CRC16-XMODEM(k) mod 16384, where k is the whole key unless
/// the key has a hash tag. The tag is the text between the first '{' and the first '}' after it, used only
/// when it is non-empty; "{}" or a '{' with no '}' after it leaves the whole key hashed. Tags let related
/// keys ({user42}.followers, {user42}.posts) share a slot so multi-key commands work on them.
/// </summary>
public static class HashSlots
{
    /// <summary>Number of slots: 16384 = 2¹⁴, so "mod 16384" is the low 14 bits of the CRC.</summary>
    public const int Count = 16384;

    /// <summary>The slot of a key sent as UTF-8 (what StackExchange.Redis and redis-cli do).</summary>
    public static int Slot(string key) => Slot(KeyHash.Utf8(key));

    /// <summary>The slot of a key's raw bytes: Redis compares bytes, so '{' and '}' are 0x7B and 0x7D.</summary>
    public static int Slot(ReadOnlySpan<byte> key)
    {
        var (start, length) = TagRange(key);
        return Crc16.Xmodem(key.Slice(start, length)) & (Count - 1);
    }

    /// <summary>The hash tag that decides the key's slot, or null when the whole key is hashed.</summary>
    public static string? HashTag(string key)
    {
        byte[] bytes = KeyHash.Utf8(key);
        var (start, length) = TagRange(bytes);
        return length == bytes.Length && start == 0 ? null : Encoding.UTF8.GetString(bytes, start, length);
    }

    /// <summary>Which bytes are hashed: (start, length) of the tag, or (0, key length).</summary>
    private static (int Start, int Length) TagRange(ReadOnlySpan<byte> key)
    {
        int open = key.IndexOf((byte)'{');
        if (open < 0) return (0, key.Length);
        int close = key[(open + 1)..].IndexOf((byte)'}');
        if (close <= 0) return (0, key.Length); // no '}' after the '{' (−1), or an empty tag "{}" (0)
        return (open + 1, close);
    }

    /// <summary>
    /// Asks a real Redis for the slot of every key with CLUSTER KEYSLOT, pipelined (all commands sent, then
    /// all replies awaited), so thousands of keys take one round trip's worth of time rather than thousands.
    /// </summary>
    public static int[] ServerSlots(IConnectionMultiplexer redis, IReadOnlyList<string> keys)
    {
        Guard.NotNull(redis);
        Guard.NotNull(keys);
        var server = redis.GetServers().FirstOrDefault(s => s.IsConnected)
                     ?? throw new InvalidOperationException("no connected Redis server to ask.");
        var pending = new Task<RedisResult>[keys.Count];
        for (int i = 0; i < keys.Count; i++)
        {
            Guard.That(keys[i] is not null, $"keys[{i}] is null", nameof(keys));
            pending[i] = server.ExecuteAsync("CLUSTER", "KEYSLOT", keys[i]);
        }
        Task.WaitAll(pending);
        return pending.Select(t => (int)t.Result).ToArray();
    }
}
