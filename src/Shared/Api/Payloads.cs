using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using SystemDesign.Api.Proto;

namespace SystemDesign.Api;

/// <summary>Sample users (deterministic from a seed) with the 24 fields of <c>api.proto</c>.</summary>
public static class SampleUsers
{
    private static readonly string[] First = { "Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Leslie", "Frances" };
    private static readonly string[] Last = { "Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Lamport", "Allen" };
    private static readonly string[] Cities = { "London, UK", "Arlington, VA", "Zurich, CH", "Austin, TX", "Boston, MA" };

    /// <summary>User <paramref name="id"/>; values vary with the id the way real profiles do.</summary>
    public static User Make(long id, int seed = 1)
    {
        Guard.InRange(id, 1, long.MaxValue);
        var rng = new Random(unchecked((int)(seed * 7919L + id)));   // HashCode.Combine would differ per process
        string first = First[rng.Next(First.Length)], last = Last[rng.Next(Last.Length)];
        string handle = $"{first}{last}{id}".ToLowerInvariant();
        var created = new DateTimeOffset(2015, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(rng.Next(300_000_000));
        return new User
        {
            Id = id, Name = $"{first} {last}", Email = $"{handle}@example.com",
            AvatarUrl = $"https://cdn.example.com/avatars/{id}/{rng.Next():x8}.jpg",
            Bio = $"Engineer at {Cities[rng.Next(Cities.Length)].Split(',')[0]} working on distributed systems; "
                  + $"{rng.Next(3, 25)} years of experience, likes {(rng.Next(2) == 0 ? "databases" : "compilers")}.",
            Followers = rng.Next(0, 50_000), Following = rng.Next(0, 2_000), PostCount = rng.Next(0, 5_000),
            Location = Cities[rng.Next(Cities.Length)], Website = $"https://{handle}.dev",
            Company = $"Example Corp {rng.Next(1, 99)}", CreatedAt = created.ToString("O"),
            UpdatedAt = created.AddDays(rng.Next(1, 2000)).ToString("O"), Verified = rng.Next(4) == 0,
            Language = "en-GB", Timezone = "Europe/London", Theme = rng.Next(2) == 0 ? "dark" : "light",
            Plan = rng.Next(3) switch { 0 => "free", 1 => "pro", _ => "team" },
            StorageBytes = rng.NextInt64(0, 10_000_000_000), Twitter = "@" + handle, Github = handle,
            Phone = $"+44 20 {rng.Next(1000, 9999)} {rng.Next(1000, 9999)}", Country = "GB",
            EmailConfirmed = rng.Next(10) != 0,
        };
    }

    /// <summary>Users 1..<paramref name="count"/>.</summary>
    public static User[] Page(int count, int seed = 1) =>
        Enumerable.Range(1, Guard.InRange(count, 1, 100_000)).Select(i => Make(i, seed)).ToArray();

    /// <summary>The JSON names of all 24 fields, in field-number order ("id", "name", "avatarUrl", …).</summary>
    public static IReadOnlyList<string> FieldNames { get; } =
        User.Descriptor.Fields.InFieldNumberOrder().Select(f => f.JsonName).ToArray();

    internal static FieldDescriptor Field(string jsonName) =>
        User.Descriptor.Fields.InFieldNumberOrder().FirstOrDefault(f => f.JsonName == jsonName)
        ?? throw new ArgumentException($"unknown user field '{jsonName}'; known: {string.Join(", ", FieldNames)}", nameof(jsonName));

    /// <summary>The user with only <paramref name="fields"/> set (a Protobuf field mask applied).</summary>
    public static User Mask(User user, IEnumerable<string> fields)
    {
        Guard.NotNull(user);
        var masked = new User();
        foreach (var f in Guard.NotNull(fields).Select(Field))
            f.Accessor.SetValue(masked, f.Accessor.GetValue(user));
        return masked;
    }

    /// <summary>The user as an ordered JSON object of the given fields (all when null), as a REST API returns it.</summary>
    public static Dictionary<string, object> AsJsonObject(User user, IEnumerable<string>? fields = null)
    {
        Guard.NotNull(user);
        var d = new Dictionary<string, object>();
        foreach (var f in (fields ?? FieldNames).Select(Field))
            d[f.JsonName] = f.Accessor.GetValue(user);
        return d;
    }
}

/// <summary>One encoding of a payload: its size raw, gzip'd and Brotli'd.</summary>
public sealed record EncodedSize(string Format, int Raw, int Gzip, int Brotli)
{
    public double RatioTo(EncodedSize other, Func<EncodedSize, int> size) => (double)size(other) / size(this);
}

/// <summary>Real encoded sizes of the same users as REST JSON, a GraphQL response and Protobuf.</summary>
public static class Payloads
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>REST: every field of every user, a JSON array (one user: a JSON object).</summary>
    public static byte[] RestJson(IReadOnlyList<User> users) =>
        users.Count == 1
            ? JsonSerializer.SerializeToUtf8Bytes(SampleUsers.AsJsonObject(users[0]), Json)
            : JsonSerializer.SerializeToUtf8Bytes(users.Select(u => SampleUsers.AsJsonObject(u)).ToArray(), Json);

    /// <summary>Protobuf: one message, or a length-delimited stream of them for several users.</summary>
    public static byte[] Protobuf(IReadOnlyList<User> users)
    {
        if (users.Count == 1) return users[0].ToByteArray();
        using var ms = new MemoryStream();
        foreach (var u in users) u.WriteDelimitedTo(ms);
        return ms.ToArray();
    }

    /// <summary>Sizes of each format for <paramref name="users"/>; GraphQL selects <paramref name="fields"/> and is
    /// executed by graphql-dotnet; "Protobuf (mask)" is Protobuf with only those fields set.</summary>
    public static IReadOnlyList<EncodedSize> Measure(IReadOnlyList<User> users, IReadOnlyList<string> fields)
    {
        Guard.NotEmpty(users);
        Guard.NotEmpty(fields);
        foreach (var f in fields) SampleUsers.Field(f);
        var gql = new UserGraph(users);
        string query = users.Count == 1
            ? $"{{ user(id: {users[0].Id}) {{ {string.Join(" ", fields)} }} }}"
            : $"{{ users(first: {users.Count}) {{ {string.Join(" ", fields)} }} }}";
        byte[] graphql = Encoding.UTF8.GetBytes(gql.Execute(query));
        byte[] masked = Protobuf(users.Select(u => SampleUsers.Mask(u, fields)).ToArray());
        return new[]
        {
            Sizes("REST JSON (all 24 fields)", RestJson(users)),
            Sizes($"GraphQL ({fields.Count} fields)", graphql),
            Sizes("Protobuf (all 24 fields)", Protobuf(users)),
            Sizes($"Protobuf ({fields.Count}-field mask)", masked),
        };
    }

    /// <summary>Bytes each field costs alone: as a JSON member (<c>"name":value,</c>) and as a Protobuf field
    /// (tag + length/varint + value). Small numbers and booleans under long names are where binary wins big.</summary>
    public static IReadOnlyList<(string Field, string Type, int Json, int Protobuf)> PerField(User user)
    {
        Guard.NotNull(user);
        return User.Descriptor.Fields.InFieldNumberOrder().Select(f =>
        {
            var one = SampleUsers.AsJsonObject(user, new[] { f.JsonName });
            int json = JsonSerializer.SerializeToUtf8Bytes(one, Json).Length - 2 + 1;   // minus {}, plus a comma
            int proto = SampleUsers.Mask(user, new[] { f.JsonName }).CalculateSize();
            return (f.JsonName, f.FieldType.ToString().ToLowerInvariant(), json, proto);
        }).ToArray();
    }

    public static EncodedSize Sizes(string format, byte[] raw) =>
        new(Guard.NotEmpty(format), Guard.NotNull(raw).Length, Gzip(raw).Length, Brotli(raw).Length);

    public static byte[] Gzip(byte[] raw)
    {
        using var ms = new MemoryStream();
        using (var z = new GZipStream(ms, CompressionLevel.Optimal)) z.Write(Guard.NotNull(raw));
        return ms.ToArray();
    }

    public static byte[] Brotli(byte[] raw)
    {
        using var ms = new MemoryStream();
        using (var z = new BrotliStream(ms, CompressionLevel.Optimal)) z.Write(Guard.NotNull(raw));
        return ms.ToArray();
    }
}
