using System.Security.Cryptography;

namespace SystemDesign.ObjectStorage;

/// <summary>S3's multipart limits (AWS S3 user guide, "Amazon S3 multipart upload limits").</summary>
public static class MultipartLimits
{
    public const long MiB = 1L << 20;
    public const long GiB = 1L << 30;
    public const long TiB = 1L << 40;
    /// <summary>Every part but the last is at least 5 MiB.</summary>
    public const long MinPartBytes = 5 * MiB;
    /// <summary>No part is larger than 5 GiB.</summary>
    public const long MaxPartBytes = 5 * GiB;
    public const int MaxParts = 10_000;
    /// <summary>The object-size cap the guide quotes ("5 TB"; AWS documents it as 5 TiB until December 2025).</summary>
    public const long GuideMaxObjectBytes = 5 * TiB;
    /// <summary>The cap since AWS raised it in December 2025: 50 TB (decimal), a separate limit from the part rules.</summary>
    public const long CurrentMaxObjectBytes = 50_000_000_000_000L;

    /// <summary>The largest object 10,000 parts of at most 5 GiB can carry.</summary>
    public static long MaxObjectFromParts => MaxParts * MaxPartBytes;
}

/// <summary>How an object is cut into parts: equal parts of <see cref="PartBytes"/>, a shorter last one.</summary>
public sealed record PartPlan(long ObjectBytes, long PartBytes, int Parts, long LastPartBytes)
{
    public long Offset(int partNumber) => (partNumber - 1) * PartBytes;
    public long Size(int partNumber) => partNumber == Parts ? LastPartBytes : PartBytes;
}

public static class PartPlanner
{
    /// <summary>The smallest part size, in whole MiB, that fits the object in 10,000 parts (at least 5 MiB).</summary>
    public static long MinimumPartBytes(long objectBytes)
    {
        Guard.InRange(objectBytes, 1L, MultipartLimits.MaxObjectFromParts);
        long perPart = (objectBytes + MultipartLimits.MaxParts - 1) / MultipartLimits.MaxParts;
        long mib = (perPart + MultipartLimits.MiB - 1) / MultipartLimits.MiB * MultipartLimits.MiB;
        return Math.Max(MultipartLimits.MinPartBytes, mib);
    }

    /// <summary>The same answer by brute force, as an independent check of <see cref="MinimumPartBytes"/>: walk part
    /// sizes up from 5 MiB, 1 MiB at a time, until 10,000 parts suffice.</summary>
    public static long BruteForceMinimumPartBytes(long objectBytes)
    {
        Guard.InRange(objectBytes, 1L, MultipartLimits.MaxObjectFromParts);
        long part = MultipartLimits.MinPartBytes;
        while ((objectBytes + part - 1) / part > MultipartLimits.MaxParts) part += MultipartLimits.MiB;
        return part;
    }

    /// <summary>Plan with the preferred part size, raised to the minimum the object needs.</summary>
    public static PartPlan Plan(long objectBytes, long preferredPartBytes = 8 * MultipartLimits.MiB)
    {
        Guard.InRange(objectBytes, 1L, MultipartLimits.MaxObjectFromParts);
        Guard.InRange(preferredPartBytes, MultipartLimits.MinPartBytes, MultipartLimits.MaxPartBytes);
        long part = Math.Max(preferredPartBytes, MinimumPartBytes(objectBytes));
        int parts = (int)((objectBytes + part - 1) / part);
        return new PartPlan(objectBytes, part, parts, objectBytes - (parts - 1) * part);
    }

    /// <summary>Checks a list of part sizes against S3's rules; returns the S3 error code or null.</summary>
    public static string? Validate(IReadOnlyList<long> partSizes)
    {
        Guard.NotNull(partSizes);
        if (partSizes.Count == 0) return "MalformedXML";
        if (partSizes.Count > MultipartLimits.MaxParts) return "InvalidArgument";
        for (int i = 0; i < partSizes.Count; i++)
        {
            if (partSizes[i] > MultipartLimits.MaxPartBytes) return "EntityTooLarge";
            if (i < partSizes.Count - 1 && partSizes[i] < MultipartLimits.MinPartBytes) return "EntityTooSmall";
        }
        return null;
    }

    /// <summary>S3's multipart ETag: hex MD5 of the concatenated binary MD5s of the parts, "-" and the count.</summary>
    public static string MultipartETag(IReadOnlyList<byte[]> parts)
    {
        Guard.NotNull(parts);
        Guard.That(parts.Count > 0, "at least one part", nameof(parts));
        var all = parts.SelectMany(p => MD5.HashData(p)).ToArray();
        return $"{Convert.ToHexStringLower(MD5.HashData(all))}-{parts.Count}";
    }
}

/// <summary>One time step of an upload: bytes acknowledged so far and bytes put on the wire so far.</summary>
public sealed record UploadProgress(double Seconds, long BytesDone, long BytesSent, int PartsInFlight);

public sealed record UploadRun(PartPlan Plan, int Concurrency, IReadOnlyList<UploadProgress> Timeline,
    int[] AttemptsPerPart, long BytesSent, double Seconds)
{
    public int Retries => AttemptsPerPart.Sum() - AttemptsPerPart.Length;
    public int PartsRetried => AttemptsPerPart.Count(a => a > 1);
}

/// <summary>
/// A multipart upload over <c>concurrency</c> connections of equal bandwidth. Each attempt of a part fails with
/// probability <c>failureProbability</c> at a uniformly random point of its transfer (the bytes sent until then
/// are wasted); only that part is sent again. Event-driven, seeded.
/// </summary>
public static class UploadSimulator
{
    public static UploadRun Run(PartPlan plan, int concurrency, double bytesPerSecondPerStream,
        double failureProbability, int seed)
    {
        Guard.NotNull(plan);
        Guard.InRange(concurrency, 1, 1000);
        Guard.Positive(bytesPerSecondPerStream);
        Guard.InRange(failureProbability, 0.0, 0.9);
        var rng = new Random(seed);
        var attempts = new int[plan.Parts];
        var queue = new Queue<int>(Enumerable.Range(1, plan.Parts));
        // (finish time, part, bytes this attempt sends, succeeded)
        var running = new PriorityQueue<(int Part, long Bytes, bool Ok), double>();
        var timeline = new List<UploadProgress> { new(0, 0, 0, 0) };
        double now = 0;
        long done = 0, sent = 0;
        void Launch()
        {
            while (running.Count < concurrency && queue.Count > 0)
            {
                int part = queue.Dequeue();
                attempts[part - 1]++;
                long size = plan.Size(part);
                bool ok = rng.NextDouble() >= failureProbability;
                long bytes = ok ? size : (long)(size * rng.NextDouble());
                running.Enqueue((part, bytes, ok), now + bytes / bytesPerSecondPerStream);
            }
        }
        Launch();
        while (running.TryDequeue(out var item, out double finish))
        {
            now = finish;
            sent += item.Bytes;
            if (item.Ok) done += plan.Size(item.Part);
            else queue.Enqueue(item.Part);
            Launch();
            timeline.Add(new UploadProgress(now, done, sent, running.Count));
        }
        return new UploadRun(plan, concurrency, timeline, attempts, sent, now);
    }

    /// <summary>Expected bytes on the wire when a failed attempt wastes half a part on average and only that
    /// part is resent: size × (1 + p/(2(1−p))) (geometric attempts, failure point uniform).</summary>
    public static double ExpectedBytesSent(long objectBytes, double failureProbability)
    {
        Guard.InRange(failureProbability, 0.0, 0.9);
        return objectBytes * (1 + failureProbability / (2 * (1 - failureProbability)));
    }

    /// <summary>Standard deviation of the bytes on the wire for a plan of equal parts: per part, F failures
    /// (geometric, mean p/(1−p), variance p/(1−p)²) each wasting U·size (U uniform): Var = size²(E[F]/12 + Var(F)/4).</summary>
    public static double BytesSentStdDev(PartPlan plan, double failureProbability)
    {
        Guard.NotNull(plan);
        Guard.InRange(failureProbability, 0.0, 0.9);
        double p = failureProbability, q = 1 - p;
        double perPart = p / q / 12 + p / (q * q) / 4;
        return plan.PartBytes * Math.Sqrt(plan.Parts * perPart);
    }

    /// <summary>Expected bytes on the wire for one PUT of the whole object that is restarted from zero whenever
    /// any of its <c>parts</c> would have failed (the same per-part failure rate, so the same network).</summary>
    public static double ExpectedBytesWholeObject(long objectBytes, int parts, double failureProbability)
    {
        Guard.InRange(parts, 1, MultipartLimits.MaxParts);
        Guard.InRange(failureProbability, 0.0, 0.9);
        // Attempts are geometric with success (1-p)^n; a failed attempt stops at a failing part: on average it
        // sends E[index of first failure − 1/2 | failure] parts' worth. Exact sum over the first failing part j.
        if (failureProbability == 0) return objectBytes;
        double q = 1 - failureProbability, success = Math.Pow(q, parts);
        double wastedPerFailure = 0;
        for (int j = 1; j <= parts; j++)
            wastedPerFailure += Math.Pow(q, j - 1) * failureProbability * (j - 0.5);
        wastedPerFailure /= 1 - success;
        double partBytes = (double)objectBytes / parts;
        double failures = (1 - success) / success;
        return objectBytes + failures * wastedPerFailure * partBytes;
    }
}
