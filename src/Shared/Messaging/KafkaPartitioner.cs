using System.Text;

namespace SystemDesign.Messaging;

/// <summary>
/// Kafka's default partitioner for keyed records, as the Java client computes it:
/// <c>Utils.toPositive(Utils.murmur2(keyBytes)) % numPartitions</c>, where <c>murmur2</c> is MurmurHash2
/// (32-bit, seed 0x9747b28c) over the serialized key and <c>toPositive</c> clears the sign bit.
/// </summary>
public static class KafkaPartitioner
{
    /// <summary>Kafka's <c>Utils.murmur2</c>: MurmurHash2 with seed 0x9747b28c, as a signed 32-bit int.</summary>
    public static int Murmur2(byte[] data)
    {
        Guard.NotNull(data);
        unchecked
        {
            int length = data.Length;
            const uint m = 0x5bd1e995;
            const int r = 24;
            uint h = 0x9747b28c ^ (uint)length;
            int length4 = length / 4;
            for (int i = 0; i < length4; i++)
            {
                int i4 = i * 4;
                uint k = data[i4] | ((uint)data[i4 + 1] << 8) | ((uint)data[i4 + 2] << 16) | ((uint)data[i4 + 3] << 24);
                k *= m;
                k ^= k >> r;
                k *= m;
                h *= m;
                h ^= k;
            }
            int tail = length & ~3;
            switch (length % 4)
            {
                case 3:
                    h ^= (uint)data[tail + 2] << 16;
                    goto case 2;
                case 2:
                    h ^= (uint)data[tail + 1] << 8;
                    goto case 1;
                case 1:
                    h ^= data[tail];
                    h *= m;
                    break;
            }
            h ^= h >> 13;
            h *= m;
            h ^= h >> 15;
            return (int)h;
        }
    }

    /// <summary>Kafka's <c>Utils.toPositive</c>: the value with its sign bit cleared (not Math.Abs).</summary>
    public static int ToPositive(int value) => value & 0x7fffffff;

    /// <summary>The partition of a keyed record: toPositive(murmur2(key)) mod partitions.</summary>
    public static int PartitionFor(byte[] keyBytes, int partitions)
    {
        Guard.NotNull(keyBytes);
        Guard.InRange(partitions, 1, 1_000_000);
        return ToPositive(Murmur2(keyBytes)) % partitions;
    }

    /// <summary>The partition of a string key serialized as UTF-8 (Kafka's StringSerializer).</summary>
    public static int PartitionFor(string key, int partitions) =>
        PartitionFor(Encoding.UTF8.GetBytes(Guard.NotNull(key)), partitions);

    /// <summary>Share of uniformly hashed keys whose partition changes from <paramref name="before"/> to
    /// <paramref name="after"/> partitions: counted over one period lcm(before, after) of the hash values
    /// (a hash h keeps its partition iff h mod before = h mod after). Needs no hash function at all.</summary>
    public static double ExpectedMovedShare(int before, int after)
    {
        Guard.InRange(before, 1, 10_000);
        Guard.InRange(after, 1, 10_000);
        long lcm = (long)before / Gcd(before, after) * after;
        long stay = 0;
        for (long h = 0; h < lcm; h++)
            if (h % before == h % after) stay++;
        return 1 - (double)stay / lcm;
    }

    private static long Gcd(long a, long b) => b == 0 ? a : Gcd(b, a % b);

    /// <summary>Share of <paramref name="keys"/> whose partition (by <see cref="PartitionFor(string,int)"/>)
    /// changes when the topic grows from <paramref name="before"/> to <paramref name="after"/> partitions.</summary>
    public static double MeasuredMovedShare(IReadOnlyList<string> keys, int before, int after)
    {
        Guard.NotEmpty(keys);
        int moved = keys.Count(k => PartitionFor(k, before) != PartitionFor(k, after));
        return (double)moved / keys.Count;
    }
}

/// <summary>How a producer picks a partition for records without a key.</summary>
public enum UnkeyedStrategy
{
    /// <summary>Each record to the next partition (Kafka before 2.4; RoundRobinPartitioner).</summary>
    RoundRobin,
    /// <summary>All records to one partition until its batch is sent, then another (KIP-480, Kafka 2.4+;
    /// KIP-794's built-in partitioner since 3.3 switches after batch.size bytes per partition).</summary>
    Sticky,
}

/// <summary>One producer batch: the partition it went to and how many records it held.</summary>
public sealed record ProducerBatch(int Partition, int Records, double SentAt);

/// <summary>The result of <see cref="ProducerBatching.Run"/>.</summary>
public sealed record BatchingResult(UnkeyedStrategy Strategy, int Records, IReadOnlyList<ProducerBatch> Batches, int[] RecordsPerPartition)
{
    /// <summary>Mean records per batch (bigger batches: fewer requests, better compression).</summary>
    public double MeanBatchRecords => Batches.Count == 0 ? 0 : (double)Records / Batches.Count;

    /// <summary>Standard error of <see cref="MeanBatchRecords"/> by batch means: the batches, in send order, are
    /// cut into 20 blocks and the SD of the block means is divided by √20 (batches of different partitions share
    /// arrivals, so they are not independent and the plain SD/√n understates the error).</summary>
    public double MeanBatchStdErr
    {
        get
        {
            const int blocks = 20;
            if (Batches.Count < 2 * blocks) return 0;
            var ordered = Batches.OrderBy(b => b.SentAt).ToList();
            var means = Enumerable.Range(0, blocks).Select(i =>
            {
                var block = ordered.Skip(i * ordered.Count / blocks).Take((i + 1) * ordered.Count / blocks - i * ordered.Count / blocks).ToList();
                return block.Average(b => (double)b.Records);
            }).ToList();
            double mean = means.Average();
            double var = means.Sum(m => (m - mean) * (m - mean)) / (blocks - 1);
            return Math.Sqrt(var / blocks);
        }
    }
}

/// <summary>
/// A producer's record accumulator for unkeyed records: one open batch per partition, sent when it holds
/// <c>batchRecords</c> records (batch.size) or <c>lingerMs</c> after its first record (linger.ms).
/// Arrivals are Poisson. Round-robin spreads consecutive records over all partitions, so each batch collects
/// only 1/P of the arrivals during a linger; sticky sends every record to one partition until that batch is
/// sent, then switches to another partition chosen at random (never the same one twice in a row).
/// </summary>
public static class ProducerBatching
{
    public static BatchingResult Run(UnkeyedStrategy strategy, int partitions, double recordsPerSecond,
        double lingerMs, int batchRecords, int records, int seed)
    {
        Guard.InRange(partitions, 1, 10_000);
        Guard.InRange(recordsPerSecond, 1e-3, 1e9);
        Guard.InRange(lingerMs, 0, 60_000);
        Guard.InRange(batchRecords, 1, 1_000_000);
        Guard.InRange(records, 1, 10_000_000);
        var rng = new Random(seed);
        var open = new int[partitions];
        var openedAt = new double[partitions];
        var perPartition = new int[partitions];
        var batches = new List<ProducerBatch>();
        double linger = lingerMs / 1000, t = 0;
        int next = 0, sticky = rng.Next(partitions);
        void Send(int p, double at)
        {
            batches.Add(new ProducerBatch(p, open[p], at));
            open[p] = 0;
            if (strategy == UnkeyedStrategy.Sticky && p == sticky && partitions > 1)
            {
                int s = rng.Next(partitions - 1);
                sticky = s >= sticky ? s + 1 : s;
            }
        }
        for (int i = 0; i < records; i++)
        {
            t += -Math.Log(1 - rng.NextDouble()) / recordsPerSecond;
            // Batches whose linger expired before this arrival are sent first (oldest first).
            while (true)
            {
                int oldest = -1;
                for (int p = 0; p < partitions; p++)
                    if (open[p] > 0 && openedAt[p] + linger <= t && (oldest < 0 || openedAt[p] < openedAt[oldest])) oldest = p;
                if (oldest < 0) break;
                Send(oldest, openedAt[oldest] + linger);
            }
            int target = strategy == UnkeyedStrategy.RoundRobin ? next++ % partitions : sticky;
            if (open[target] == 0) openedAt[target] = t;
            open[target]++;
            perPartition[target]++;
            if (open[target] >= batchRecords) Send(target, t);
        }
        foreach (int p in Enumerable.Range(0, partitions).Where(p => open[p] > 0).ToList()) Send(p, openedAt[p] + linger);
        return new BatchingResult(strategy, records, batches, perPartition);
    }
}
