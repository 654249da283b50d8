using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;

namespace SystemDesign.ObjectStorage;

public sealed record PartAttempt(int PartNumber, int Attempt, long BytesSent, string ETag, bool Accepted);

public sealed record RealMultipartRun(IReadOnlyList<PartAttempt> Attempts, string ObjectETag, bool RoundTrips,
    long BytesSent)
{
    public int Retries => Attempts.Count(a => !a.Accepted);
}

/// <summary>Experiments against a real S3 API through the AWS SDK (each returns what the server answered).</summary>
public static class S3Lab
{
    public static void EnsureBucket(IAmazonS3 s3, string bucket)
    {
        Guard.NotNull(s3);
        Guard.NotEmpty(bucket);
        try { s3.PutBucketAsync(bucket).GetAwaiter().GetResult(); }
        catch (AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists") { }
    }

    /// <summary>
    /// Multipart upload of <c>data</c> in parts of <c>partBytes</c>, parts in parallel. The first attempt of
    /// <c>flakyPart</c> is cut short (a connection that dropped mid-part: only a prefix arrives, and the
    /// server stores it); the client sees the returned ETag differ from its own MD5, and re-sends that part
    /// alone, overwriting it. Then completes, downloads and compares.
    /// </summary>
    public static RealMultipartRun UploadWithFlakyPart(IAmazonS3 s3, string bucket, string key, byte[] data,
        long partBytes, int flakyPart, int parallelism = 4)
    {
        Guard.NotNull(s3);
        Guard.NotNull(data);
        Guard.InRange(partBytes, 1L, MultipartLimits.MaxPartBytes);
        int parts = (int)((data.Length + partBytes - 1) / partBytes);
        Guard.InRange(flakyPart, 0, parts);
        Guard.InRange(parallelism, 1, 64);
        var init = s3.InitiateMultipartUploadAsync(bucket, key).GetAwaiter().GetResult();
        var attempts = new System.Collections.Concurrent.ConcurrentBag<PartAttempt>();
        var etags = new string[parts];
        Parallel.For(1, parts + 1, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, n =>
        {
            var body = data.AsMemory((int)((n - 1) * partBytes), (int)Math.Min(partBytes, data.Length - (n - 1) * partBytes));
            string want = Convert.ToHexStringLower(MD5.HashData(body.Span));
            for (int attempt = 1; ; attempt++)
            {
                var sent = n == flakyPart && attempt == 1 ? body[..(body.Length / 2)] : body;
                string etag = Put(s3, bucket, key, init.UploadId, n, sent.ToArray());
                bool ok = etag == want;
                attempts.Add(new PartAttempt(n, attempt, sent.Length, etag, ok));
                if (ok) { etags[n - 1] = etag; return; }
                if (attempt == 3) throw new InvalidOperationException($"part {n} kept failing");
            }
        });
        var complete = s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = bucket, Key = key, UploadId = init.UploadId,
            PartETags = etags.Select((e, i) => new PartETag(i + 1, e)).ToList(),
        }).GetAwaiter().GetResult();
        byte[] back = Get(s3, bucket, key);
        var list = attempts.OrderBy(a => a.PartNumber).ThenBy(a => a.Attempt).ToList();
        return new RealMultipartRun(list, complete.ETag.Trim('"'), back.AsSpan().SequenceEqual(data),
            list.Sum(a => a.BytesSent));
    }

    /// <summary>Uploads the given parts and completes; returns the object's size, or the error code the
    /// server answered (e.g. EntityTooSmall) instead.</summary>
    public static (long? Size, string? Error) CompleteWithParts(IAmazonS3 s3, string bucket, string key,
        IReadOnlyList<byte[]> parts)
    {
        Guard.NotNull(s3);
        Guard.NotNull(parts);
        var init = s3.InitiateMultipartUploadAsync(bucket, key).GetAwaiter().GetResult();
        var tags = parts.Select((p, i) => new PartETag(i + 1, Put(s3, bucket, key, init.UploadId, i + 1, p))).ToList();
        try
        {
            s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            { BucketName = bucket, Key = key, UploadId = init.UploadId, PartETags = tags }).GetAwaiter().GetResult();
            return (Get(s3, bucket, key).LongLength, null);
        }
        catch (AmazonS3Exception e) { return (null, e.ErrorCode); }
    }

    /// <summary>Starts an upload with one part, then calls ListParts and AbortMultipartUpload: the error code
    /// (or "OK") of each.</summary>
    public static (string ListParts, int? PartsListed, string Abort) ListAndAbort(IAmazonS3 s3, string bucket, string key)
    {
        Guard.NotNull(s3);
        var init = s3.InitiateMultipartUploadAsync(bucket, key).GetAwaiter().GetResult();
        Put(s3, bucket, key, init.UploadId, 1, new byte[1024]);
        string list, abort;
        int? listed = null;
        try
        {
            var r = s3.ListPartsAsync(bucket, key, init.UploadId).GetAwaiter().GetResult();
            list = "OK";
            listed = r.Parts?.Count ?? 0;
        }
        catch (AmazonS3Exception e) { list = Code(e); }
        try { s3.AbortMultipartUploadAsync(bucket, key, init.UploadId).GetAwaiter().GetResult(); abort = "OK"; }
        catch (AmazonS3Exception e) { abort = Code(e); }
        return (list, listed, abort);
    }

    /// <summary>GETs a URL without credentials: the HTTP status and S3 error code (or the body length).</summary>
    public static (int Status, string Detail) Fetch(string url)
    {
        Guard.NotEmpty(url);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var response = http.GetAsync(url).GetAwaiter().GetResult();
        string body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        if (response.StatusCode == HttpStatusCode.OK) return (200, $"{body.Length} bytes");
        int at = body.IndexOf("<Code>", StringComparison.Ordinal);
        string code = at < 0 ? body : body[(at + 6)..body.IndexOf("</Code>", at, StringComparison.Ordinal)];
        return ((int)response.StatusCode, code);
    }

    /// <summary>The SDK's presigned GET for bucket/key, valid until <c>expiresUtc</c>.</summary>
    public static string SdkPresign(IAmazonS3 s3, string bucket, string key, DateTime expiresUtc)
    {
        Guard.NotNull(s3);
        return s3.GetPreSignedURL(new GetPreSignedUrlRequest
        {
            BucketName = bucket, Key = key, Verb = HttpVerb.GET, Expires = expiresUtc,
            Protocol = s3.Config.ServiceURL?.StartsWith("https", StringComparison.Ordinal) == true ? Protocol.HTTPS : Protocol.HTTP,
        });
    }

    /// <summary>Reads a presigned URL's signing time and lifetime: the inputs to sign the same request again.</summary>
    public static (DateTime SignedAtUtc, int ExpiresSeconds) SigningInputs(string url)
    {
        Guard.NotEmpty(url);
        var q = new Uri(url).Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2))
            .ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));
        var at = DateTime.ParseExact(q["X-Amz-Date"], "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        return (at, int.Parse(q["X-Amz-Expires"], CultureInfo.InvariantCulture));
    }

    public static void PutObject(IAmazonS3 s3, string bucket, string key, byte[] data)
    {
        Guard.NotNull(s3);
        Guard.NotNull(data);
        s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket, Key = key, InputStream = new MemoryStream(data), UseChunkEncoding = false,
        }).GetAwaiter().GetResult();
    }

    private static string Put(IAmazonS3 s3, string bucket, string key, string uploadId, int n, byte[] body) =>
        s3.UploadPartAsync(new UploadPartRequest
        {
            BucketName = bucket, Key = key, UploadId = uploadId, PartNumber = n,
            InputStream = new MemoryStream(body), PartSize = body.Length, UseChunkEncoding = false,
        }).GetAwaiter().GetResult().ETag.Trim('"');

    private static byte[] Get(IAmazonS3 s3, string bucket, string key)
    {
        using var r = s3.GetObjectAsync(bucket, key).GetAwaiter().GetResult();
        using var ms = new MemoryStream();
        r.ResponseStream.CopyTo(ms);
        return ms.ToArray();
    }

    private static string Code(AmazonS3Exception e) =>
        string.IsNullOrEmpty(e.ErrorCode) ? $"HTTP {(int)e.StatusCode}" : $"{e.ErrorCode} (HTTP {(int)e.StatusCode})";
}
