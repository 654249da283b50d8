using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using SystemDesign.Api;
using SystemDesign.Api.Proto;

namespace SystemDesign.Tests.Api;

public sealed class PayloadsTests
{
    private const string User1Json =
        "{\"id\":1,\"name\":\"Alan Knuth\",\"email\":\"alanknuth1@example.com\",\"avatarUrl\":\"https://cdn.example.com/avatars/1/035995da.jpg\","
        + "\"bio\":\"Engineer at Boston working on distributed systems; 21 years of experience, likes compilers.\",\"followers\":39132,"
        + "\"following\":1627,\"postCount\":3911,\"location\":\"London, UK\",\"website\":\"https://alanknuth1.dev\",\"company\":\"Example Corp 72\","
        + "\"createdAt\":\"2022-02-27T06:16:21.0000000\\u002B00:00\",\"updatedAt\":\"2023-07-02T06:16:21.0000000\\u002B00:00\",\"verified\":false,"
        + "\"language\":\"en-GB\",\"timezone\":\"Europe/London\",\"theme\":\"light\",\"plan\":\"free\",\"storageBytes\":1282316534,"
        + "\"twitter\":\"@alanknuth1\",\"github\":\"alanknuth1\",\"phone\":\"\\u002B44 20 9794 2363\",\"country\":\"GB\",\"emailConfirmed\":true}";

    [Fact]
    public void A_sample_user_is_the_same_in_every_process_for_its_id_and_seed()
    {
        // Pinned: the generator's seed is derived arithmetically, not with HashCode.Combine (randomized per process).
        Assert.Equal(User1Json, Encoding.UTF8.GetString(Payloads.RestJson(new[] { SampleUsers.Make(1) })));
        Assert.Equal(SampleUsers.Make(1), SampleUsers.Make(1, seed: 1));
        Assert.NotEqual(SampleUsers.Make(1).Name + SampleUsers.Make(1).Phone, SampleUsers.Make(1, seed: 2).Name + SampleUsers.Make(1, seed: 2).Phone);
        var u2 = SampleUsers.Make(2, seed: 5);
        Assert.Equal(2, u2.Id);
        Assert.Equal("Grace Turing", u2.Name);
        Assert.Equal("graceturing2@example.com", u2.Email);
        Assert.Equal("https://graceturing2.dev", u2.Website);
        Assert.Equal("@graceturing2", u2.Twitter);
        Assert.Equal("graceturing2", u2.Github);
        Assert.Equal("Austin, TX", u2.Location);
        Assert.True(u2.Verified);
        Assert.Equal(7649576412, u2.StorageBytes);
        Assert.Equal("Engineer at Austin working on distributed systems; 9 years of experience, likes compilers.", u2.Bio);
    }

    [Fact]
    public void A_page_of_forty_users_mixes_themes_plans_and_flags_as_pinned()
    {
        var p = SampleUsers.Page(40);
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), p.Select(u => u.Id));
        Assert.Equal(SampleUsers.Make(17), p[16]);
        Assert.Equal(SampleUsers.Make(3, 9), SampleUsers.Page(3, 9)[2]);
        Assert.Equal(20, p.Count(u => u.Theme == "dark"));
        Assert.Equal(20, p.Count(u => u.Theme == "light"));
        Assert.Equal(11, p.Count(u => u.Verified));
        Assert.Equal(10, p.Count(u => u.Plan == "free"));
        Assert.Equal(15, p.Count(u => u.Plan == "pro"));
        Assert.Equal(15, p.Count(u => u.Plan == "team"));
        Assert.Equal(38, p.Count(u => u.EmailConfirmed));
        Assert.Equal(18, p.Count(u => u.Bio.EndsWith("likes databases.")));
        Assert.Equal(22, p.Count(u => u.Bio.EndsWith("likes compilers.")));
        Assert.All(p, u =>
        {
            Assert.Equal("en-GB", u.Language);
            Assert.Equal("Europe/London", u.Timezone);
            Assert.Equal("GB", u.Country);
            Assert.StartsWith("+44 20 ", u.Phone);
            Assert.StartsWith($"https://cdn.example.com/avatars/{u.Id}/", u.AvatarUrl);
            Assert.True(DateTimeOffset.Parse(u.UpdatedAt) > DateTimeOffset.Parse(u.CreatedAt));
        });
        Assert.Single(SampleUsers.Page(1));
        // every first name, last name and city of the generator occurs in forty users
        Assert.Equal(new[] { "Ada", "Alan", "Barbara", "Donald", "Edsger", "Frances", "Grace", "Leslie" },
            p.Select(u => u.Name.Split(' ')[0]).Distinct().Order());
        Assert.Equal(new[] { "Allen", "Dijkstra", "Hopper", "Knuth", "Lamport", "Liskov", "Lovelace", "Turing" },
            p.Select(u => u.Name.Split(' ')[1]).Distinct().Order());
        Assert.Equal(new[] { "Arlington, VA", "Austin, TX", "Boston, MA", "London, UK", "Zurich, CH" }, p.Select(u => u.Location).Distinct().Order());
        Assert.Equal(new[] { "Arlington", "Austin", "Boston", "London", "Zurich" }, p.Select(u => u.Bio.Split(' ')[2]).Distinct().Order());
    }

    [Fact]
    public void Field_names_are_the_24_json_names_in_field_number_order()
    {
        Assert.Equal(new[]
        {
            "id", "name", "email", "avatarUrl", "bio", "followers", "following", "postCount", "location", "website", "company",
            "createdAt", "updatedAt", "verified", "language", "timezone", "theme", "plan", "storageBytes", "twitter", "github",
            "phone", "country", "emailConfirmed",
        }, SampleUsers.FieldNames);
    }

    [Fact]
    public void A_mask_copies_only_the_named_fields_and_the_json_object_keeps_the_requested_order()
    {
        var u = SampleUsers.Make(2, seed: 5);
        var m = SampleUsers.Mask(u, new[] { "verified", "storageBytes", "email" });
        Assert.Equal(new User { Verified = true, StorageBytes = 7649576412, Email = "graceturing2@example.com" }, m);
        Assert.Equal(new User(), SampleUsers.Mask(u, Array.Empty<string>()));
        var all = SampleUsers.AsJsonObject(u);
        Assert.Equal(SampleUsers.FieldNames, all.Keys);
        Assert.Equal(2L, all["id"]);
        Assert.Equal(true, all["verified"]);
        var some = SampleUsers.AsJsonObject(u, new[] { "plan", "id" });
        Assert.Equal(new[] { "plan", "id" }, some.Keys);
        Assert.Equal(u.Plan, some["plan"]);
    }

    [Fact]
    public void Rest_json_is_an_object_for_one_user_and_an_array_for_several()
    {
        var users = SampleUsers.Page(2);
        Assert.Equal(User1Json, Encoding.UTF8.GetString(Payloads.RestJson(new[] { users[0] })));
        string two = Encoding.UTF8.GetString(Payloads.RestJson(users));
        Assert.Equal("[" + User1Json + "," + Encoding.UTF8.GetString(Payloads.RestJson(new[] { users[1] })) + "]", two);
    }

    [Fact]
    public void Protobuf_is_one_message_for_one_user_and_a_delimited_stream_for_several()
    {
        var users = SampleUsers.Page(3);
        Assert.Equal(users[0].ToByteArray(), Payloads.Protobuf(new[] { users[0] }));
        var stream = Payloads.Protobuf(users);
        Assert.Equal(users.Sum(u => CodedOutputStream.ComputeLengthSize(u.CalculateSize()) + u.CalculateSize()), stream.Length);
        using var ms = new MemoryStream(stream);
        Assert.Equal(users, new[] { User.Parser.ParseDelimitedFrom(ms), User.Parser.ParseDelimitedFrom(ms), User.Parser.ParseDelimitedFrom(ms) });
        Assert.Equal(ms.Length, ms.Position);
    }

    [Fact]
    public void Measure_reports_the_four_formats_with_their_real_sizes_for_several_users()
    {
        var users = SampleUsers.Page(3);
        var fields = new[] { "id", "verified" };
        var sizes = Payloads.Measure(users, fields);
        Assert.Equal(new[] { "REST JSON (all 24 fields)", "GraphQL (2 fields)", "Protobuf (all 24 fields)", "Protobuf (2-field mask)" },
            sizes.Select(s => s.Format));
        string graphql = new UserGraph(users).Execute("{ users(first: 3) { id verified } }");
        Assert.StartsWith("{\"data\":{\"users\":[{\"id\":1,\"verified\":false},{\"id\":2,", graphql);
        Assert.Equal(Encoding.UTF8.GetByteCount(graphql), sizes[1].Raw);
        Assert.Equal(Payloads.Sizes("x", Payloads.RestJson(users)) with { Format = sizes[0].Format }, sizes[0]);
        Assert.Equal(Payloads.Sizes("x", Payloads.Protobuf(users)) with { Format = sizes[2].Format }, sizes[2]);
        Assert.Equal(9, sizes[3].Raw);     // three 3-byte messages: a length byte, then id's tag and varint; verified=false costs nothing
        Assert.Equal(new EncodedSize("REST JSON (all 24 fields)", 2127, 739, 679), sizes[0]);
        Assert.Equal(new EncodedSize("Protobuf (all 24 fields)", 1259, 634, 602), sizes[2]);
    }

    [Fact]
    public void Measure_of_one_user_queries_that_user_by_id()
    {
        var users = new[] { SampleUsers.Make(5) };
        var sizes = Payloads.Measure(users, new[] { "name", "id" });
        string expected = "{\"data\":{\"user\":{\"name\":\"" + users[0].Name + "\",\"id\":5}}}";
        Assert.Equal(Encoding.UTF8.GetByteCount(expected), sizes[1].Raw);
        Assert.Equal("GraphQL (2 fields)", sizes[1].Format);
        Assert.Equal("Protobuf (2-field mask)", sizes[3].Format);
        Assert.Equal(new User { Name = users[0].Name, Id = 5 }.CalculateSize(), sizes[3].Raw);
        Assert.Equal(users[0].CalculateSize(), sizes[2].Raw);
    }

    [Fact]
    public void Per_field_costs_are_pinned_for_a_user()
    {
        var rows = Payloads.PerField(SampleUsers.Make(1));
        Assert.Equal(24, rows.Count);
        Assert.Equal(SampleUsers.FieldNames, rows.Select(r => r.Field));
        Assert.Equal(("id", "int64", 7, 2), rows[0]);                  // "id":1,  and tag + varint
        Assert.Equal(("name", "string", 20, 12), rows[1]);             // "name":"Alan Knuth",
        Assert.Equal(("followers", "int32", 18, 4), rows[5]);
        Assert.Equal(("verified", "bool", 17, 0), rows[13]);           // false is not on the wire at all
        Assert.Equal(("storageBytes", "int64", 26, 7), rows[18]);
        Assert.Equal(("emailConfirmed", "bool", 22, 3), rows[23]);     // field 24 needs a 2-byte tag
        Assert.Equal(700, rows.Sum(r => r.Json));
        Assert.Equal(SampleUsers.Make(1).CalculateSize(), rows.Sum(r => r.Protobuf));   // 411: the fields alone add up to the message
    }

    [Fact]
    public void Sizes_compress_with_gzip_and_brotli_and_both_round_trip()
    {
        var raw = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("hello payload ", 50)));
        var gz = Payloads.Gzip(raw);
        var br = Payloads.Brotli(raw);
        using (var z = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress))
        using (var o = new MemoryStream()) { z.CopyTo(o); Assert.Equal(raw, o.ToArray()); }
        using (var z = new BrotliStream(new MemoryStream(br), CompressionMode.Decompress))
        using (var o = new MemoryStream()) { z.CopyTo(o); Assert.Equal(raw, o.ToArray()); }
        Assert.Equal(new EncodedSize("f", raw.Length, gz.Length, br.Length), Payloads.Sizes("f", raw));
        Assert.True(gz.Length < raw.Length / 5);
        Assert.Equal(0x1f, gz[0]);
        Assert.Equal(0x8b, gz[1]);
    }

    [Fact]
    public void Ratio_to_divides_the_other_size_by_this_one()
    {
        var a = new EncodedSize("a", 100, 40, 20);
        var b = new EncodedSize("b", 300, 10, 50);
        Assert.Equal(3.0, a.RatioTo(b, s => s.Raw));
        Assert.Equal(0.25, a.RatioTo(b, s => s.Gzip));
        Assert.Equal(0.4, b.RatioTo(a, s => s.Brotli));
    }
}
