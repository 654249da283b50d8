using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using SystemDesign.ObjectStorage;
using SystemDesign.RealSystems;
using SystemDesign.Tests.RealSystems;
using Xunit.Abstractions;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.ObjectStorage;

/// <summary>S3Lab without a server: argument guards, presigning (local), and the error parsing of Fetch.</summary>
public sealed class S3LabOfflineTests
{
    private static AmazonS3Client Offline(string url = "http://127.0.0.1:9") => new(
        new BasicAWSCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        new AmazonS3Config { ServiceURL = url, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });

    /// <summary>Serves one HTTP response on a local port and returns its URL.</summary>
    private static string ServeOnce(int status, string body)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _ = Task.Run(async () =>
        {
            try
            {
                using var client = await listener.AcceptTcpClientAsync();
                var stream = client.GetStream();
                var buffer = new byte[4096];
                var request = new StringBuilder();
                while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    int n = await stream.ReadAsync(buffer);
                    if (n == 0) break;
                    request.Append(Encoding.ASCII.GetString(buffer, 0, n));
                }
                byte[] content = Encoding.UTF8.GetBytes(body);
                byte[] head = Encoding.ASCII.GetBytes(
                    $"HTTP/1.1 {status} X\r\nContent-Type: text/plain\r\nContent-Length: {content.Length}\r\nConnection: close\r\n\r\n");
                await stream.WriteAsync(head);
                await stream.WriteAsync(content);
            }
            finally { listener.Stop(); }
        });
        return $"http://127.0.0.1:{port}/b/k";
    }

    [Fact]
    public void Fetch_reads_the_error_code_of_an_xml_error_body()
        => Assert.Equal((418, "Teapot"), S3Lab.Fetch(ServeOnce(418, "<Error><Code>Teapot</Code><Message>m</Message></Error>")));

    [Fact]
    public void Fetch_returns_a_body_without_a_code_as_it_is()
        => Assert.Equal((500, "plain failure"), S3Lab.Fetch(ServeOnce(500, "plain failure")));

    [Fact]
    public void Fetch_of_a_success_reports_the_body_length()
        => Assert.Equal((200, "14 bytes"), S3Lab.Fetch(ServeOnce(200, "<Code>x</Code>")));

    [Fact]
    public void Sdk_presign_follows_the_service_url_s_scheme()
    {
        var at = DateTime.UtcNow.AddMinutes(5);
        using var http = Offline();
        using var https = Offline("https://127.0.0.1:9");
        Assert.StartsWith("http://127.0.0.1:9/b/k?", S3Lab.SdkPresign(http, "b", "k", at), StringComparison.Ordinal);
        Assert.StartsWith("https://127.0.0.1:9/b/k?", S3Lab.SdkPresign(https, "b", "k", at), StringComparison.Ordinal);
    }

    [Fact]
    public void S3_lab_guards_name_their_parameter()
    {
        using var s3 = Offline();
        Null("s3", () => S3Lab.EnsureBucket(null!, "b"));
        Null("bucket", () => S3Lab.EnsureBucket(s3, null!));
        Invalid("bucket", () => S3Lab.EnsureBucket(s3, ""));
        byte[] data = new byte[10];
        Null("s3", () => S3Lab.UploadWithFlakyPart(null!, "b", "k", data, 4, 1));
        Null("data", () => S3Lab.UploadWithFlakyPart(s3, "b", "k", null!, 4, 1));
        OutOfRange("partBytes", () => S3Lab.UploadWithFlakyPart(s3, "b", "k", data, 0, 1));
        OutOfRange("partBytes", () => S3Lab.UploadWithFlakyPart(s3, "b", "k", data, MultipartLimits.MaxPartBytes + 1, 1));
        OutOfRange("flakyPart", () => S3Lab.UploadWithFlakyPart(s3, "b", "k", data, 4, -1));
        OutOfRange("flakyPart", () => S3Lab.UploadWithFlakyPart(s3, "b", "k", data, 4, 4)); // 3 parts
        OutOfRange("parallelism", () => S3Lab.UploadWithFlakyPart(s3, "b", "k", data, 4, 1, 0));
        OutOfRange("parallelism", () => S3Lab.UploadWithFlakyPart(s3, "b", "k", data, 4, 1, 65));
        Null("s3", () => S3Lab.CompleteWithParts(null!, "b", "k", []));
        Null("parts", () => S3Lab.CompleteWithParts(s3, "b", "k", null!));
        Null("s3", () => S3Lab.ListAndAbort(null!, "b", "k"));
        Null("url", () => S3Lab.Fetch(null!));
        Invalid("url", () => S3Lab.Fetch(""));
        Null("s3", () => S3Lab.SdkPresign(null!, "b", "k", DateTime.UtcNow));
        Null("url", () => S3Lab.SigningInputs(null!));
        Invalid("url", () => S3Lab.SigningInputs(""));
        Null("s3", () => S3Lab.PutObject(null!, "b", "k", data));
        Null("data", () => S3Lab.PutObject(s3, "b", "k", null!));
    }
}

[Collection("S3 server")]
public sealed class S3LabTests(ITestOutputHelper output)
{
    private const string Bucket = "test17";
    // Stryker runs two test processes against the same server: every key and bucket carries this run's id.
    private static readonly string Run = Guid.NewGuid().ToString("N")[..12];

    private static string Md5(ReadOnlySpan<byte> b) => Convert.ToHexStringLower(MD5.HashData(b));

    private static void Delete(IAmazonS3 s3, params string[] keys)
    {
        foreach (var key in keys)
            try { s3.DeleteObjectAsync(Bucket, key).GetAwaiter().GetResult(); }
            catch (AmazonS3Exception) { }
    }

    [SkippableFact]
    public void Ensure_bucket_creates_once_and_accepts_an_existing_bucket()
    {
        using var s3 = RealSystem.RequireS3();
        string bucket = $"t17-{Run}-ensure";
        try
        {
            S3Lab.EnsureBucket(s3, bucket);
            S3Lab.EnsureBucket(s3, bucket);
            Assert.Contains(s3.ListBucketsAsync().GetAwaiter().GetResult().Buckets, b => b.BucketName == bucket);
        }
        finally { s3.DeleteBucketAsync(bucket).GetAwaiter().GetResult(); }
    }

    [SkippableFact]
    public void A_cut_short_part_is_seen_by_its_etag_and_sent_again_alone()
    {
        using var s3 = RealSystem.RequireS3();
        S3Lab.EnsureBucket(s3, Bucket);
        string key = $"{Run}/flaky.bin";
        const int part = 1 << 16;
        var data = Chunking.RandomBytes(3 * part + 5, 2);
        try
        {
            var run = S3Lab.UploadWithFlakyPart(s3, Bucket, key, data, part, flakyPart: 4);
            output.WriteLine(string.Join("\n", run.Attempts) + "\n" + run.ObjectETag);
            var expected = new List<PartAttempt>();
            for (int n = 1; n <= 3; n++)
                expected.Add(new PartAttempt(n, 1, part, Md5(data.AsSpan((n - 1) * part, part)), true));
            expected.Add(new PartAttempt(4, 1, 2, Md5(data.AsSpan(3 * part, 2)), false));
            expected.Add(new PartAttempt(4, 2, 5, Md5(data.AsSpan(3 * part, 5)), true));
            Assert.Equal(expected, run.Attempts);
            Assert.Equal(1, run.Retries);
            Assert.Equal(data.Length + 2, run.BytesSent);
            Assert.True(run.RoundTrips);
            Assert.False(string.IsNullOrEmpty(run.ObjectETag));
            Assert.DoesNotContain("\"", run.ObjectETag, StringComparison.Ordinal);
        }
        finally { Delete(s3, key); }
    }

    [SkippableFact]
    public void Without_a_flaky_part_every_part_is_sent_once()
    {
        using var s3 = RealSystem.RequireS3();
        S3Lab.EnsureBucket(s3, Bucket);
        string key = $"{Run}/steady.bin";
        var data = Chunking.RandomBytes(5000, 3);
        try
        {
            var run = S3Lab.UploadWithFlakyPart(s3, Bucket, key, data, 2048, flakyPart: 0, parallelism: 1);
            Assert.Equal(new[] { (1, 2048L), (2, 2048L), (3, 904L) }, run.Attempts.Select(a => (a.PartNumber, a.BytesSent)));
            Assert.All(run.Attempts, a => Assert.True(a.Accepted));
            Assert.Equal(0, run.Retries);
            Assert.Equal(5000, run.BytesSent);
            Assert.True(run.RoundTrips);
        }
        finally { Delete(s3, key); }
    }

    [SkippableFact]
    public void Complete_with_parts_returns_the_size_or_the_server_s_error_code()
    {
        using var s3 = RealSystem.RequireS3();
        S3Lab.EnsureBucket(s3, Bucket);
        string key = $"{Run}/parts.bin", empty = $"{Run}/empty.bin";
        try
        {
            Assert.Equal(((long?)1010, (string?)null), S3Lab.CompleteWithParts(s3, Bucket, key, [new byte[1000], new byte[10]]));
            var none = S3Lab.CompleteWithParts(s3, Bucket, empty, []);
            output.WriteLine(none.ToString());
            Assert.Equal(((long?)null, (string?)GoldenEmptyCompleteError), none);
        }
        finally { Delete(s3, key, empty); }
    }

    private const string GoldenEmptyCompleteError = "MalformedXML";

    [SkippableFact]
    public void List_parts_and_abort_report_what_the_server_answers()
    {
        using var s3 = RealSystem.RequireS3();
        S3Lab.EnsureBucket(s3, Bucket);
        var r = S3Lab.ListAndAbort(s3, Bucket, $"{Run}/la.bin");
        output.WriteLine(r.ToString());
        // s3rver implements neither call: both answer 405, and no part count is read.
        Assert.Equal(("MethodNotAllowed (HTTP 405)", (int?)null, "MethodNotAllowed (HTTP 405)"), r);
    }

    [SkippableFact]
    public void Fetch_without_credentials_gets_the_object_or_the_error_code()
    {
        using var s3 = RealSystem.RequireS3();
        S3Lab.EnsureBucket(s3, Bucket);
        string key = $"{Run}/hello.txt";
        try
        {
            S3Lab.PutObject(s3, Bucket, key, "hello"u8.ToArray());
            string url = $"{Servers.S3Url.TrimEnd('/')}/{Bucket}/{key}";
            Assert.Equal((200, "5 bytes"), S3Lab.Fetch(url));
            Assert.Equal((404, "NoSuchKey"), S3Lab.Fetch(url + ".missing"));
        }
        finally { Delete(s3, key); }
    }
}
