using StackExchange.Redis;
using SystemDesign.Probabilistic;
using SystemDesign.Tests.RealSystems;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.Probabilistic;

/// <summary>Guards of the notebook helpers (SketchChecks, HllSimulation) and of RedisHyperLogLog: type and ParamName.</summary>
public sealed class ChecksGuardTests
{
    private const string Prefix = "nb18:guardtest:";

    [Fact]
    public void SketchChecks_reject_null_empty_and_out_of_range_arguments()
    {
        var row = new CountMinRowTest(4, 2, 10, 0);
        Null("counts", () => row.Sigma(null!, 4));
        OutOfRange("width", () => row.Sigma([1, 2], 0.5));
        OutOfRange("width", () => row.ExpectedMean(0.5));
        Null("counts", () => SketchChecks.OneRow(0.1, null!));
        Invalid("counts", () => SketchChecks.OneRow(0.1, Array.Empty<long>()));
        Null("counts", () => SketchChecks.OneRow(4, null!));
        Invalid("counts", () => SketchChecks.OneRow(4, Array.Empty<long>()));
        Invalid("counts", () => SketchChecks.ShuffledEvents(Array.Empty<long>(), 1));
        var topK = new TopK(3, 0.01, 0.01);
        Null("before", () => SketchChecks.Trending(null!, topK));
        Null("now", () => SketchChecks.Trending(topK, null!));
        Invalid("kValues", () => SketchChecks.MinHashEstimates(Array.Empty<int>(), [0.5], 1));
        Invalid("targets", () => SketchChecks.MinHashEstimates([4], Array.Empty<double>(), 1));
        OutOfRange("seeds", () => SketchChecks.MinHashEstimates([4], [0.5], 0));
        OutOfRange("seeds", () => SketchChecks.MinHashEstimates([4], [0.5], 1001));
        OutOfRange("size", () => SketchChecks.PairWithJaccard(0, 0.5));
        OutOfRange("jaccard", () => SketchChecks.PairWithJaccard(10, 1.5));
        Invalid("targets", () => SketchChecks.Banding(Array.Empty<double>(), 2, 2, 10, 1, 1));
        OutOfRange("bands", () => SketchChecks.Banding([0.5], 0, 2, 10, 1, 1));
        OutOfRange("bands", () => SketchChecks.Banding([0.5], 513, 2, 10, 1, 1));
        OutOfRange("rows", () => SketchChecks.Banding([0.5], 2, 0, 10, 1, 1));
        OutOfRange("rows", () => SketchChecks.Banding([0.5], 2, 65, 10, 1, 1));
        OutOfRange("bands * rows", () => SketchChecks.Banding([0.5], 512, 64, 10, 1, 1));
        OutOfRange("families", () => SketchChecks.Banding([0.5], 2, 2, 10, 0, 1));
    }

    [Fact]
    public void HllSimulation_rejects_null_and_out_of_range_arguments()
    {
        Null("random", () => HllSimulation.Stream(4, 10, null!));
        Invalid("u", () => HllSimulation.MaxRank(1, 0, 10));
        Invalid("u", () => HllSimulation.MaxRank(1, 1.5, 10));
        OutOfRange("cap", () => HllSimulation.MaxRank(1, 0.5, 0));
        OutOfRange("cap", () => HllSimulation.MaxRank(1, 0.5, 65));
        OutOfRange("sigma", () => HllSimulation.StdDevStandardError(-0.1, 10));
        OutOfRange("streams", () => HllSimulation.StdDevStandardError(0.1, 1));
        OutOfRange("streams", () => HllSimulation.Streams(4, 10, 0, 1));
        OutOfRange("precision", () => HllSimulation.RegisterDistribution(3, 10));
        OutOfRange("precision", () => HllSimulation.RegisterDistribution(19, 10));
        OutOfRange("items", () => HllSimulation.RegisterDistribution(4, -1));
        Null("histograms", () => HllSimulation.RegisterChiSquare(4, 10, null!));
        Invalid("histograms", () => HllSimulation.RegisterChiSquare(4, 10, Array.Empty<int[]>()));
        Invalid("histograms", () => HllSimulation.RegisterChiSquare(4, 10, [new int[3]]));
    }

    [Fact]
    public void RedisHyperLogLog_static_entries_reject_a_null_connection_before_touching_redis()
    {
        Null("db", () => new RedisHyperLogLog(null!, "k"));
        Null("db", () => RedisHyperLogLog.Merge(null!, "d", "s"));
        Null("db", () => RedisHyperLogLog.CountUnion(null!, "k"));
        Null("db", () => RedisHyperLogLog.MemoryUsage(null!, "k"));
        Null("db", () => RedisHyperLogLog.SetBytesPerMember(null!, "k", 10));
        Null("redis", () => RedisHyperLogLog.SparseMaxBytes(null!));
        Null("redis", () => RedisHyperLogLog.DeletePrefix(null!, Prefix));
        Null("redis", () => RedisHyperLogLog.CompareStreams(null!, Prefix, [10], 1, 1));
        Null("redis", () => RedisHllScale.Run(null!, Prefix, 20_000, 1, 1));
    }

    [SkippableFact]
    public void RedisHyperLogLog_entries_reject_bad_keys_counts_and_checkpoints()
    {
        using var redis = RealSystem.RequireRedis();
        var db = redis.GetDatabase();
        Invalid("key", () => new RedisHyperLogLog(db, ""));
        var hll = new RedisHyperLogLog(db, Prefix + "hll");
        Null("items", () => hll.Add(null!));
        OutOfRange("batchSize", () => hll.Add([(RedisValue)"a"], 0));
        OutOfRange("batchSize", () => hll.Add([(RedisValue)"a"], 1_000_001));
        Invalid("destination", () => RedisHyperLogLog.Merge(db, "", "s"));
        Invalid("sources", () => RedisHyperLogLog.Merge(db, "d"));
        Invalid("keys", () => RedisHyperLogLog.CountUnion(db));
        Invalid("key", () => RedisHyperLogLog.MemoryUsage(db, ""));
        Invalid("key", () => RedisHyperLogLog.SetBytesPerMember(db, "", 10));
        OutOfRange("members", () => RedisHyperLogLog.SetBytesPerMember(db, Prefix + "set", 0));
        Invalid("checkpoints", () => RedisHyperLogLog.CompareStreams(redis, Prefix, Array.Empty<long>(), 1, 1));
        Invalid("checkpoints", () => RedisHyperLogLog.CompareStreams(redis, Prefix, [10, 10], 1, 1));
        Invalid("checkpoints", () => RedisHyperLogLog.CompareStreams(redis, Prefix, [0, 10], 1, 1));
        OutOfRange("checkpoints[^1]", () => RedisHyperLogLog.CompareStreams(redis, Prefix, [10_000_001], 1, 1));
        OutOfRange("trials", () => RedisHyperLogLog.CompareStreams(redis, Prefix, [10], 0, 1));
        OutOfRange("cardinality", () => RedisHllScale.Run(redis, Prefix, 19_999, 1, 1));
        OutOfRange("streams", () => RedisHllScale.Run(redis, Prefix, 20_000, 0, 1));
        OutOfRange("seed", () => RedisHllScale.Run(redis, Prefix, 20_000, 1, 0));
        OutOfRange("seed", () => RedisHllScale.Run(redis, Prefix, 20_000, 1, 10));
    }

    [SkippableFact]
    public void RedisHyperLogLog_reads_refuse_a_key_that_is_not_a_dense_hll()
    {
        using var redis = RealSystem.RequireRedis();
        var db = redis.GetDatabase();
        try
        {
            db.StringSet(Prefix + "plain", "not an hll at all");
            var plain = new RedisHyperLogLog(db, Prefix + "plain");
            Invalid("Key", () => plain.Encoding());
            Invalid("Key", () => plain.DenseRegisters());
            var sparse = new RedisHyperLogLog(db, Prefix + "sparse");
            sparse.Add([(RedisValue)"a", (RedisValue)"b"]);
            Assert.Equal("sparse", sparse.Encoding());
            Assert.Equal(2, sparse.Count());
            Invalid("Key", () => sparse.DenseRegisters());
            var missing = new RedisHyperLogLog(db, Prefix + "missing");
            Assert.Equal("missing", missing.Encoding());
            Invalid("Key", () => missing.DenseRegisters());
        }
        finally
        {
            RedisHyperLogLog.DeletePrefix(redis, Prefix);
        }
    }
}
