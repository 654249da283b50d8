using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SystemDesign.ObjectStorage;

public enum PresignVerdict { Valid, Expired, BadSignature, Malformed }

/// <summary>The inputs of a presigned S3 request: who signs, for what, when, and for how long.</summary>
public sealed record PresignRequest(string Method, string Scheme, string Host, string Bucket, string Key,
    string Region, string AccessKey, string SecretKey, DateTime SignedAtUtc, int ExpiresSeconds);

/// <summary>
/// AWS Signature Version 4 for query-string ("presigned") S3 URLs, written from the AWS documentation
/// ("Authenticating requests: using query parameters"): a canonical request (method, URI-encoded path, sorted
/// query, the host header, UNSIGNED-PAYLOAD), a string to sign (algorithm, timestamp, credential scope, SHA-256
/// of the canonical request) and the HMAC-SHA256 signing-key chain date → region → service → "aws4_request".
/// <see cref="Validate"/> is the server side: recompute, compare in constant time, then check the expiry.
/// </summary>
public static class SigV4
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const int MaxExpiresSeconds = 604_800;

    public static string Presign(PresignRequest r)
    {
        Guard.NotNull(r);
        Guard.That(r.Method is "GET" or "PUT" or "HEAD" or "DELETE", "GET, PUT, HEAD or DELETE", nameof(r.Method));
        Guard.That(r.Scheme is "http" or "https", "http or https", nameof(r.Scheme));
        Guard.NotEmpty(r.Host, nameof(r.Host));
        Guard.NotEmpty(r.Bucket, nameof(r.Bucket));
        Guard.NotEmpty(r.Key, nameof(r.Key));
        Guard.NotEmpty(r.Region, nameof(r.Region));
        Guard.NotEmpty(r.AccessKey, nameof(r.AccessKey));
        Guard.NotEmpty(r.SecretKey, nameof(r.SecretKey));
        Guard.InRange(r.ExpiresSeconds, 1, MaxExpiresSeconds, nameof(r.ExpiresSeconds));
        Guard.That(r.SignedAtUtc.Kind == DateTimeKind.Utc, "a UTC time", nameof(r.SignedAtUtc));
        string path = CanonicalPath(r.Bucket, r.Key);
        string amzDate = r.SignedAtUtc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        string scope = $"{amzDate[..8]}/{r.Region}/s3/aws4_request";
        var query = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["X-Amz-Algorithm"] = Algorithm,
            ["X-Amz-Credential"] = $"{r.AccessKey}/{scope}",
            ["X-Amz-Date"] = amzDate,
            ["X-Amz-Expires"] = r.ExpiresSeconds.ToString(CultureInfo.InvariantCulture),
            ["X-Amz-SignedHeaders"] = "host",
        };
        string canonicalQuery = CanonicalQuery(query);
        string signature = Signature(r.Method, path, canonicalQuery, r.Host, amzDate, r.Region, r.SecretKey);
        // The order of parameters in the URL does not enter the signature (the canonical query is sorted); the
        // AWS SDK for .NET writes X-Amz-Expires first, then the others sorted, then the signature: so do we.
        string expiresFirst = $"X-Amz-Expires={query["X-Amz-Expires"]}&"
            + CanonicalQuery(new SortedDictionary<string, string>(query.Where(kv => kv.Key != "X-Amz-Expires")
                .ToDictionary(kv => kv.Key, kv => kv.Value), StringComparer.Ordinal));
        return $"{r.Scheme}://{r.Host}{path}?{expiresFirst}&X-Amz-Signature={signature}";
    }

    /// <summary>Validates a presigned URL as a server holding the secret would, at time <c>nowUtc</c>.</summary>
    public static PresignVerdict Validate(string url, string method, string secretKey, DateTime nowUtc)
    {
        Guard.NotNull(url);
        Guard.NotEmpty(method);
        Guard.NotEmpty(secretKey);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Query))
            return PresignVerdict.Malformed;
        var fields = uri.Query.TrimStart('?').Split('&').Select(f => f.Split('=', 2)).ToList();
        if (fields.Any(f => f.Length != 2) || fields.Select(f => f[0]).Distinct().Count() != fields.Count)
            return PresignVerdict.Malformed;
        var q = fields.ToDictionary(f => Uri.UnescapeDataString(f[0]), f => Uri.UnescapeDataString(f[1]),
            StringComparer.Ordinal);
        if (!q.TryGetValue("X-Amz-Signature", out var given) || !q.TryGetValue("X-Amz-Date", out var amzDate)
            || !q.TryGetValue("X-Amz-Expires", out var exp) || !q.TryGetValue("X-Amz-Credential", out var cred)
            || q.GetValueOrDefault("X-Amz-Algorithm") != Algorithm || q.GetValueOrDefault("X-Amz-SignedHeaders") != "host"
            || !int.TryParse(exp, NumberStyles.None, CultureInfo.InvariantCulture, out int expires)
            || expires > MaxExpiresSeconds
            || !DateTime.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var signedAt))
            return PresignVerdict.Malformed;
        var scope = cred.Split('/');
        if (scope.Length != 5 || scope[1] != amzDate[..8] || scope[3] != "s3" || scope[4] != "aws4_request")
            return PresignVerdict.Malformed;
        var rest = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in q) if (k != "X-Amz-Signature") rest[k] = v;
        string host = uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}";
        string expected = Signature(method, uri.AbsolutePath, CanonicalQuery(rest), host, amzDate, scope[2], secretKey);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(given)))
            return PresignVerdict.BadSignature;
        return nowUtc <= signedAt.AddSeconds(expires) ? PresignVerdict.Valid : PresignVerdict.Expired;
    }

    /// <summary>The signing key: HMAC chain over date, region, service and "aws4_request".</summary>
    public static byte[] SigningKey(string secretKey, string date, string region, string service = "s3")
    {
        Guard.NotEmpty(secretKey);
        Guard.That(Guard.NotNull(date).Length == 8, "yyyyMMdd", nameof(date));
        Guard.NotEmpty(region);
        Guard.NotEmpty(service);
        byte[] k = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretKey), Encoding.UTF8.GetBytes(date));
        k = HMACSHA256.HashData(k, Encoding.UTF8.GetBytes(region));
        k = HMACSHA256.HashData(k, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(k, "aws4_request"u8.ToArray());
    }

    /// <summary>The canonical request SigV4 hashes (exposed so a notebook can print it).</summary>
    public static string CanonicalRequest(string method, string path, string canonicalQuery, string host) =>
        $"{method}\n{path}\n{canonicalQuery}\nhost:{host}\n\nhost\nUNSIGNED-PAYLOAD";

    private static string Signature(string method, string path, string canonicalQuery, string host,
        string amzDate, string region, string secret)
    {
        string canonical = CanonicalRequest(method, path, canonicalQuery, host);
        string stringToSign = $"{Algorithm}\n{amzDate}\n{amzDate[..8]}/{region}/s3/aws4_request\n"
            + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
        return Convert.ToHexStringLower(HMACSHA256.HashData(SigningKey(secret, amzDate[..8], region),
            Encoding.UTF8.GetBytes(stringToSign)));
    }

    private static string CanonicalPath(string bucket, string key) =>
        "/" + Encode(bucket) + "/" + string.Join("/", key.Split('/').Select(Encode));

    private static string CanonicalQuery(SortedDictionary<string, string> query) =>
        string.Join("&", query.Select(kv => $"{Encode(kv.Key)}={Encode(kv.Value)}"));

    /// <summary>RFC 3986 percent-encoding: everything but A–Z a–z 0–9 - _ . ~ is encoded, in upper-case hex.</summary>
    public static string Encode(string s)
    {
        Guard.NotNull(s);
        var sb = new StringBuilder();
        foreach (byte b in Encoding.UTF8.GetBytes(s))
        {
            char c = (char)b;
            if (c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.' or '~')
                sb.Append(c);
            else
                sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }
}
