using System.Security.Cryptography;
using System.Text;

namespace SystemDesign.Edge;

public enum SignedUrlVerdict { Valid, Expired, BadSignature, Malformed }

/// <summary>
/// URLs signed with HMAC-SHA256 over the path and an expiry (Unix seconds), the scheme CDNs use for signed
/// segment URLs: <c>/path?exp=1700000000&amp;sig=base64url(HMAC(key, path + "\n" + exp))</c>. An edge holding the
/// key validates a request without asking the origin. The signature is compared in constant time.
/// </summary>
public static class SignedUrls
{
    public static string Sign(string path, long expiresUnixSeconds, byte[] key)
    {
        Guard.NotEmpty(path);
        Guard.That(path.StartsWith('/') && !path.Contains('?'), "a path starting with / and without a query", nameof(path));
        Guard.InRange(expiresUnixSeconds, 0L, 253_402_300_799L);
        Guard.NotNull(key);
        Guard.That(key.Length >= 16, "a key of at least 16 bytes", nameof(key));
        return $"{path}?exp={expiresUnixSeconds}&sig={Signature(path, expiresUnixSeconds, key)}";
    }

    public static SignedUrlVerdict Validate(string url, long nowUnixSeconds, byte[] key)
    {
        Guard.NotNull(url);
        Guard.NotNull(key);
        int q = url.IndexOf('?');
        if (q <= 0) return SignedUrlVerdict.Malformed;
        string path = url[..q];
        var fields = url[(q + 1)..].Split('&').Select(f => f.Split('=', 2)).Where(f => f.Length == 2)
            .GroupBy(f => f[0]).ToDictionary(g => g.Key, g => g.Select(f => f[1]).ToArray());
        if (!fields.TryGetValue("exp", out var exps) || !fields.TryGetValue("sig", out var sigs)
            || exps.Length != 1 || sigs.Length != 1 || !long.TryParse(exps[0], out long exp))
            return SignedUrlVerdict.Malformed;
        byte[] expected = Encoding.ASCII.GetBytes(Signature(path, exp, key));
        byte[] given = Encoding.ASCII.GetBytes(sigs[0]);
        if (!CryptographicOperations.FixedTimeEquals(expected, given)) return SignedUrlVerdict.BadSignature;
        return nowUnixSeconds < exp ? SignedUrlVerdict.Valid : SignedUrlVerdict.Expired;
    }

    private static string Signature(string path, long exp, byte[] key)
    {
        byte[] mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{path}\n{exp}"));
        return Convert.ToBase64String(mac).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
