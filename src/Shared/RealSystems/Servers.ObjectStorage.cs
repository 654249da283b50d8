using Amazon.Runtime;
using Amazon.S3;

namespace SystemDesign.RealSystems;

public static partial class Servers
{
    /// <summary>The S3-compatible server (s3rver from npm): $SDN_S3, else http://127.0.0.1:24569.</summary>
    public static string S3Url => (Environment.GetEnvironmentVariable("SDN_S3") ?? "http://127.0.0.1:24569").TrimEnd('/');

    /// <summary>s3rver's built-in credentials (the only account it knows).</summary>
    public const string S3AccessKey = "S3RVER", S3SecretKey = "S3RVER";

    /// <summary>An AWS SDK client for the local S3 server (path-style, us-east-1, no checksums beyond what S3
    /// requires), or null after one line saying how to start it.</summary>
    public static AmazonS3Client? S3()
    {
        var (host, port) = HostPort(S3Url.Replace("http://", ""), 24569);
        if (!Listening(new System.Net.DnsEndPoint(host, port)))
        {
            Say($"The S3 server (s3rver) is not running at {S3Url} (nothing listens there): {StartIt("s3")}");
            return null;
        }
        var client = new AmazonS3Client(new BasicAWSCredentials(S3AccessKey, S3SecretKey), S3Config());
        try
        {
            client.ListBucketsAsync().GetAwaiter().GetResult();
            return client;
        }
        catch (Exception e) when (e is AmazonServiceException or HttpRequestException or TaskCanceledException)
        {
            client.Dispose();
            Say($"The S3 server at {S3Url} is not usable ({FirstLine(e.Message)}): {StartIt("s3")}");
            return null;
        }
    }

    /// <summary>The client configuration <see cref="S3"/> uses (also for presigning without a server).</summary>
    public static AmazonS3Config S3Config() => new()
    {
        ServiceURL = S3Url,
        ForcePathStyle = true,
        AuthenticationRegion = "us-east-1",
        UseHttp = S3Url.StartsWith("http://", StringComparison.Ordinal),
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        Timeout = TimeSpan.FromSeconds(10),
        MaxErrorRetry = 0,
    };
}
