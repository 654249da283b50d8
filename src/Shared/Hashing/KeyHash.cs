using System.IO.Hashing;
using System.Text;

namespace SystemDesign.Hashing;

/// <summary>
/// Stable hashes of string keys (their UTF-8 bytes) through System.IO.Hashing. Placement must give the same
/// answer in every process and on every run, which <see cref="string.GetHashCode()"/> does not (it is
/// randomized per process), so every distribution scheme in this library hashes through here.
/// </summary>
public static class KeyHash
{
    // Keys up to 80 UTF-16 units encode to at most 240 UTF-8 bytes: hashed from the stack, no allocation.
    private const int ShortKey = 80;
    private const int StackBytes = 256;

    /// <summary>XxHash3 (64-bit) of the key's UTF-8 bytes: the position of a key on a 2⁶⁴ ring.</summary>
    public static ulong Hash64(string key, long seed = 0)
    {
        Guard.NotNull(key);
        if (key.Length > ShortKey) return XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(key), seed);
        Span<byte> buffer = stackalloc byte[StackBytes];
        return XxHash3.HashToUInt64(buffer[..Encoding.UTF8.GetBytes(key, buffer)], seed);
    }

    /// <summary>XxHash3 (64-bit) of raw bytes.</summary>
    public static ulong Hash64(ReadOnlySpan<byte> data, long seed = 0) => XxHash3.HashToUInt64(data, seed);

    /// <summary>XxHash32 of the key's UTF-8 bytes: for schemes that want a 32-bit space, such as a 0…2³² ring.</summary>
    public static uint Hash32(string key, int seed = 0)
    {
        Guard.NotNull(key);
        if (key.Length > ShortKey) return XxHash32.HashToUInt32(Encoding.UTF8.GetBytes(key), seed);
        Span<byte> buffer = stackalloc byte[StackBytes];
        return XxHash32.HashToUInt32(buffer[..Encoding.UTF8.GetBytes(key, buffer)], seed);
    }

    /// <summary>Maps a 64-bit hash to [0, 1) using its top 53 bits (every double in the result is exact).</summary>
    public static double ToUnit(ulong hash) => (hash >> 11) * (1.0 / (1UL << 53));

    /// <summary>The key's UTF-8 bytes: what Redis, Cassandra and most clients hash.</summary>
    public static byte[] Utf8(string key)
    {
        Guard.NotNull(key);
        return Encoding.UTF8.GetBytes(key);
    }
}
