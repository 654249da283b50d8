using Google.Protobuf;
using SystemDesign.Api;
using SystemDesign.Api.Proto;

namespace SystemDesign.Tests.Api;

public sealed class SchemaDiffTests
{
    private static ApiField Req(string name, string type = "string", bool required = false, string[]? e = null, int? max = null)
        => new(FieldSide.Request, name, type, required, e, max);
    private static ApiField Resp(string name, string type = "string", bool required = false, string[]? e = null, int? max = null)
        => new(FieldSide.Response, name, type, required, e, max);

    [Fact]
    public void Every_kind_of_change_is_classified_with_its_reason_in_order()
    {
        var before = new[]
        {
            Resp("gone"), Req("req", "int", required: true), Req("opt"),
            Req("amount", "int", required: true), Req("note"), Req("ref", required: true),
            Resp("flag", "bool"), Resp("label", max: 10),
            Req("title", max: 100), Req("memo", max: 100), Req("tag"), Req("code", max: 100), Req("same", max: 100),
            Resp("status", "enum", e: new[] { "ok", "failed" }), Req("kind", "enum", e: new[] { "a", "b" }),
            Req("mode", "enum"), Resp("color", "enum", e: new[] { "r" }), Resp("id", "long"),
        };
        var after = new[]
        {
            Req("amount", "long", required: true), Req("note", required: true), Req("ref"),
            Resp("flag", "bool", required: true), Resp("label", max: 5),
            Req("title", max: 200), Req("memo"), Req("tag", max: 50), Req("code", max: 50), Req("same", max: 100),
            Resp("status", "enum", e: new[] { "ok", "pending" }), Req("kind", "enum", e: new[] { "a", "c" }),
            Req("mode", "enum", e: new[] { "x" }), Resp("color", "enum"), Resp("id", "long"),
            Resp("extra"), Req("currency", required: true), Req("hint"), Req("id", "long"),
        };
        var expected = new SchemaChange[]
        {
            new("removed response field 'gone'", true, "old clients read it"),
            new("removed request field 'req'", true, "old clients send it and expect it to act"),
            new("removed request field 'opt'", false, "ignored if sent; safe only if the server tolerates unknown input"),
            new("request field 'amount': type int → long", true, "old clients send or parse the old type"),
            new("request field 'note' became required", true, "old clients do not send it"),
            new("request field 'ref' became optional", false, "every old request still has it"),
            new("request field 'title': validation loosened", false, "every old request still passes"),
            new("request field 'memo': validation loosened", false, "every old request still passes"),
            new("request field 'tag': validation tightened", true, "some old requests now fail"),
            new("request field 'code': validation tightened", true, "some old requests now fail"),
            new("response field 'status': new enum value 'pending'", true, "an old client's exhaustive switch meets a value it never saw"),
            new("response field 'status': enum value 'failed' removed", true, "old clients may depend on it"),
            new("request field 'kind': new enum value 'c'", false, "old clients never send it"),
            new("request field 'kind': enum value 'b' removed", true, "old clients still send it"),
            new("request field 'mode': new enum value 'x'", false, "old clients never send it"),
            new("response field 'color': enum value 'r' removed", true, "old clients may depend on it"),
            new("added response field 'extra'", false, "clients ignore fields they do not know (if they are written to)"),
            new("added request field 'currency' (required)", true, "old clients do not send it"),
            new("added request field 'hint' (optional)", false, "old requests simply lack it"),
            new("added request field 'id' (optional)", false, "old requests simply lack it"),
        };
        Assert.Equal(expected, SchemaDiff.Classify(before, after));
    }

    [Fact]
    public void Identical_versions_have_no_changes_and_a_response_type_change_breaks()
    {
        var v = new[] { Req("a", required: true, max: 5, e: new[] { "x" }), Resp("b", e: new[] { "y" }) };
        Assert.Empty(SchemaDiff.Classify(v, v));
        Assert.Empty(SchemaDiff.Classify(Array.Empty<ApiField>(), Array.Empty<ApiField>()));
        Assert.Equal(new[] { new SchemaChange("response field 'b': type int → string", true, "old clients send or parse the old type") },
            SchemaDiff.Classify(new[] { Resp("b", "int") }, new[] { Resp("b") }));
        // a response field that becomes "required" or changes its length limit is no request-side change
        Assert.Empty(SchemaDiff.Classify(new[] { Resp("c", max: 3) }, new[] { Resp("c", required: true) }));
        Assert.Empty(SchemaDiff.Classify(new[] { Resp("c", required: true) }, new[] { Resp("c", max: 3) }));
    }
}

public sealed class DeprecationHeaderTests
{
    [Fact]
    public void Sunset_and_deprecation_use_the_rfc_formats_in_utc()
    {
        var when = new DateTimeOffset(2024, 7, 1, 1, 59, 59, TimeSpan.FromHours(2));   // 2024-06-30 23:59:59 UTC
        Assert.Equal("Sun, 30 Jun 2024 23:59:59 GMT", DeprecationHeaders.Sunset(when));
        Assert.Equal("@1719791999", DeprecationHeaders.Deprecation(when));
        Assert.Equal("@0", DeprecationHeaders.Deprecation(DateTimeOffset.UnixEpoch));
        Assert.Equal("@-5", DeprecationHeaders.Deprecation(DateTimeOffset.UnixEpoch.AddSeconds(-5)));
    }

    [Fact]
    public void Parsing_accepts_exact_rfc_values_and_rejects_the_rest_with_the_expected_form()
    {
        var p = DeprecationHeaders.ParseSunset("Sun, 30 Jun 2024 23:59:59 GMT");
        Assert.Equal(new DateTimeOffset(2024, 6, 30, 23, 59, 59, TimeSpan.Zero), p);
        Assert.Equal(TimeSpan.Zero, p.Offset);
        var e = Assert.Throws<FormatException>(() => DeprecationHeaders.ParseSunset("Mon, 30 Jun 2024 23:59:59 GMT"));
        Assert.Equal("'Mon, 30 Jun 2024 23:59:59 GMT' is not an IMF-fixdate like 'Sun, 30 Jun 2024 23:59:59 GMT'", e.Message);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(7), DeprecationHeaders.ParseDeprecation("@7"));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(-5), DeprecationHeaders.ParseDeprecation("@-5"));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1688169599), DeprecationHeaders.ParseDeprecation("@1688169599"));
        foreach (var bad in new[] { "@", "7", "x7", "@7x", "@ 7", "1688169599", "@1.5" })
        {
            var f = Assert.Throws<FormatException>(() => DeprecationHeaders.ParseDeprecation(bad));
            Assert.Equal($"'{bad}' is not a Structured Field Date like '@1688169599'", f.Message);
        }
    }
}

public sealed class WireEvolutionTests
{
    [Fact]
    public void A_v1_reader_keeps_an_added_field_as_unknown_bytes_and_writes_them_back()
    {
        var u = SampleUsers.Make(3);
        var (parsed, v2, re) = WireEvolution.AddedField(u, "extra");
        byte[] expected = u.ToByteArray().Concat(new byte[] { 0xCA, 0x01, 5 }).Concat("extra"u8.ToArray()).ToArray();
        Assert.Equal(expected.Length, v2);
        Assert.Equal(expected.Length, re);
        Assert.Equal(expected, parsed.ToByteArray());
        Assert.Equal(u.Name, parsed.Name);
        Assert.Equal(u.EmailConfirmed, parsed.EmailConfirmed);
        // a 200-byte value needs a two-byte length varint (0xC8 0x01)
        var (p200, v200, _) = WireEvolution.AddedField(u, new string('z', 200));
        Assert.Equal(u.CalculateSize() + 2 + 2 + 200, v200);
        Assert.Equal(new byte[] { 0xCA, 0x01, 0xC8, 0x01 }, p200.ToByteArray().Skip(u.CalculateSize()).Take(4));
    }

    [Fact]
    public void A_v1_reader_of_a_retyped_name_reads_empty_and_keeps_the_varint_as_unknown()
    {
        var u = SampleUsers.Make(3);
        var t = WireEvolution.TypeChanged(u, 300);
        Assert.Equal("", t.Name);
        Assert.Equal(u.Email, t.Email);
        Assert.NotEqual("", u.Name);                               // the caller's user is not modified
        var bytes = t.ToByteArray();
        Assert.Equal(new byte[] { 0x10, 0xAC, 0x02 }, bytes[^3..]);  // tag (2, varint), then 300 as a varint
        var without = u.Clone();
        without.Name = "";
        Assert.Equal(without.CalculateSize() + 3, bytes.Length);
        Assert.Equal(new byte[] { 0x10, 0x2A }, WireEvolution.TypeChanged(u, 42).ToByteArray()[^2..]);
        Assert.Equal(without.CalculateSize() + 1 + 10, WireEvolution.TypeChanged(u, -1).CalculateSize());   // a negative int64 takes 10 bytes
    }

    [Fact]
    public void A_v1_json_client_names_the_missing_required_property()
    {
        Assert.Equal("JSON deserialization for type 'SystemDesign.Api.WireEvolution+V1Client' was missing required properties including: 'name'",
            WireEvolution.RenamedJsonField(SampleUsers.Make(3)));
    }
}
