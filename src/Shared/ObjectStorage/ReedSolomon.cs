namespace SystemDesign.ObjectStorage;

/// <summary>Arithmetic in GF(2^8) with the polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11D), generator 2.</summary>
public static class GF256
{
    private static readonly byte[] Exp = new byte[512];
    private static readonly byte[] Log = new byte[256];

    static GF256()
    {
        int x = 1;
        for (int i = 0; i < 255; i++)
        {
            Exp[i] = (byte)x;
            Log[x] = (byte)i;
            x <<= 1;
            if ((x & 0x100) != 0) x ^= 0x11D;
        }
        for (int i = 255; i < 512; i++) Exp[i] = Exp[i - 255];
    }

    public static byte Add(byte a, byte b) => (byte)(a ^ b);
    public static byte Mul(byte a, byte b) => a == 0 || b == 0 ? (byte)0 : Exp[Log[a] + Log[b]];

    public static byte Inverse(byte a)
    {
        if (a == 0) throw new DivideByZeroException("0 has no inverse in GF(256)");
        return Exp[255 - Log[a]];
    }

    public static byte Div(byte a, byte b) => Mul(a, Inverse(b));

    /// <summary>Schoolbook multiplication: shift-and-add with reduction, to check the log tables against.</summary>
    public static byte MulSlow(byte a, byte b)
    {
        int p = 0, x = a, y = b;
        while (y != 0)
        {
            if ((y & 1) != 0) p ^= x;
            x <<= 1;
            if ((x & 0x100) != 0) x ^= 0x11D;
            y >>= 1;
        }
        return (byte)p;
    }

    /// <summary>Inverts a square matrix by Gauss–Jordan elimination; throws if it is singular.</summary>
    public static byte[,] Invert(byte[,] m)
    {
        Guard.NotNull(m);
        int n = m.GetLength(0);
        Guard.That(m.GetLength(1) == n, "a square matrix", nameof(m));
        var a = (byte[,])m.Clone();
        var inv = new byte[n, n];
        for (int i = 0; i < n; i++) inv[i, i] = 1;
        for (int col = 0; col < n; col++)
        {
            int pivot = col;
            while (pivot < n && a[pivot, col] == 0) pivot++;
            if (pivot == n) throw new InvalidOperationException("singular matrix");
            if (pivot != col)
                for (int j = 0; j < n; j++)
                {
                    (a[col, j], a[pivot, j]) = (a[pivot, j], a[col, j]);
                    (inv[col, j], inv[pivot, j]) = (inv[pivot, j], inv[col, j]);
                }
            byte scale = Inverse(a[col, col]);
            for (int j = 0; j < n; j++) { a[col, j] = Mul(a[col, j], scale); inv[col, j] = Mul(inv[col, j], scale); }
            for (int r = 0; r < n; r++)
            {
                if (r == col || a[r, col] == 0) continue;
                byte f = a[r, col];
                for (int j = 0; j < n; j++)
                {
                    a[r, j] ^= Mul(f, a[col, j]);
                    inv[r, j] ^= Mul(f, inv[col, j]);
                }
            }
        }
        return inv;
    }
}

/// <summary>
/// A systematic Reed–Solomon erasure code RS(k, m) over GF(256): k data shards are stored as they are and m
/// parity shards are rows of a Cauchy matrix times the data. Every k×k submatrix of [I; Cauchy] is invertible,
/// so any k surviving shards give back the data: up to m lost shards (whichever they are) are recovered.
/// </summary>
public sealed class ReedSolomon
{
    private readonly byte[,] encode; // (k + m) × k: identity on top, Cauchy below
    public int DataShards { get; }
    public int ParityShards { get; }
    public int TotalShards => DataShards + ParityShards;
    public double StorageOverhead => (double)TotalShards / DataShards;

    public ReedSolomon(int dataShards, int parityShards)
    {
        DataShards = Guard.InRange(dataShards, 1, 200);
        ParityShards = Guard.InRange(parityShards, 1, 55);
        // k ≤ 200 and m ≤ 55 keep k + m ≤ 255, so the Cauchy points x_i, y_j of GF(256) can all be distinct.
        encode = new byte[TotalShards, DataShards];
        for (int i = 0; i < DataShards; i++) encode[i, i] = 1;
        // Cauchy: c[i][j] = 1 / (x_i + y_j), x_i = k + i, y_j = j: all distinct, so x_i + y_j ≠ 0.
        for (int i = 0; i < ParityShards; i++)
            for (int j = 0; j < DataShards; j++)
                encode[DataShards + i, j] = GF256.Inverse((byte)((DataShards + i) ^ j));
    }

    /// <summary>Splits <c>data</c> into k equal shards (zero-padded) and appends m parity shards.</summary>
    public byte[][] Encode(byte[] data)
    {
        Guard.NotNull(data);
        int shardLength = Math.Max(1, (data.Length + DataShards - 1) / DataShards);
        var shards = new byte[TotalShards][];
        for (int i = 0; i < DataShards; i++)
        {
            shards[i] = new byte[shardLength];
            int from = i * shardLength;
            if (from < data.Length) Array.Copy(data, from, shards[i], 0, Math.Min(shardLength, data.Length - from));
        }
        for (int p = 0; p < ParityShards; p++)
            shards[DataShards + p] = Combine(Row(DataShards + p), shards, shardLength);
        return shards;
    }

    /// <summary>Rebuilds missing shards (null entries) in place from any k present ones; throws
    /// <see cref="InvalidOperationException"/> when fewer than k survive.</summary>
    public void Reconstruct(byte[]?[] shards)
    {
        Guard.NotNull(shards);
        Guard.That(shards.Length == TotalShards, $"{TotalShards} shards (nulls for lost ones)", nameof(shards));
        var present = Enumerable.Range(0, TotalShards).Where(i => shards[i] is not null).ToList();
        if (present.Count < DataShards)
            throw new InvalidOperationException($"only {present.Count} of {TotalShards} shards survive; {DataShards} are needed");
        if (present.Count == TotalShards) return;
        int len = shards[present[0]]!.Length;
        var use = present.Take(DataShards).ToArray();
        var sub = new byte[DataShards, DataShards];
        for (int r = 0; r < DataShards; r++)
            for (int c = 0; c < DataShards; c++) sub[r, c] = encode[use[r], c];
        var decode = GF256.Invert(sub);
        var survivors = use.Select(i => shards[i]!).ToArray();
        var data = new byte[DataShards][];
        for (int d = 0; d < DataShards; d++)
        {
            var row = new byte[DataShards];
            for (int c = 0; c < DataShards; c++) row[c] = decode[d, c];
            data[d] = Combine(row, survivors, len);
        }
        for (int i = 0; i < TotalShards; i++)
            if (shards[i] is null) shards[i] = i < DataShards ? data[i] : Combine(Row(i), data, len);
    }

    /// <summary>The first <c>length</c> bytes of the data shards joined (the inverse of <see cref="Encode"/>).</summary>
    public byte[] Join(byte[]?[] shards, int length)
    {
        Guard.NotNull(shards);
        Guard.NonNegative(length);
        var all = shards.Take(DataShards).SelectMany(s => s ?? throw new ArgumentException("a data shard is missing", nameof(shards)));
        return all.Take(length).ToArray();
    }

    private byte[] Row(int r)
    {
        var row = new byte[DataShards];
        for (int c = 0; c < DataShards; c++) row[c] = encode[r, c];
        return row;
    }

    private static byte[] Combine(byte[] coefficients, byte[][] inputs, int len)
    {
        var output = new byte[len];
        for (int j = 0; j < coefficients.Length; j++)
        {
            byte c = coefficients[j];
            if (c == 0) continue;
            var input = inputs[j];
            for (int b = 0; b < len; b++) output[b] ^= GF256.Mul(c, input[b]);
        }
        return output;
    }
}

/// <summary>Seeded experiments on a code: lose random shards, reconstruct, compare.</summary>
public static class ErasureExperiments
{
    public sealed record LossTrial(int Lost, bool Recovered, string LostShards);

    /// <summary>For each trial, drop <c>lose</c> distinct random shards and try to recover the object.</summary>
    public static IReadOnlyList<LossTrial> RandomLosses(ReedSolomon code, byte[] data, int lose, int trials, int seed)
    {
        Guard.NotNull(code);
        Guard.NotNull(data);
        Guard.InRange(lose, 0, code.TotalShards);
        Guard.InRange(trials, 1, 100_000);
        var rng = new Random(seed);
        var encoded = code.Encode(data);
        var results = new List<LossTrial>();
        for (int t = 0; t < trials; t++)
        {
            var lost = Enumerable.Range(0, code.TotalShards).OrderBy(_ => rng.Next()).Take(lose).Order().ToArray();
            var shards = encoded.Select(s => (byte[]?)s.ToArray()).ToArray();
            foreach (int i in lost) shards[i] = null;
            bool ok;
            try
            {
                code.Reconstruct(shards);
                ok = code.Join(shards, data.Length).AsSpan().SequenceEqual(data)
                     && shards.Select((s, i) => s!.AsSpan().SequenceEqual(encoded[i])).All(b => b);
            }
            catch (InvalidOperationException) { ok = false; }
            results.Add(new LossTrial(lose, ok, string.Join(",", lost)));
        }
        return results;
    }
}
