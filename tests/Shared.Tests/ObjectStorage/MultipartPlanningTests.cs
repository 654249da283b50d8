using SystemDesign.ObjectStorage;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.ObjectStorage;

public sealed class MultipartPlanningTests
{
    private const long M = MultipartLimits.MiB;

    [Fact]
    public void Limits_are_s3_s_numbers()
    {
        Assert.Equal(10_000L * 5 * MultipartLimits.GiB, MultipartLimits.MaxObjectFromParts);
        Assert.Equal(5L << 20, MultipartLimits.MinPartBytes);
        Assert.Equal(5L << 30, MultipartLimits.MaxPartBytes);
    }

    [Theory]
    [InlineData(1, 5)]
    [InlineData(10_000 * 5 * M, 5)]
    [InlineData(10_000 * 5 * M + 1, 6)]
    [InlineData(10_000 * 6 * M - 1, 6)]
    [InlineData(10_000 * 6 * M, 6)]
    [InlineData(10_000 * 6 * M + 1, 7)]
    [InlineData(10_000 * 5 * MultipartLimits.GiB, 5 * 1024)]
    public void Minimum_part_size_is_the_smallest_whole_mib_that_fits_ten_thousand_parts(long objectBytes, long mib)
    {
        Assert.Equal(mib * M, PartPlanner.MinimumPartBytes(objectBytes));
        Assert.Equal(mib * M, PartPlanner.BruteForceMinimumPartBytes(objectBytes));
    }

    [Fact]
    public void Plan_cuts_equal_parts_and_a_shorter_last_one()
    {
        var p = PartPlanner.Plan(12 * M, 5 * M);
        Assert.Equal(new PartPlan(12 * M, 5 * M, 3, 2 * M), p);
        Assert.Equal(0, p.Offset(1));
        Assert.Equal(10 * M, p.Offset(3));
        Assert.Equal(5 * M, p.Size(2));
        Assert.Equal(2 * M, p.Size(3));
        Assert.Equal(new PartPlan(16 * M, 8 * M, 2, 8 * M), PartPlanner.Plan(16 * M));
        Assert.Equal(new PartPlan(1, 8 * M, 1, 1), PartPlanner.Plan(1));
        // An object too big for 10,000 parts of the preferred size gets the minimum part size instead.
        var big = PartPlanner.Plan(10_000 * 6 * M + 1, 5 * M);
        Assert.Equal(7 * M, big.PartBytes);
        Assert.Equal(8572, big.Parts);
        Assert.Equal(10_000 * 6 * M + 1 - 8571 * 7 * M, big.LastPartBytes);
        Assert.Equal(MultipartLimits.MaxPartBytes, PartPlanner.Plan(10, MultipartLimits.MaxPartBytes).PartBytes);
    }

    [Fact]
    public void Validate_names_each_s3_error_at_its_boundary()
    {
        Assert.Equal("MalformedXML", PartPlanner.Validate([]));
        Assert.Null(PartPlanner.Validate([1]));
        Assert.Null(PartPlanner.Validate([5 * M, 1]));
        Assert.Equal("EntityTooSmall", PartPlanner.Validate([5 * M - 1, 1]));
        Assert.Null(PartPlanner.Validate([MultipartLimits.MaxPartBytes, MultipartLimits.MaxPartBytes]));
        Assert.Equal("EntityTooLarge", PartPlanner.Validate([5 * M, MultipartLimits.MaxPartBytes + 1]));
        Assert.Null(PartPlanner.Validate(Enumerable.Repeat(5 * M, 10_000).ToList()));
        Assert.Equal("InvalidArgument", PartPlanner.Validate(Enumerable.Repeat(5 * M, 10_001).ToList()));
    }

    [Fact]
    public void Multipart_etag_is_the_md5_of_the_part_md5s_and_the_count()
    {
        Assert.Equal("860df6524f1300aab8ff4bbe75852ada-2", PartPlanner.MultipartETag(["a"u8.ToArray(), "bc"u8.ToArray()]));
        Assert.EndsWith("-1", PartPlanner.MultipartETag([[1]]));
    }

    [Fact]
    public void Upload_run_counts_retries_and_retried_parts()
    {
        var run = new UploadRun(PartPlanner.Plan(1), 1, [], [1, 3, 1, 2], 0, 0);
        Assert.Equal(3, run.Retries);
        Assert.Equal(2, run.PartsRetried);
    }

    [Fact]
    public void Upload_without_failures_runs_parts_concurrency_at_a_time()
    {
        var plan = PartPlanner.Plan(12 * M, 5 * M); // 5, 5, 2 MiB
        var run = UploadSimulator.Run(plan, 2, M, 0, seed: 1);
        Assert.Equal(7, run.Seconds, 12);
        Assert.Equal(12 * M, run.BytesSent);
        Assert.Equal(new[] { 1, 1, 1 }, run.AttemptsPerPart);
        Assert.Same(plan, run.Plan);
        Assert.Equal(2, run.Concurrency);
        Assert.Equal(0, run.Retries);
        Assert.Equal(
            new[]
            {
                new UploadProgress(0, 0, 0, 0), new UploadProgress(5, 5 * M, 5 * M, 2),
                new UploadProgress(5, 10 * M, 10 * M, 1), new UploadProgress(7, 12 * M, 12 * M, 0),
            },
            run.Timeline);
        var serial = UploadSimulator.Run(plan, 1, 2 * M, 0, seed: 1);
        Assert.Equal(6, serial.Seconds, 12);
        Assert.Equal(4, serial.Timeline.Count);
    }

    [Fact]
    public void Upload_with_failures_of_a_seeded_run_is_fixed()
    {
        var plan = PartPlanner.Plan(33 * M, 5 * M); // 7 parts
        var run = UploadSimulator.Run(plan, 3, M, 0.3, seed: 11);
        Assert.Equal(GoldenAttempts, run.AttemptsPerPart);
        Assert.Equal(GoldenBytesSent, run.BytesSent);
        Assert.Equal(GoldenSeconds, run.Seconds, 9);
        Assert.Equal(33 * M, run.Timeline[^1].BytesDone);
        Assert.Equal(run.BytesSent, run.Timeline[^1].BytesSent);
        Assert.Equal(run.AttemptsPerPart.Sum() + 1, run.Timeline.Count);
        Assert.True(run.BytesSent > plan.ObjectBytes);
        Assert.All(run.Timeline.Zip(run.Timeline.Skip(1)), t =>
        {
            Assert.True(t.Second.Seconds >= t.First.Seconds);
            Assert.True(t.Second.BytesSent > t.First.BytesSent);
            Assert.InRange(t.Second.PartsInFlight, 0, 3);
        });
    }

    private static readonly int[] GoldenAttempts = [1, 2, 1, 2, 1, 1, 1];
    private const long GoldenBytesSent = 37898950;
    private const double GoldenSeconds = 13.143255233764648;

    [Fact]
    public void Expected_bytes_sent_add_half_a_part_per_expected_failure()
    {
        Assert.Equal(1125, UploadSimulator.ExpectedBytesSent(1000, 0.2), 9);
        Assert.Equal(1000, UploadSimulator.ExpectedBytesSent(1000, 0), 9);
    }

    [Fact]
    public void Bytes_sent_std_dev_is_the_formula()
    {
        var plan = PartPlanner.Plan(40 * M, 8 * M); // 5 parts of 8 MiB
        double p = 0.2, q = 0.8, perPart = p / q / 12 + p / (q * q) / 4;
        Assert.Equal(8 * M * Math.Sqrt(5 * perPart), UploadSimulator.BytesSentStdDev(plan, p), 6);
        Assert.Equal(0, UploadSimulator.BytesSentStdDev(plan, 0));
    }

    [Fact]
    public void Whole_object_retries_waste_the_parts_sent_before_a_failure()
    {
        // One part: the same as a multipart part, 1 + p/(2q).
        Assert.Equal(1125, UploadSimulator.ExpectedBytesWholeObject(1000, 1, 0.2), 9);
        // Two parts at p = 0.5: success 1/4, a failed attempt wastes (0.5·0.5 + 0.25·1.5)/0.75 parts, 3 failures.
        Assert.Equal(2250, UploadSimulator.ExpectedBytesWholeObject(1000, 2, 0.5), 9);
        // Three parts at p = 0.5: success 1/8, waste (0.25 + 0.375 + 0.3125)/0.875 parts, 7 failures.
        Assert.Equal(1000 + 7 * (0.9375 / 0.875) * 1000 / 3.0, UploadSimulator.ExpectedBytesWholeObject(1000, 3, 0.5), 9);
        Assert.Equal(1000, UploadSimulator.ExpectedBytesWholeObject(1000, 10_000, 0));
    }

    [Fact]
    public void Planning_guards_name_their_parameter()
    {
        long max = MultipartLimits.MaxObjectFromParts;
        OutOfRange("objectBytes", () => PartPlanner.MinimumPartBytes(0));
        OutOfRange("objectBytes", () => PartPlanner.MinimumPartBytes(max + 1));
        OutOfRange("objectBytes", () => PartPlanner.BruteForceMinimumPartBytes(max + 1));
        OutOfRange("objectBytes", () => PartPlanner.Plan(max + 1));
        OutOfRange("preferredPartBytes", () => PartPlanner.Plan(10, 5 * M - 1));
        OutOfRange("preferredPartBytes", () => PartPlanner.Plan(10, MultipartLimits.MaxPartBytes + 1));
        Null("partSizes", () => PartPlanner.Validate(null!));
        Null("parts", () => PartPlanner.MultipartETag(null!));
        Invalid("parts", () => PartPlanner.MultipartETag([]), "at least one part");
        var plan = PartPlanner.Plan(100);
        Null("plan", () => UploadSimulator.Run(null!, 1, 1, 0, 1));
        OutOfRange("concurrency", () => UploadSimulator.Run(plan, 1001, 1, 0, 1));
        OutOfRange("bytesPerSecondPerStream", () => UploadSimulator.Run(plan, 1, 0, 0, 1));
        OutOfRange("failureProbability", () => UploadSimulator.Run(plan, 1, 1, 0.91, 1));
        OutOfRange("failureProbability", () => UploadSimulator.ExpectedBytesSent(1, -0.1));
        Null("plan", () => UploadSimulator.BytesSentStdDev(null!, 0.1));
        OutOfRange("failureProbability", () => UploadSimulator.BytesSentStdDev(plan, 0.95));
        OutOfRange("parts", () => UploadSimulator.ExpectedBytesWholeObject(1, 0, 0.1));
        OutOfRange("parts", () => UploadSimulator.ExpectedBytesWholeObject(1, 10_001, 0.1));
        OutOfRange("failureProbability", () => UploadSimulator.ExpectedBytesWholeObject(1, 1, 0.95));
    }
}

public sealed class MultipartStoreTests
{
    private static byte[] Bytes(int n, byte fill) => Enumerable.Repeat(fill, n).ToArray();
    private static string Md5(byte[] b) => Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(b));

    [Fact]
    public void Uploads_get_increasing_ids_and_count_as_open()
    {
        var store = new MultipartStore();
        Assert.Equal(MultipartLimits.MinPartBytes, store.MinPartBytes);
        Assert.Equal("upload-1", store.Initiate("a"));
        Assert.Equal("upload-2", store.Initiate("a"));
        Assert.Equal(2, store.OpenUploads);
        Assert.Equal(0, store.StoredPartBytes);
    }

    [Fact]
    public void Parts_overwrite_by_number_and_list_in_order_with_their_md5()
    {
        var store = new MultipartStore(10);
        string id = store.Initiate("k"), other = store.Initiate("k2");
        var data = Bytes(20, 1);
        Assert.Equal(Md5(data), store.UploadPart(id, 3, data));
        data[0] = 9; // the store keeps its own copy
        store.UploadPart(id, 1, Bytes(15, 2));
        store.UploadPart(id, 1, Bytes(12, 3));
        store.UploadPart(other, 1, Bytes(7, 4));
        Assert.Equal(
            new[] { new PartInfo(1, 12, Md5(Bytes(12, 3))), new PartInfo(3, 20, Md5(Bytes(20, 1))) },
            store.ListParts(id));
        Assert.Equal(12 + 20 + 7, store.StoredPartBytes);
        Assert.Equal(Md5([1]), store.UploadPart(id, 10_000, [1]));
        Assert.Equal(new[] { 1, 3, 10_000 }, store.ListParts(id).Select(p => p.PartNumber));
    }

    [Fact]
    public void Complete_joins_the_listed_parts_frees_the_upload_and_stores_the_object()
    {
        var store = new MultipartStore(10);
        string id = store.Initiate("obj");
        byte[] a = Bytes(10, 1), b = Bytes(11, 2), c = Bytes(3, 3);
        string ea = store.UploadPart(id, 1, a), eb = store.UploadPart(id, 2, b), ec = store.UploadPart(id, 4, c);
        // Parts at exactly the minimum are allowed; ETags may be quoted; unlisted parts are left out.
        string etag = store.Complete(id, [(1, $"\"{ea}\""), (4, ec)]);
        Assert.Equal(PartPlanner.MultipartETag([a, c]), etag);
        Assert.Equal(a.Concat(c).ToArray(), store.Get("obj"));
        Assert.Equal(0, store.OpenUploads);
        Assert.Equal("NoSuchUpload", Assert.Throws<S3ModelException>(() => store.ListParts(id)).Code);
        Assert.NotEqual(eb, etag);
    }

    [Fact]
    public void Complete_rejects_what_s3_rejects()
    {
        var store = new MultipartStore(10);
        string id = store.Initiate("obj");
        string e1 = store.UploadPart(id, 1, Bytes(10, 1)), e2 = store.UploadPart(id, 2, Bytes(9, 2));
        string e3 = store.UploadPart(id, 3, Bytes(10, 3));
        S3ModelException Fails(IReadOnlyList<(int, string)> parts) => Assert.Throws<S3ModelException>(() => store.Complete(id, parts));
        Assert.Equal("MalformedXML: no parts listed", Fails([]).Message);
        Assert.Equal("InvalidPartOrder: parts must be listed in ascending order", Fails([(2, e2), (1, e1)]).Message);
        Assert.Equal("InvalidPartOrder", Fails([(1, e1), (1, e1)]).Code);
        Assert.Equal("InvalidPartOrder", Fails([(1, e1), (3, e3), (2, e2)]).Code);
        Assert.Equal("InvalidPart: part 5 was not uploaded or its ETag differs", Fails([(1, e1), (5, e1)]).Message);
        Assert.Equal("InvalidPart", Fails([(1, e2)]).Code);
        var small = Fails([(1, e1), (2, e2), (3, e3)]);
        Assert.Equal("EntityTooSmall", small.Code);
        Assert.Equal("EntityTooSmall: part 2 is 9 bytes, below the minimum 10", small.Message);
        Assert.Equal(1, store.OpenUploads); // a failed Complete keeps the upload
        store.Complete(id, [(1, e1), (2, e2)]);
        Assert.Equal(19, store.Get("obj").Length);
    }

    [Fact]
    public void Abort_frees_the_parts_and_unknown_ids_or_keys_are_s3_errors()
    {
        var store = new MultipartStore(10);
        string id = store.Initiate("k");
        store.UploadPart(id, 1, Bytes(10, 1));
        string keep = store.Initiate("k2");
        store.Abort(id);
        Assert.Equal(1, store.OpenUploads);
        Assert.Equal(0, store.StoredPartBytes);
        var e = Assert.Throws<S3ModelException>(() => store.Abort(id));
        Assert.Equal("NoSuchUpload", e.Code);
        Assert.Equal("NoSuchUpload: upload-1", e.Message);
        Assert.Equal("NoSuchUpload", Assert.Throws<S3ModelException>(() => store.UploadPart("nope", 1, [1])).Code);
        Assert.Equal("NoSuchUpload", Assert.Throws<S3ModelException>(() => store.Complete("nope", [(1, "x")])).Code);
        var missing = Assert.Throws<S3ModelException>(() => store.Get("k"));
        Assert.Equal("NoSuchKey", missing.Code);
        Assert.Equal("NoSuchKey: k", missing.Message);
        Assert.Empty(store.ListParts(keep));
    }

    [Fact]
    public void Store_guards_name_their_parameter()
    {
        OutOfRange("minPartBytes", () => new MultipartStore(0));
        OutOfRange("minPartBytes", () => new MultipartStore(MultipartLimits.MaxPartBytes + 1));
        Assert.Equal(MultipartLimits.MaxPartBytes, new MultipartStore(MultipartLimits.MaxPartBytes).MinPartBytes);
        var store = new MultipartStore(1);
        string id = store.Initiate("k");
        Null("key", () => store.Initiate(null!));
        Invalid("key", () => store.Initiate(""));
        Null("uploadId", () => store.UploadPart(null!, 1, [1]));
        OutOfRange("partNumber", () => store.UploadPart(id, 0, [1]));
        OutOfRange("partNumber", () => store.UploadPart(id, 10_001, [1]));
        Null("data", () => store.UploadPart(id, 1, null!));
        Null("uploadId", () => store.ListParts(null!));
        Null("uploadId", () => store.Complete(null!, []));
        Null("parts", () => store.Complete(id, null!));
        Null("uploadId", () => store.Abort(null!));
        Null("key", () => store.Get(null!));
    }
}
