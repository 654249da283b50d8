using SystemDesign.Observability;

namespace SystemDesign.Tests.Observability;

public sealed class TraceParentTests
{
    private const string Trace = "4bf92f3577b34da6a3ce929d0e0e4736", Parent = "00f067aa0ba902b7";
    private const string Valid = "00-" + Trace + "-" + Parent + "-01";

    private static string With(int index, char c)
    {
        var a = Valid.ToCharArray();
        a[index] = c;
        return new string(a);
    }

    [Fact]
    public void A_valid_header_is_split_into_its_fields()
    {
        var p = TraceParent.Parse(Valid)!;
        Assert.Equal(new TraceParent("00", Trace, Parent, 1), p);
        Assert.True(p.Sampled);
        var future = TraceParent.Parse("cc-" + Trace + "-" + Parent + "-0a-what-ever")!;
        Assert.Equal(new TraceParent("cc", Trace, Parent, 10), future);
        Assert.False(future.Sampled);
        Assert.Equal(new TraceParent("01", Trace, Parent, 0xff), TraceParent.Parse("01-" + Trace + "-" + Parent + "-ff"));
    }

    [Fact]
    public void Sampled_is_the_lowest_flag_bit()
    {
        Assert.Equal(new[] { false, true, false, true, true, false },
            new byte[] { 0, 1, 2, 3, 0x81, 0xfe }.Select(f => new TraceParent("00", Trace, Parent, f).Sampled));
    }

    [Fact]
    public void Null_and_short_headers_are_invalid()
    {
        Assert.Null(TraceParent.Parse(null));
        Assert.Null(TraceParent.Parse(""));
        Assert.Null(TraceParent.Parse(Valid[..54]));
        Assert.NotNull(TraceParent.Parse(Valid));
    }

    [Fact]
    public void Each_separator_must_be_a_dash()
    {
        foreach (int i in new[] { 2, 35, 52 })
            Assert.Null(TraceParent.Parse(With(i, '_')));
    }

    [Fact]
    public void Every_field_must_be_lowercase_hex()
    {
        // Each field's first and last character, with characters just outside the ranges 0-9 and a-f.
        foreach (int i in new[] { 0, 1, 3, 34, 36, 51, 53, 54 })
            foreach (char c in new[] { '/', ':', '`', 'g', 'A', 'F', ' ' })
                Assert.True(TraceParent.Parse(With(i, c)) is null, $"{c} at {i}");
        // The ends of the ranges are accepted.
        foreach (int i in new[] { 3, 34, 36, 51, 53, 54 })
            foreach (char c in new[] { '0', '9', 'a', 'f' })
                Assert.True(TraceParent.Parse(With(i, c)) is not null, $"{c} at {i}");
    }

    [Fact]
    public void Version_ff_and_all_zero_ids_are_invalid_but_a_single_non_zero_digit_suffices()
    {
        Assert.Null(TraceParent.Parse("ff" + Valid[2..]));
        Assert.NotNull(TraceParent.Parse("fe" + Valid[2..]));
        string zeroTrace = new('0', 32), zeroParent = new('0', 16);
        Assert.Null(TraceParent.Parse("00-" + zeroTrace + "-" + Parent + "-01"));
        Assert.Null(TraceParent.Parse("00-" + Trace + "-" + zeroParent + "-01"));
        Assert.NotNull(TraceParent.Parse("00-" + zeroTrace[..31] + "1-" + Parent + "-01"));
        Assert.NotNull(TraceParent.Parse("00-1" + zeroTrace[1..] + "-" + Parent + "-01"));
        Assert.NotNull(TraceParent.Parse("00-" + Trace + "-" + zeroParent[..15] + "1-01"));
        Assert.NotNull(TraceParent.Parse("00-" + Trace + "-1" + zeroParent[1..] + "-01"));
        // Flags 00 are fine (zeros only matter in the ids).
        Assert.NotNull(TraceParent.Parse(Valid[..53] + "00"));
    }

    [Fact]
    public void Version_00_is_exactly_55_characters_and_later_versions_continue_after_a_dash()
    {
        Assert.Null(TraceParent.Parse(Valid + "-"));
        Assert.Null(TraceParent.Parse(Valid + "0"));
        string v1 = "01" + Valid[2..];
        Assert.NotNull(TraceParent.Parse(v1));
        Assert.NotNull(TraceParent.Parse(v1 + "-"));
        Assert.NotNull(TraceParent.Parse(v1 + "-anything"));
        Assert.Null(TraceParent.Parse(v1 + "x"));
        Assert.Null(TraceParent.Parse(v1 + "0-"));
    }

    [Fact]
    public void Each_probe_changes_one_thing_of_the_specs_example()
    {
        var p = TraceParent.Probes;
        Assert.Equal((Valid, true, "the spec's example, sampled"), p[0]);
        Assert.Equal((Valid[..53] + "00", true, "not sampled"), p[1]);
        Assert.Equal((Valid.ToUpperInvariant(), false, "uppercase hex"), p[2]);
        Assert.Equal(("00-" + new string('0', 32) + "-" + Parent + "-01", false, "all-zero trace id"), p[3]);
        Assert.Equal(("00-" + Trace + "-" + new string('0', 16) + "-01", false, "all-zero parent id"), p[4]);
        Assert.Equal(("ff" + Valid[2..], false, "version ff"), p[5]);
        Assert.Equal((Valid + "-x", false, "version 00 with extra field"), p[6]);
        Assert.Equal(("01" + Valid[2..] + "-x", true, "future version, extra field"), p[7]);
        Assert.Equal(("00-" + Trace[..31] + "-" + Parent + "-01", false, "trace id one digit short"), p[8]);
        Assert.Equal(("00-" + Trace + "-" + Parent[..14] + "g7-01", false, "non-hex character"), p[9]);
        Assert.Equal((Valid.Replace('-', '_'), false, "wrong separator"), p[10]);
    }

    [Fact]
    public void The_probes_say_what_the_spec_says_and_dotnet_accepts_the_valid_ones()
    {
        Assert.Equal(11, TraceParent.Probes.Count);
        Assert.Equal(3, TraceParent.Probes.Count(p => p.Valid));
        foreach (var (h, valid, rule) in TraceParent.Probes)
        {
            Assert.True((TraceParent.Parse(h) is not null) == valid, rule);
            if (valid && h.Length == 55) Assert.True(TraceParent.DotNetAccepts(h), rule);
        }
        Assert.False(TraceParent.DotNetAccepts("not a header"));
        Assert.False(TraceParent.DotNetAccepts("00-" + new string('0', 32) + "-" + Parent + "-01"));
    }
}
