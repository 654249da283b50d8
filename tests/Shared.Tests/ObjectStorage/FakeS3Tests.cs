using System.Net;
using System.Net.Sockets;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using SystemDesign.ObjectStorage;

namespace SystemDesign.Tests.ObjectStorage;

/// <summary>
/// A scripted HTTP server on a local port standing in for S3, for the answers s3rver never gives (ListParts
/// and AbortMultipartUpload succeeding, BucketAlreadyOwnedByYou, a part whose ETag never matches). Each request
/// is answered by <c>handler(method, path and query)</c>, one connection per request.
/// </summary>
internal sealed class FakeS3 : LoopbackServer
{
    private readonly Func<string, string, (int Status, string Body, string? ETag)> handler;
    public List<string> Requests { get; } = [];
    public string Url { get; }

    public FakeS3(Func<string, string, (int Status, string Body, string? ETag)> handler)
    {
        this.handler = handler;
        Url = $"http://127.0.0.1:{Port}";
        StartAccepting();
    }

    public AmazonS3Client Client() => new(new BasicAWSCredentials("AKIDEXAMPLE", "secret"),
        new AmazonS3Config { ServiceURL = Url, ForcePathStyle = true, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });

    protected override void Serve(NetworkStream stream)
    {
        var request = ReadHttpRequest(stream);
        lock (Requests) Requests.Add($"{request.Method} {request.Target}");
        var (status, body, etag) = handler(request.Method, request.Target);
        WriteHttpResponse(stream, status, body, "application/xml", etag is null ? null : $"ETag: \"{etag}\"");
    }

    public const string Initiate =
        "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>u1</UploadId></InitiateMultipartUploadResult>";

    public static string Error(string code) => $"<Error><Code>{code}</Code><Message>m</Message></Error>";
}

public sealed class FakeS3Tests
{
    private static (int, string, string?) Multipart(string method, string target, string listBody) => method switch
    {
        "POST" when target.Contains("uploads", StringComparison.Ordinal) => (200, FakeS3.Initiate, null),
        "PUT" => (200, "", "0f343b0931126a20f133d67c2b018a3b"),
        "GET" => (200, listBody, null),
        "DELETE" => (204, "", null),
        _ => (400, FakeS3.Error("Unexpected"), null),
    };

    [Fact]
    public void List_and_abort_report_ok_and_the_number_of_parts_listed()
    {
        const string oneOrTwo = "<ListPartsResult><Bucket>b</Bucket><Key>k</Key><UploadId>u1</UploadId>"
            + "<Part><PartNumber>1</PartNumber><ETag>\"e1\"</ETag><Size>1024</Size></Part>"
            + "<Part><PartNumber>2</PartNumber><ETag>\"e2\"</ETag><Size>1024</Size></Part></ListPartsResult>";
        using var fake = new FakeS3((m, t) => Multipart(m, t, oneOrTwo));
        using var s3 = fake.Client();
        Assert.Equal(("OK", (int?)2, "OK"), S3Lab.ListAndAbort(s3, "b", "k"));
        Assert.Contains(fake.Requests, r => r.StartsWith("DELETE /b/k?uploadId=u1", StringComparison.Ordinal));
    }

    [Fact]
    public void List_of_no_parts_counts_zero()
    {
        const string none = "<ListPartsResult><Bucket>b</Bucket><Key>k</Key><UploadId>u1</UploadId></ListPartsResult>";
        using var fake = new FakeS3((m, t) => Multipart(m, t, none));
        using var s3 = fake.Client();
        Assert.Equal(("OK", (int?)0, "OK"), S3Lab.ListAndAbort(s3, "b", "k"));
    }

    [Fact]
    public void Errors_of_list_and_abort_are_reported_by_code_and_status()
    {
        using var fake = new FakeS3((m, t) => m switch
        {
            "GET" => (400, "", null),
            "DELETE" => (404, FakeS3.Error("NoSuchUpload"), null),
            _ => Multipart(m, t, ""),
        });
        using var s3 = fake.Client();
        var r = S3Lab.ListAndAbort(s3, "b", "k");
        Assert.Equal((GoldenBareError, (int?)null, "NoSuchUpload (HTTP 404)"), r);
    }

    private const string GoldenBareError = "BadRequest (HTTP 400)"; // the SDK names an empty error body after its status

    [Fact]
    public void Ensure_bucket_accepts_a_bucket_the_caller_already_owns_but_not_other_errors()
    {
        using (var owned = new FakeS3((_, _) => (409, FakeS3.Error("BucketAlreadyOwnedByYou"), null)))
        using (var s3 = owned.Client())
            S3Lab.EnsureBucket(s3, "b");
        using (var exists = new FakeS3((_, _) => (409, FakeS3.Error("BucketAlreadyExists"), null)))
        using (var s3 = exists.Client())
            S3Lab.EnsureBucket(s3, "b");
        using var denied = new FakeS3((_, _) => (403, FakeS3.Error("AccessDenied"), null));
        using var client = denied.Client();
        Assert.Equal("AccessDenied", Assert.Throws<AmazonS3Exception>(() => S3Lab.EnsureBucket(client, "b")).ErrorCode);
    }

    [Fact]
    public void A_part_whose_etag_never_matches_is_given_up_after_three_attempts()
    {
        using var fake = new FakeS3((m, t) => Multipart(m, t, ""));
        using var s3 = fake.Client();
        var e = Assert.Throws<AggregateException>(() => S3Lab.UploadWithFlakyPart(s3, "b", "k", [1, 2, 3], 3, flakyPart: 0));
        Assert.Equal("part 1 kept failing", Assert.IsType<InvalidOperationException>(Assert.Single(e.InnerExceptions)).Message);
        Assert.Equal(3, fake.Requests.Count(r => r.StartsWith("PUT ", StringComparison.Ordinal)));
    }
}
