using StackExchange.Redis;

namespace SystemDesign.Probabilistic;

/// <summary>One checkpoint of a stream fed to both Redis and <see cref="HyperLogLog"/>.</summary>
public sealed record RedisHllSample(int Trial, long Cardinality, long Redis, double Ours, double OursErtl, long RedisBytes, long ValueBytes, string Encoding)
{
    /// <summary>Our Ertl estimator applied to Redis's own dense registers (NaN while the key is sparse).</summary>
    public double OursOnRedisRegisters { get; init; } = double.NaN;

    public double RedisError => (double)Redis / Cardinality - 1;
    public double OursError => Ours / Cardinality - 1;
    public double OursErtlError => OursErtl / Cardinality - 1;
}

/// <summary>
/// A Redis HyperLogLog key (PFADD, PFCOUNT, PFMERGE) plus what Redis says about its storage: MEMORY USAGE,
/// STRLEN and the encoding byte of the value ("HYLL" header, then 0 = dense, 1 = sparse). Redis starts a
/// key in the sparse encoding (run-length coded registers, a few bytes for a small set) and converts it to
/// the dense 12 KB form when the sparse form would exceed hll-sparse-max-bytes (3000 by default).
/// </summary>
public sealed class RedisHyperLogLog
{
    private readonly IDatabase _db;

    public string Key { get; }

    public RedisHyperLogLog(IDatabase db, string key)
    {
        _db = Guard.NotNull(db);
        Key = Guard.NotEmpty(key);
    }

    /// <summary>PFADD in batches of <paramref name="batchSize"/>, all sent pipelined and awaited together.</summary>
    public void Add(IEnumerable<RedisValue> items, int batchSize = 1000)
    {
        Guard.NotNull(items);
        Guard.InRange(batchSize, 1, 1_000_000);
        var pending = items.Chunk(batchSize).Select(batch => _db.HyperLogLogAddAsync(Key, batch)).ToArray();
        Task.WaitAll(pending);
    }

    /// <summary>PFCOUNT: Redis's estimate.</summary>
    public long Count() => _db.HyperLogLogLength(Key);

    /// <summary>MEMORY USAGE key SAMPLES 0: bytes Redis attributes to the key, value and overhead.</summary>
    public long MemoryUsage() => MemoryUsage(_db, Key);

    /// <summary>STRLEN: bytes of the HLL value itself (a dense one is 16 header bytes + 12,288).</summary>
    public long StoredBytes() => _db.StringLength(Key);

    /// <summary>"dense" or "sparse", read from the value's header; "missing" for no key.</summary>
    public string Encoding()
    {
        byte[]? value = _db.StringGet(Key);
        if (value is null) return "missing";
        Guard.That(value.Length > 4 && value[0] == 'H' && value[1] == 'Y' && value[2] == 'L' && value[3] == 'L', $"{Key} is not a HyperLogLog", nameof(Key));
        return value[4] switch { 0 => "dense", 1 => "sparse", _ => "raw" };
    }

    /// <summary>
    /// Redis's registers as a <see cref="HyperLogLog"/>: GET the value, check it is a dense "HYLL", and load the
    /// 12,288 bytes after the 16-byte header (Redis packs 6-bit registers the way <see cref="HyperLogLog"/> does).
    /// </summary>
    public HyperLogLog DenseRegisters()
    {
        byte[]? value = _db.StringGet(Key);
        Guard.That(value is not null && value.Length == 16 + HyperLogLog.DenseBytes(14) && value[4] == 0,
            $"{Key} must hold a dense HyperLogLog ({16 + HyperLogLog.DenseBytes(14)} bytes)", nameof(Key));
        return HyperLogLog.FromDenseRegisters(14, value.AsSpan(16));
    }

    /// <summary>PFMERGE destination sources…: the destination becomes the register-wise max.</summary>
    public static RedisHyperLogLog Merge(IDatabase db, string destination, params string[] sources)
    {
        Guard.NotNull(db);
        Guard.NotEmpty(destination);
        Guard.NotEmpty(sources);
        db.HyperLogLogMerge(destination, sources.Select(s => (RedisKey)s).ToArray());
        return new RedisHyperLogLog(db, destination);
    }

    /// <summary>PFCOUNT k1 k2 …: the estimate of the union, without storing it.</summary>
    public static long CountUnion(IDatabase db, params string[] keys)
    {
        Guard.NotNull(db);
        Guard.NotEmpty(keys);
        return db.HyperLogLogLength(keys.Select(k => (RedisKey)k).ToArray());
    }

    /// <summary>MEMORY USAGE for any key (0 when it does not exist).</summary>
    public static long MemoryUsage(IDatabase db, string key)
    {
        Guard.NotNull(db);
        Guard.NotEmpty(key);
        var reply = db.Execute("MEMORY", "USAGE", key, "SAMPLES", "0");
        return reply.IsNull ? 0 : (long)reply;
    }

    /// <summary>
    /// The exact alternative: SADD <paramref name="members"/> distinct integers to a Redis set (pipelined),
    /// read MEMORY USAGE, delete the key. Returns bytes per member.
    /// </summary>
    public static double SetBytesPerMember(IDatabase db, string key, int members)
    {
        Guard.NotNull(db);
        Guard.NotEmpty(key);
        Guard.InRange(members, 1, 10_000_000);
        db.KeyDelete(key);
        try
        {
            var pending = Enumerable.Range(0, members).Select(i => (RedisValue)(1_000_000_000L + i)).Chunk(1000)
                .Select(batch => db.SetAddAsync(key, batch)).ToArray();
            Task.WaitAll(pending);
            return (double)MemoryUsage(db, key) / members;
        }
        finally
        {
            db.KeyDelete(key);
        }
    }

    /// <summary>CONFIG GET hll-sparse-max-bytes: the sparse-to-dense threshold.</summary>
    public static long SparseMaxBytes(IConnectionMultiplexer redis)
    {
        Guard.NotNull(redis);
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        return long.Parse(server.ConfigGet("hll-sparse-max-bytes").Single().Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Deletes every key starting with <paramref name="prefix"/> (SCAN, then DEL); returns how many.</summary>
    public static long DeletePrefix(IConnectionMultiplexer redis, string prefix)
    {
        Guard.That(!string.IsNullOrEmpty(prefix) && prefix.EndsWith(':') && !prefix.Contains('*'), $"prefix must look like 'nb18:' (non-empty, ending with ':', no '*'); got '{prefix}'", nameof(prefix));
        Guard.NotNull(redis);
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var keys = server.Keys(pattern: prefix + "*", pageSize: 1000).ToArray();
        return keys.Length == 0 ? 0 : redis.GetDatabase().KeyDelete(keys);
    }

    /// <summary>
    /// Feeds the same streams of distinct items to Redis (key prefix + trial) and to our sketch with p = 14,
    /// recording both estimates and Redis's memory and encoding at each checkpoint. Keys are deleted at the
    /// start and the end.
    /// </summary>
    public static IReadOnlyList<RedisHllSample> CompareStreams(IConnectionMultiplexer redis, string prefix, IReadOnlyList<long> checkpoints, int trials, int seed)
    {
        Guard.NotNull(redis);
        Guard.NotEmpty(checkpoints);
        Guard.That(checkpoints.Zip(checkpoints.Skip(1)).All(p => p.First < p.Second) && checkpoints[0] >= 1,
            "checkpoints must be positive and strictly ascending", nameof(checkpoints));
        Guard.InRange(checkpoints[^1], 1, 10_000_000);
        Guard.InRange(trials, 1, 1000);
        DeletePrefix(redis, prefix);
        var db = redis.GetDatabase();
        var samples = new List<RedisHllSample>();
        try
        {
            for (int t = 0; t < trials; t++)
            {
                var key = new RedisHyperLogLog(db, $"{prefix}trial:{t}");
                var ours = new HyperLogLog(14);
                int stream = seed * 100_003 + t;
                long i = 0;
                foreach (long checkpoint in checkpoints)
                {
                    var batch = new RedisValue[checkpoint - i];
                    for (int j = 0; i < checkpoint; i++, j++)
                    {
                        byte[] item = StreamItems.Item(stream, i);
                        ours.Add(item);
                        batch[j] = item;
                    }
                    key.Add(batch);
                    string encoding = key.Encoding();
                    samples.Add(new RedisHllSample(t, checkpoint, key.Count(), ours.Estimate(), ours.Estimate(HllEstimator.Ertl), key.MemoryUsage(), key.StoredBytes(), encoding)
                    {
                        OursOnRedisRegisters = encoding == "dense" ? key.DenseRegisters().Estimate(HllEstimator.Ertl) : double.NaN,
                    });
                }
            }
        }
        finally
        {
            DeletePrefix(redis, prefix);
        }
        return samples;
    }
}

/// <summary>One Redis HyperLogLog key filled with n distinct integers: PFCOUNT and our estimator on its registers.</summary>
public sealed record RedisScaleSample(int Stream, long Cardinality, long Redis, double OursOnRedisRegisters, int[] Histogram)
{
    /// <summary>Redis's relative error.</summary>
    public double Error => (double)Redis / Cardinality - 1;
}

/// <summary>Redis's HyperLogLog at scale: many independent keys of n distinct members each.</summary>
public static class RedisHllScale
{
    /// <summary>
    /// For each of <paramref name="streams"/> keys (prefix + "scale:" + s), PFADDs the distinct integers
    /// seed·10^9 + s·10^7 + 0..n − 1 in pipelined batches of 10,000 (all keys in flight together), then reads
    /// PFCOUNT and the dense registers (GET), on which our Ertl estimator is evaluated. Keys are deleted at
    /// the start and the end.
    /// </summary>
    public static IReadOnlyList<RedisScaleSample> Run(IConnectionMultiplexer redis, string prefix, int cardinality, int streams, int seed)
    {
        Guard.NotNull(redis);
        Guard.InRange(cardinality, 20_000, 9_999_999);
        Guard.InRange(streams, 1, 99);
        Guard.InRange(seed, 1, 9);
        RedisHyperLogLog.DeletePrefix(redis, prefix);
        var db = redis.GetDatabase();
        try
        {
            var keys = Enumerable.Range(0, streams).Select(s => new RedisHyperLogLog(db, $"{prefix}scale:{s}")).ToArray();
            var pending = new List<Task>();
            for (int s = 0; s < streams; s++)
            {
                long first = seed * 1_000_000_000L + s * 10_000_000L;
                for (int from = 0; from < cardinality; from += 10_000)
                {
                    var batch = new RedisValue[Math.Min(10_000, cardinality - from)];
                    for (int j = 0; j < batch.Length; j++) batch[j] = first + from + j;
                    pending.Add(db.HyperLogLogAddAsync(keys[s].Key, batch));
                }
            }
            Task.WaitAll(pending.ToArray());
            return keys.Select((k, s) =>
            {
                var registers = k.DenseRegisters();
                return new RedisScaleSample(s, cardinality, k.Count(), registers.Estimate(HllEstimator.Ertl), registers.RegisterHistogram());
            }).ToList();
        }
        finally
        {
            RedisHyperLogLog.DeletePrefix(redis, prefix);
        }
    }
}
