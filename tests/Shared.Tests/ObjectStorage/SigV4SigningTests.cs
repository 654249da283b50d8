using System.Text.RegularExpressions;
using SystemDesign.ObjectStorage;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.ObjectStorage;

public sealed class SigV4SigningTests
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private static readonly DateTime At = new(2026, 12, 6, 3, 0, 0, DateTimeKind.Utc);

    private static PresignRequest Request(int expires = 900) => new("GET", "http", "127.0.0.1:9000",
        "bucket", "dir/my file.txt", "us-east-1", "AKIDEXAMPLE", Secret, At, expires);

    private static PresignVerdict Check(string url, DateTime? now = null) => SigV4.Validate(url, "GET", Secret, now ?? At);

    [Fact]
    public void Presigned_url_has_the_sdk_s_layout_and_a_fixed_signature()
    {
        string url = SigV4.Presign(Request());
        const string head = "http://127.0.0.1:9000/bucket/dir/my%20file.txt?X-Amz-Expires=900&X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential=AKIDEXAMPLE%2F20261206%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261206T030000Z"
            + "&X-Amz-SignedHeaders=host&X-Amz-Signature=";
        Assert.StartsWith(head, url, StringComparison.Ordinal);
        Assert.Equal(GoldenSignature, url[head.Length..]);
    }

    private const string GoldenSignature = "c25fb42604d8c8a1d7bc41a7312cb2e3917ecb47283af9b953977c7d883c123f";

    [Fact]
    public void Each_allowed_method_signs_differently_and_validates_only_for_itself()
    {
        string[] methods = ["GET", "PUT", "HEAD", "DELETE"];
        var urls = methods.Select(m => SigV4.Presign(Request() with { Method = m })).ToList();
        Assert.Equal(4, urls.Distinct().Count());
        for (int i = 0; i < methods.Length; i++)
            Assert.Equal(PresignVerdict.Valid, SigV4.Validate(urls[i], methods[i], Secret, At));
        Assert.Equal(PresignVerdict.BadSignature, SigV4.Validate(urls[1], "GET", Secret, At));
        Assert.StartsWith("https://", SigV4.Presign(Request() with { Scheme = "https" }), StringComparison.Ordinal);
    }

    [Fact]
    public void Expiry_is_inclusive_of_the_last_second()
    {
        string url = SigV4.Presign(Request());
        Assert.Equal(PresignVerdict.Valid, Check(url, At.AddSeconds(900)));
        Assert.Equal(PresignVerdict.Expired, Check(url, At.AddSeconds(901)));
        Assert.Equal(PresignVerdict.Valid, Check(url, At.AddHours(-1)));
        string week = SigV4.Presign(Request(SigV4.MaxExpiresSeconds));
        Assert.Equal(PresignVerdict.Valid, Check(week, At.AddDays(7)));
        Assert.Equal(PresignVerdict.Expired, Check(week, At.AddDays(7).AddSeconds(1)));
    }

    [Fact]
    public void A_url_on_the_default_port_signs_the_host_without_it()
    {
        var r = Request() with { Scheme = "https", Host = "examplebucket.s3.amazonaws.com" };
        string url = SigV4.Presign(r);
        Assert.StartsWith("https://examplebucket.s3.amazonaws.com/bucket/", url, StringComparison.Ordinal);
        Assert.Equal(PresignVerdict.Valid, Check(url));
        Assert.Equal(PresignVerdict.BadSignature, SigV4.Validate(url, "GET", Secret + "x", At));
        Assert.Equal(PresignVerdict.BadSignature, Check(url.Replace("examplebucket.s3", "otherbucket.s3")));
        Assert.Equal(PresignVerdict.BadSignature, Check(url.Replace("us-east-1", "eu-west-1")));
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("http://h/bucket/key")]
    [InlineData("http://h/bucket/key?")]
    public void Urls_without_a_query_are_malformed(string url) => Assert.Equal(PresignVerdict.Malformed, Check(url));

    [Theory]
    [InlineData("&junk", "")]
    [InlineData("&X-Amz-Date=20261206T030000Z", "")]
    [InlineData("", "X-Amz-Signature=[0-9a-f]*")]
    [InlineData("", "X-Amz-Date=[^&]*&")]
    [InlineData("", "X-Amz-Expires=[^&]*&")]
    [InlineData("", "X-Amz-Credential=[^&]*&")]
    [InlineData("", "X-Amz-Algorithm=[^&]*&")]
    [InlineData("", "X-Amz-SignedHeaders=[^&]*&")]
    public void Urls_missing_or_repeating_a_field_are_malformed(string append, string remove)
    {
        string url = SigV4.Presign(Request());
        if (remove.Length > 0) url = Regex.Replace(url, remove, "").TrimEnd('&');
        Assert.Equal(PresignVerdict.Malformed, Check(url + append));
    }

    [Theory]
    [InlineData("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1")]
    [InlineData("SignedHeaders=host", "SignedHeaders=host%3Brange")]
    [InlineData("X-Amz-Expires=900", "X-Amz-Expires=-900")]
    [InlineData("X-Amz-Expires=900", "X-Amz-Expires=9x")]
    [InlineData("X-Amz-Expires=900", "X-Amz-Expires=604801")]
    [InlineData("X-Amz-Date=20261206T030000Z", "X-Amz-Date=20261206T030000")]
    [InlineData("X-Amz-Date=20261206T030000Z", "X-Amz-Date=20261206T250000Z")]
    [InlineData("%2Faws4_request", "%2Faws4_request%2Fextra")]
    [InlineData("%2Faws4_request", "")]
    [InlineData("AKIDEXAMPLE%2F20261206", "AKIDEXAMPLE%2F20261207")]
    [InlineData("%2Fs3%2F", "%2Fs4%2F")]
    [InlineData("%2Faws4_request", "%2Faws4_requesx")]
    public void Urls_with_a_bad_field_are_malformed(string from, string to)
    {
        string url = SigV4.Presign(Request());
        Assert.Contains(from, url, StringComparison.Ordinal);
        Assert.Equal(PresignVerdict.Malformed, Check(url.Replace(from, to)));
    }

    [Fact]
    public void A_tampered_field_that_still_parses_breaks_the_signature()
    {
        string url = SigV4.Presign(Request());
        Assert.Equal(PresignVerdict.BadSignature, Check(url.Replace("X-Amz-Expires=900", "X-Amz-Expires=604800")));
        Assert.Equal(PresignVerdict.BadSignature, Check(url.Replace("AKIDEXAMPLE", "AKIDOTHER")));
        Assert.Equal(PresignVerdict.BadSignature, Check(url.Replace("T030000Z", "T030001Z")));
        Assert.Equal(PresignVerdict.BadSignature, Check(url[..^1] + (url[^1] == '0' ? '1' : '0')));
        Assert.Equal(PresignVerdict.BadSignature, Check(url + "&extra=1"));
    }

    [Fact]
    public void Signing_inputs_read_back_the_time_and_lifetime()
    {
        var (signedAt, expires) = S3Lab.SigningInputs(SigV4.Presign(Request(3600)));
        Assert.Equal(At, signedAt);
        Assert.Equal(DateTimeKind.Utc, signedAt.Kind);
        Assert.Equal(3600, expires);
    }

    [Fact]
    public void Canonical_request_has_the_documented_lines()
        => Assert.Equal("GET\n/b/k\na=1&b=2\nhost:h:9000\n\nhost\nUNSIGNED-PAYLOAD",
            SigV4.CanonicalRequest("GET", "/b/k", "a=1&b=2", "h:9000"));

    [Fact]
    public void Encode_keeps_only_unreserved_characters()
    {
        Assert.Equal("AZaz09-_.~", SigV4.Encode("AZaz09-_.~"));
        Assert.Equal("%40%5B%60%7B%2F%3A%20%25%2B%3D%26", SigV4.Encode("@[`{/: %+=&"));
        Assert.Equal("%C3%A9", SigV4.Encode("é"));
        Assert.Equal("", SigV4.Encode(""));
    }

    [Fact]
    public void Signing_key_depends_on_each_input()
    {
        var key = Convert.ToHexStringLower(SigV4.SigningKey(Secret, "20120215", "us-east-1"));
        Assert.Equal(64, key.Length);
        Assert.NotEqual(key, Convert.ToHexStringLower(SigV4.SigningKey(Secret, "20120215", "us-east-1", "iam")));
        Assert.NotEqual(key, Convert.ToHexStringLower(SigV4.SigningKey(Secret, "20120216", "us-east-1")));
        Assert.NotEqual(key, Convert.ToHexStringLower(SigV4.SigningKey(Secret, "20120215", "us-west-2")));
        Assert.NotEqual(key, Convert.ToHexStringLower(SigV4.SigningKey("x" + Secret, "20120215", "us-east-1")));
    }

    [Fact]
    public void Presign_guards_name_the_request_field()
    {
        var r = Request();
        Null("r", () => SigV4.Presign(null!));
        Invalid("Method", () => SigV4.Presign(r with { Method = "POST" }), "GET, PUT, HEAD or DELETE");
        Invalid("Scheme", () => SigV4.Presign(r with { Scheme = "ftp" }), "http or https");
        Null("Host", () => SigV4.Presign(r with { Host = null! }));
        Invalid("Host", () => SigV4.Presign(r with { Host = "" }));
        Invalid("Bucket", () => SigV4.Presign(r with { Bucket = "" }));
        Invalid("Key", () => SigV4.Presign(r with { Key = "" }));
        Invalid("Region", () => SigV4.Presign(r with { Region = "" }));
        Invalid("AccessKey", () => SigV4.Presign(r with { AccessKey = "" }));
        Invalid("SecretKey", () => SigV4.Presign(r with { SecretKey = "" }));
        OutOfRange("ExpiresSeconds", () => SigV4.Presign(r with { ExpiresSeconds = SigV4.MaxExpiresSeconds + 1 }));
        Invalid("SignedAtUtc", () => SigV4.Presign(r with { SignedAtUtc = DateTime.SpecifyKind(At, DateTimeKind.Local) }), "a UTC time");
        Invalid("SignedAtUtc", () => SigV4.Presign(r with { SignedAtUtc = DateTime.SpecifyKind(At, DateTimeKind.Unspecified) }));
    }

    [Fact]
    public void Validate_and_key_guards_name_their_parameter()
    {
        Null("url", () => SigV4.Validate(null!, "GET", Secret, At));
        Null("method", () => SigV4.Validate("http://h/b/k?a=1", null!, Secret, At));
        Invalid("method", () => SigV4.Validate("http://h/b/k?a=1", "", Secret, At));
        Null("secretKey", () => SigV4.Validate("http://h/b/k?a=1", "GET", null!, At));
        Invalid("secretKey", () => SigV4.Validate("http://h/b/k?a=1", "GET", "", At));
        Null("secretKey", () => SigV4.SigningKey(null!, "20120215", "r"));
        Invalid("secretKey", () => SigV4.SigningKey("", "20120215", "r"));
        Null("date", () => SigV4.SigningKey("s", null!, "r"));
        Invalid("date", () => SigV4.SigningKey("s", "2012021", "r"), "yyyyMMdd");
        Null("region", () => SigV4.SigningKey("s", "20120215", null!));
        Invalid("region", () => SigV4.SigningKey("s", "20120215", ""));
        Null("service", () => SigV4.SigningKey("s", "20120215", "r", null!));
        Invalid("service", () => SigV4.SigningKey("s", "20120215", "r", ""));
        Null("s", () => SigV4.Encode(null!));
    }
}
