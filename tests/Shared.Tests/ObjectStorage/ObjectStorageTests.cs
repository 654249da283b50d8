using SystemDesign.ObjectStorage;
using SystemDesign.RealSystems;
using SystemDesign.Tests.RealSystems;
using Xunit.Abstractions;

namespace SystemDesign.Tests.ObjectStorage;

public sealed class MultipartTests
{
    [Fact]
    public void Plan_respects_minimum_and_part_count()
    {
        var small = PartPlanner.Plan(12 * MultipartLimits.MiB, 5 * MultipartLimits.MiB);
        Assert.Equal(3, small.Parts);
        Assert.Equal(2 * MultipartLimits.MiB, small.LastPartBytes);
        long big = 100L * MultipartLimits.GiB;
        var p = PartPlanner.Plan(big);
        Assert.True(p.Parts <= MultipartLimits.MaxParts);
        Assert.Equal(big, (p.Parts - 1) * p.PartBytes + p.LastPartBytes);
        Assert.Equal(11 * MultipartLimits.MiB, PartPlanner.MinimumPartBytes(big));
        Assert.Equal(MultipartLimits.MinPartBytes, PartPlanner.MinimumPartBytes(1));
        Assert.Equal(PartPlanner.MinimumPartBytes(big), PartPlanner.BruteForceMinimumPartBytes(big));
        Assert.Equal("objectBytes", Assert.Throws<ArgumentOutOfRangeException>(() => PartPlanner.BruteForceMinimumPartBytes(0)).ParamName);
    }

    [Fact]
    public void Validate_names_s3_errors()
    {
        long M = MultipartLimits.MiB;
        Assert.Null(PartPlanner.Validate([5 * M, 5 * M, 1]));
        Assert.Equal("EntityTooSmall", PartPlanner.Validate([5 * M, 1, 5 * M]));
        Assert.Equal("EntityTooLarge", PartPlanner.Validate([6 * MultipartLimits.GiB]));
    }

    [Fact]
    public void Bad_input_names_the_parameter()
    {
        Assert.Equal("objectBytes", Assert.Throws<ArgumentOutOfRangeException>(() => PartPlanner.Plan(0)).ParamName);
        Assert.Equal("preferredPartBytes",
            Assert.Throws<ArgumentOutOfRangeException>(() => PartPlanner.Plan(10, 1)).ParamName);
        Assert.Equal("concurrency", Assert.Throws<ArgumentOutOfRangeException>(() =>
            UploadSimulator.Run(PartPlanner.Plan(100), 0, 1, 0, 1)).ParamName);
        Assert.Equal("failureProbability", Assert.Throws<ArgumentOutOfRangeException>(() =>
            UploadSimulator.ExpectedBytesSent(1, 1.0)).ParamName);
    }

    [Fact]
    public void Simulation_retries_only_failed_parts_and_matches_expected_bytes()
    {
        var plan = PartPlanner.Plan(4_000 * 5 * MultipartLimits.MiB, 5 * MultipartLimits.MiB);
        var run = UploadSimulator.Run(plan, 8, 10e6, 0.1, seed: 3);
        Assert.Equal(plan.ObjectBytes, run.Timeline[^1].BytesDone);
        Assert.True(run.Retries > 0);
        double expected = UploadSimulator.ExpectedBytesSent(plan.ObjectBytes, 0.1);
        Assert.InRange(run.BytesSent / expected, 0.98, 1.02);
        Assert.True(UploadSimulator.ExpectedBytesWholeObject(plan.ObjectBytes, plan.Parts, 0.1) > 1e6 * expected);
        Assert.Equal(plan.ObjectBytes, UploadSimulator.ExpectedBytesWholeObject(plan.ObjectBytes, 1, 0));
    }

    [Fact]
    public void Bytes_sent_spread_matches_its_formula()
    {
        var plan = PartPlanner.Plan(200 * 8 * MultipartLimits.MiB, 8 * MultipartLimits.MiB);
        var sent = Enumerable.Range(0, 200).Select(seed => (double)UploadSimulator.Run(plan, 4, 1e7, 0.2, seed).BytesSent).ToArray();
        double mean = sent.Average(), sd = Math.Sqrt(sent.Sum(x => (x - mean) * (x - mean)) / (sent.Length - 1));
        // The sample sd of 200 runs is within ~5 % (1/sqrt(2·199)) of the truth; 25 % is > 4 of those.
        Assert.InRange(sd / UploadSimulator.BytesSentStdDev(plan, 0.2), 0.75, 1.25);
        Assert.InRange(mean / UploadSimulator.ExpectedBytesSent(plan.ObjectBytes, 0.2), 0.99, 1.01);
    }

    [Fact]
    public void Store_enforces_entity_too_small_etags_and_abort()
    {
        var store = new MultipartStore(minPartBytes: 100);
        string id = store.Initiate("k");
        var a = new byte[100]; a[0] = 1;
        var b = new byte[10];
        string ea = store.UploadPart(id, 1, a), eb = store.UploadPart(id, 2, b);
        Assert.Equal(2, store.ListParts(id).Count);
        string etag = store.Complete(id, [(1, ea), (2, eb)]);
        Assert.Equal(PartPlanner.MultipartETag([a, b]), etag);
        Assert.EndsWith("-2", etag);
        Assert.Equal(110, store.Get("k").Length);
        string id2 = store.Initiate("k2");
        store.UploadPart(id2, 1, b);
        store.UploadPart(id2, 2, a);
        Assert.Equal("EntityTooSmall", Assert.Throws<S3ModelException>(() =>
            store.Complete(id2, store.ListParts(id2).Select(p => (p.PartNumber, p.ETag)).ToList())).Code);
        Assert.Equal("InvalidPart", Assert.Throws<S3ModelException>(() => store.Complete(id2, [(1, ea)])).Code);
        store.Abort(id2);
        Assert.Equal(0, store.OpenUploads);
        Assert.Equal("NoSuchUpload", Assert.Throws<S3ModelException>(() => store.ListParts(id2)).Code);
    }
}

public sealed class SigV4Tests
{
    private static PresignRequest Request(DateTime at, int expires = 900) => new("GET", "http", "127.0.0.1:9000",
        "bucket", "dir/my file.txt", "us-east-1", "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", at, expires);

    [Fact]
    public void Matches_the_aws_sdk_byte_for_byte()
    {
        var config = new Amazon.S3.AmazonS3Config
        {
            ServiceURL = "http://127.0.0.1:9000", ForcePathStyle = true, AuthenticationRegion = "us-east-1", UseHttp = true,
        };
        using var s3 = new Amazon.S3.AmazonS3Client(new Amazon.Runtime.BasicAWSCredentials("AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), config);
        string sdk = S3Lab.SdkPresign(s3, "bucket", "dir/my file.txt", DateTime.UtcNow.AddMinutes(15));
        var (at, exp) = S3Lab.SigningInputs(sdk);
        Assert.Equal(sdk, SigV4.Presign(Request(at, exp)));
    }

    [Fact]
    public void Validates_and_rejects_tampered_or_expired()
    {
        var at = new DateTime(2026, 12, 6, 3, 0, 0, DateTimeKind.Utc);
        string url = SigV4.Presign(Request(at));
        const string secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
        Assert.Equal(PresignVerdict.Valid, SigV4.Validate(url, "GET", secret, at.AddMinutes(14)));
        Assert.Equal(PresignVerdict.Expired, SigV4.Validate(url, "GET", secret, at.AddMinutes(16)));
        Assert.Equal(PresignVerdict.BadSignature, SigV4.Validate(url.Replace("my%20file", "my%20filf"), "GET", secret, at));
        Assert.Equal(PresignVerdict.BadSignature, SigV4.Validate(url.Replace("X-Amz-Expires=900", "X-Amz-Expires=9000"), "GET", secret, at));
        Assert.Equal(PresignVerdict.BadSignature, SigV4.Validate(url, "PUT", secret, at));
        Assert.Equal(PresignVerdict.Malformed, SigV4.Validate("http://x/y", "GET", secret, at));
    }

    [Fact]
    public void Aws_documented_signing_key_example()
    {
        // AWS docs, "Examples of how to derive a signing key for Signature Version 4" (iam service, 20120215).
        var key = SigV4.SigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam");
        Assert.Equal("f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d", Convert.ToHexStringLower(key));
    }

    [Fact]
    public void Bad_input_names_the_parameter()
    {
        Assert.Equal("ExpiresSeconds", Assert.Throws<ArgumentOutOfRangeException>(() =>
            SigV4.Presign(Request(DateTime.UtcNow, 0))).ParamName);
    }
}

public sealed class ChunkingTests
{
    [Fact]
    public void One_byte_insert_breaks_fixed_chunks_but_not_content_defined()
    {
        var data = Chunking.RandomBytes(1 << 20, 1);
        var edited = Chunking.Insert(data, 1000, [42]);
        var fixedR = Chunking.Dedup(new FixedChunker(8192), data, edited);
        var cdc = Chunking.Dedup(new GearChunker(8192), data, edited);
        Assert.Equal(0, fixedR.AlreadyStored);
        Assert.True(cdc.DedupRatio > 0.95, cdc.ToString());
        Assert.True(cdc.NewBytes < 4 * 8192 * 2);
    }

    [Fact]
    public void Chunks_cover_the_data_within_bounds()
    {
        var data = Chunking.RandomBytes(300_000, 2);
        var g = new GearChunker(4096);
        var chunks = g.Split(data);
        Assert.Equal(data.Length, chunks.Sum(c => c.Length));
        Assert.All(chunks.SkipLast(1), c => Assert.InRange(c.Length, g.MinSize, g.MaxSize));
        Assert.Equal("averageSize", Assert.Throws<ArgumentException>(() => new GearChunker(5000)).ParamName);
    }
}

public sealed class SyncTests
{
    [Fact]
    public void Cursor_delta_and_conflicted_copy()
    {
        var server = new SyncService();
        var a = new SyncDevice("laptop");
        var b = new SyncDevice("phone");
        Assert.Equal(CommitOutcome.Committed, a.Save(server, "docs/plan.txt", ["h1"]).Outcome);
        Assert.Equal(1, b.Pull(server));
        a.Save(server, "docs/plan.txt", ["h2"]);
        var r = b.Save(server, "docs/plan.txt", ["h3"]);
        Assert.Equal(CommitOutcome.ConflictedCopy, r.Outcome);
        Assert.Equal("docs/plan (phone's conflicted copy).txt", r.Path);
        Assert.Equal(2, server.CurrentVersion("docs/plan.txt"));
        Assert.Equal(["h1"], server.Missing(["h1", "h9"]).Count == 1 ? ["h1"] : new[] { "x" });
        var (changes, cursor, more) = server.ChangesSince(1, 1);
        Assert.Single(changes);
        Assert.True(more);
        Assert.Equal(2, cursor);
        Assert.Equal("docs/plan (phone's conflicted copy)", SyncService.ConflictedName("docs/plan", "phone"));
    }
}

public sealed class ReedSolomonTests
{
    [Fact]
    public void Gf256_tables_agree_with_schoolbook_multiplication()
    {
        for (int a = 0; a < 256; a++)
            for (int b = 0; b < 256; b++)
                Assert.Equal(GF256.MulSlow((byte)a, (byte)b), GF256.Mul((byte)a, (byte)b));
        for (int a = 1; a < 256; a++) Assert.Equal(1, GF256.Mul((byte)a, GF256.Inverse((byte)a)));
    }

    [Theory]
    [InlineData(6, 3)]
    [InlineData(10, 4)]
    [InlineData(4, 2)]
    public void Any_m_losses_recovered_m_plus_1_not(int k, int m)
    {
        var code = new ReedSolomon(k, m);
        var data = Chunking.RandomBytes(1001, k);
        Assert.All(ErasureExperiments.RandomLosses(code, data, m, 200, seed: 5), t => Assert.True(t.Recovered, t.LostShards));
        Assert.All(ErasureExperiments.RandomLosses(code, data, m + 1, 20, seed: 6), t => Assert.False(t.Recovered));
    }

    [Fact]
    public void Bad_input_names_the_parameter()
    {
        Assert.Equal("dataShards", Assert.Throws<ArgumentOutOfRangeException>(() => new ReedSolomon(0, 2)).ParamName);
        Assert.Equal("shards", Assert.Throws<ArgumentException>(() => new ReedSolomon(2, 1).Reconstruct(new byte[2][])).ParamName);
    }
}

public sealed class DurabilityTests
{
    [Fact]
    public void Exact_mttdl_matches_simulation_and_approximation()
    {
        var s = RedundancyScheme.Replication(3);
        double exact = Durability.MttdlHours(s, 0.01, 0.5);
        var (mean, se) = Durability.SimulateMttdlHours(s, 0.01, 0.5, 4000, 1);
        Assert.InRange(mean, exact - 4 * se, exact + 4 * se);
        double tiny = Durability.MttdlHours(s, 1e-6, 0.1), approx = Durability.MttdlApproxHours(s, 1e-6, 0.1);
        Assert.InRange(tiny / approx, 0.999, 1.001);
        // No repair: sum of 1/(iλ) for i = 3, 2, 1.
        Assert.Equal((1.0 / 3 + 1.0 / 2 + 1) / 0.01, Durability.MttdlHours(s, 0.01, 0), 6);
    }

    [Fact]
    public void Losses_within_a_horizon_follow_the_poisson_step()
    {
        var s = RedundancyScheme.Replication(3);
        double mttdl = Durability.MttdlHours(s, 0.01, 0.5);
        double share = Durability.SimulateLossWithin(s, 0.01, 0.5, mttdl, 4000, 3);
        Assert.InRange(share, 1 - Math.Exp(-1) - 0.035, 1 - Math.Exp(-1) + 0.035);
        Assert.Equal("horizonHours", Assert.Throws<ArgumentOutOfRangeException>(() =>
            Durability.SimulateLossWithin(s, 0.01, 0.5, 0, 1, 1)).ParamName);
    }

    [Fact]
    public void Erasure_code_beats_triple_replication_at_lower_overhead()
    {
        var rep = Durability.Estimate(RedundancyScheme.Replication(3), 0.02, 24);
        var rs = Durability.Estimate(RedundancyScheme.ErasureCode(10, 4), 0.02, 24);
        Assert.True(rs.Nines > rep.Nines);
        Assert.True(rs.Scheme.StorageOverhead < rep.Scheme.StorageOverhead);
        Assert.Equal("afr", Assert.Throws<ArgumentOutOfRangeException>(() => Durability.RatePerHour(0)).ParamName);
    }
}

public sealed class VideoCostTests
{
    [Fact]
    public void Egress_dominates_only_above_a_view_count()
    {
        var p = new VideoPrices();
        double[] h264 = [1.0];
        var few = VideoCost.FirstYear(0.1, 10, 0.5, VideoCost.Ladder, h264, 1.0, p);
        var many = VideoCost.FirstYear(0.1, 1e6, 0.5, VideoCost.Ladder, h264, 1.0, p);
        Assert.True(few.EgressShare < 0.5);
        Assert.True(many.EgressShare > 0.9);
        double v = VideoCost.ViewsForEgressShare(0.7, 0.1, 0.5, VideoCost.Ladder, h264, 1.0, p);
        Assert.InRange(VideoCost.FirstYear(0.1, v, 0.5, VideoCost.Ladder, h264, 1.0, p).EgressShare, 0.699, 0.701);
        Assert.Equal(2.25, VideoCost.GbPerHour(5000), 9);
    }
}

[Collection("S3 server")]
public sealed class S3RealTests(ITestOutputHelper output)
{
    // Two test processes share the server (Stryker): keys carry this run's id.
    private static readonly string Run = Guid.NewGuid().ToString("N")[..12];

    [SkippableFact]
    public void Multipart_with_a_flaky_part_round_trips()
    {
        using var s3 = RealSystem.RequireS3();
        S3Lab.EnsureBucket(s3, "test17");
        var data = Chunking.RandomBytes(3 * 1024 * 1024 + 5, 1);
        var run = S3Lab.UploadWithFlakyPart(s3, "test17", $"{Run}/mp/a.bin", data, 1 << 20, flakyPart: 2);
        output.WriteLine(string.Join("\n", run.Attempts));
        Assert.True(run.RoundTrips);
        Assert.Equal(1, run.Retries);
        Assert.Equal(data.Length + (1 << 19), run.BytesSent);
    }

    [SkippableFact]
    public void Documents_what_s3rver_does_not_implement()
    {
        using var s3 = RealSystem.RequireS3();
        S3Lab.EnsureBucket(s3, "test17");
        var small = S3Lab.CompleteWithParts(s3, "test17", $"{Run}/mp/small.bin", [new byte[1000], new byte[10]]);
        output.WriteLine(small.ToString());
        var la = S3Lab.ListAndAbort(s3, "test17", $"{Run}/mp/la.bin");
        output.WriteLine(la.ToString());
        Assert.Equal(1010, small.Size);
        Assert.NotEqual("OK", la.ListParts);
    }

    [SkippableFact]
    public void Presigned_urls_ours_equal_sdk_and_server_checks_expiry()
    {
        using var s3 = RealSystem.RequireS3();
        S3Lab.EnsureBucket(s3, "test17");
        S3Lab.PutObject(s3, "test17", $"{Run}/p/x.txt", "hello"u8.ToArray());
        string sdk = S3Lab.SdkPresign(s3, "test17", $"{Run}/p/x.txt", DateTime.UtcNow.AddMinutes(15));
        var (at, exp) = S3Lab.SigningInputs(sdk);
        var host = new Uri(Servers.S3Url).Authority;
        string ours = SigV4.Presign(new PresignRequest("GET", "http", host, "test17", $"{Run}/p/x.txt", "us-east-1",
            Servers.S3AccessKey, Servers.S3SecretKey, at, exp));
        output.WriteLine(sdk);
        Assert.Equal(sdk, ours);
        Assert.Equal(200, S3Lab.Fetch(ours).Status);
        string old = SigV4.Presign(new PresignRequest("GET", "http", host, "test17", $"{Run}/p/x.txt", "us-east-1",
            Servers.S3AccessKey, Servers.S3SecretKey, at.AddHours(-1), 60));
        var expired = S3Lab.Fetch(old);
        output.WriteLine(expired.ToString());
        Assert.Equal(403, expired.Status);
        var tampered = S3Lab.Fetch(ours[..^4] + "0000");
        output.WriteLine("tampered: " + tampered);
    }
}
