using System.Buffers;
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
    private const int StackLimit = 256;

    /// <summary>XxHash3 (64-bit) of the key's UTF-8 bytes: the position of a key on a 2⁶⁴ ring.</summary>
    public static ulong Hash64(string key, long seed = 0)
    {
        Guard.NotNull(key);
        return WithUtf8(key, seed, static (bytes, s) => XxHash3.HashToUInt64(bytes, s));
    }

    /// <summary>XxHash3 (64-bit) of raw bytes.</summary>
    public static ulong Hash64(ReadOnlySpan<byte> data, long seed = 0) => XxHash3.HashToUInt64(data, seed);

    /// <summary>XxHash32 of the key's UTF-8 bytes: for schemes that want a 32-bit space, such as a 0…2³² ring.</summary>
    public static uint Hash32(string key, int seed = 0)
    {
        Guard.NotNull(key);
        return (uint)WithUtf8(key, seed, static (bytes, s) => XxHash32.HashToUInt32(bytes, (int)s));
    }

    /// <summary>Maps a 64-bit hash to [0, 1) using its top 53 bits (every double in the result is exact).</summary>
    public static double ToUnit(ulong hash) => (hash >> 11) * (1.0 / (1UL << 53));

    /// <summary>The key's UTF-8 bytes: what Redis, Cassandra and most clients hash.</summary>
    public static byte[] Utf8(string key)
    {
        Guard.NotNull(key);
        return Encoding.UTF8.GetBytes(key);
    }

    private delegate ulong SpanHash(ReadOnlySpan<byte> bytes, long seed);

    private static ulong WithUtf8(string key, long seed, SpanHash hash)
    {
        int max = Encoding.UTF8.GetMaxByteCount(key.Length);
        if (max <= StackLimit)
        {
            Span<byte> buffer = stackalloc byte[StackLimit];
            int n = Encoding.UTF8.GetBytes(key, buffer);
            return hash(buffer[..n], seed);
        }
        byte[] rented = ArrayPool<byte>.Shared.Rent(max);
        try
        {
            int n = Encoding.UTF8.GetBytes(key, rented);
            return hash(rented.AsSpan(0, n), seed);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
