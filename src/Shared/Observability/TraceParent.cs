using System.Diagnostics;

namespace SystemDesign.Observability;

/// <summary>A parsed W3C <c>traceparent</c> header.</summary>
public sealed record TraceParent(string Version, string TraceId, string ParentId, byte Flags)
{
    public bool Sampled => (Flags & 1) == 1;

    /// <summary>
    /// Parses per W3C Trace Context (Level 1, §3.2): lowercase hex only; version ff invalid; trace id 32 hex
    /// and parent id 16 hex, neither all zeros; flags 2 hex. Version 00 is exactly 55 characters; a higher
    /// version may carry more fields after a dash at position 55. Null when the header is invalid.
    /// </summary>
    public static TraceParent? Parse(string? header)
    {
        if (header is null || header.Length < 55) return null;
        static bool Hex(string s, int start, int n)
        {
            for (int i = start; i < start + n; i++)
                if (!(s[i] is >= '0' and <= '9' or >= 'a' and <= 'f')) return false;
            return true;
        }
        static bool Zeros(string s, int start, int n) => s.AsSpan(start, n).IndexOfAnyExcept('0') < 0;
        if (!Hex(header, 0, 2) || header[2] != '-' || header[35] != '-' || header[52] != '-') return null;
        string version = header[..2];
        if (version == "ff") return null;
        if (version == "00" ? header.Length != 55 : header.Length > 55 && header[55] != '-') return null;
        if (!Hex(header, 3, 32) || Zeros(header, 3, 32) || !Hex(header, 36, 16) || Zeros(header, 36, 16)
            || !Hex(header, 53, 2)) return null;
        return new TraceParent(version, header[3..35], header[36..52], Convert.ToByte(header[53..55], 16));
    }

    /// <summary>.NET's own parser (System.Diagnostics.ActivityContext.TryParse), for comparison.</summary>
    public static bool DotNetAccepts(string header) => ActivityContext.TryParse(Guard.NotNull(header), null, out _);

    /// <summary>Headers that probe each rule, with what the spec says about each.</summary>
    public static IReadOnlyList<(string Header, bool Valid, string Rule)> Probes { get; } = new[]
    {
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", true, "the spec's example, sampled"),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", true, "not sampled"),
        ("00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01", false, "uppercase hex"),
        ("00-00000000000000000000000000000000-00f067aa0ba902b7-01", false, "all-zero trace id"),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", false, "all-zero parent id"),
        ("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", false, "version ff"),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x", false, "version 00 with extra field"),
        ("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x", true, "future version, extra field"),
        ("00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", false, "trace id one digit short"),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902g7-01", false, "non-hex character"),
        ("00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01", false, "wrong separator"),
    };
}
