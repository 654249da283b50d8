using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using SystemDesign.Api.Proto;

namespace SystemDesign.Api;

/// <summary>Which side of the API a field lives on.</summary>
public enum FieldSide { Request, Response }

/// <summary>One field of an API version's contract.</summary>
public sealed record ApiField(FieldSide Side, string Name, string Type, bool Required = false, string[]? EnumValues = null, int? MaxLength = null);

/// <summary>A difference between two versions, and whether a client written against the old one can break.</summary>
public sealed record SchemaChange(string Change, bool Breaking, string Why);

/// <summary>
/// Classifies the changes between two API versions. The rule: a change is safe when every request an old client
/// sends is still accepted and every response it receives still parses and means the same. Old clients send old
/// requests, so the request side may only loosen; they read new responses, so the response side may only add.
/// </summary>
public static class SchemaDiff
{
    public static IReadOnlyList<SchemaChange> Classify(IReadOnlyCollection<ApiField> before, IReadOnlyCollection<ApiField> after)
    {
        Guard.NotNull(before);
        Guard.NotNull(after);
        var changes = new List<SchemaChange>();
        var old = before.ToDictionary(f => (f.Side, f.Name));
        var neu = after.ToDictionary(f => (f.Side, f.Name));
        foreach (var (key, f) in old)
        {
            string where = $"{f.Side.ToString().ToLowerInvariant()} field '{f.Name}'";
            if (!neu.TryGetValue(key, out var g))
            {
                changes.Add(f.Side == FieldSide.Response
                    ? new($"removed {where}", true, "old clients read it")
                    : new($"removed {where}", f.Required, f.Required ? "old clients send it and expect it to act" : "ignored if sent; safe only if the server tolerates unknown input"));
                continue;
            }
            if (f.Type != g.Type)
                changes.Add(new($"{where}: type {f.Type} → {g.Type}", true, "old clients send or parse the old type"));
            if (f.Side == FieldSide.Request && !f.Required && g.Required)
                changes.Add(new($"{where} became required", true, "old clients do not send it"));
            if (f.Side == FieldSide.Request && f.Required && !g.Required)
                changes.Add(new($"{where} became optional", false, "every old request still has it"));
            if (f.Side == FieldSide.Request && f.MaxLength is int a && (g.MaxLength is null || g.MaxLength > a))
                changes.Add(new($"{where}: validation loosened", false, "every old request still passes"));
            if (f.Side == FieldSide.Request && g.MaxLength is int b && (f.MaxLength is null || b < f.MaxLength))
                changes.Add(new($"{where}: validation tightened", true, "some old requests now fail"));
            var oldEnum = f.EnumValues ?? Array.Empty<string>();
            var newEnum = g.EnumValues ?? Array.Empty<string>();
            foreach (var v in newEnum.Except(oldEnum))
                changes.Add(f.Side == FieldSide.Response
                    ? new($"{where}: new enum value '{v}'", true, "an old client's exhaustive switch meets a value it never saw")
                    : new($"{where}: new enum value '{v}'", false, "old clients never send it"));
            foreach (var v in oldEnum.Except(newEnum))
                changes.Add(new($"{where}: enum value '{v}' removed", true,
                    f.Side == FieldSide.Request ? "old clients still send it" : "old clients may depend on it"));
        }
        foreach (var (key, g) in neu.Where(kv => !old.ContainsKey(kv.Key)))
        {
            string where = $"{g.Side.ToString().ToLowerInvariant()} field '{g.Name}'";
            changes.Add(g.Side == FieldSide.Response
                ? new($"added {where}", false, "clients ignore fields they do not know (if they are written to)")
                : new($"added {where}{(g.Required ? " (required)" : " (optional)")}", g.Required,
                    g.Required ? "old clients do not send it" : "old requests simply lack it"));
        }
        return changes;
    }
}

/// <summary>The deprecation headers in their RFC formats.</summary>
public static class DeprecationHeaders
{
    /// <summary>RFC 8594 <c>Sunset</c>: an HTTP-date (IMF-fixdate, RFC 9110 §5.6.7), e.g. "Sun, 30 Jun 2024 23:59:59 GMT".</summary>
    public static string Sunset(DateTimeOffset when) => when.UtcDateTime.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>RFC 9745 <c>Deprecation</c>: a Structured Field Date, "@" and Unix seconds, e.g. "@1688169599".</summary>
    public static string Deprecation(DateTimeOffset when) => "@" + when.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>Parses an IMF-fixdate strictly (the weekday must match the date, time and "GMT" present).</summary>
    public static DateTimeOffset ParseSunset(string value)
    {
        Guard.NotEmpty(value);
        if (!DateTime.TryParseExact(value, "r", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t))
            throw new FormatException($"'{value}' is not an IMF-fixdate like 'Sun, 30 Jun 2024 23:59:59 GMT'");
        return new DateTimeOffset(t, TimeSpan.Zero);
    }

    /// <summary>Parses an sf-date ("@" followed by an integer of Unix seconds).</summary>
    public static DateTimeOffset ParseDeprecation(string value)
    {
        Guard.NotEmpty(value);
        if (value.Length < 2 || value[0] != '@' || !long.TryParse(value.AsSpan(1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long s))
            throw new FormatException($"'{value}' is not a Structured Field Date like '@1688169599'");
        return DateTimeOffset.FromUnixTimeSeconds(s);
    }
}

/// <summary>What an old reader makes of bytes written by a newer schema: measured with the real parsers.</summary>
public static class WireEvolution
{
    /// <summary>v2 adds field 25 (a string) to User; a v1 reader parses it, keeps the rest, and carries field 25
    /// as an unknown field, so re-serializing gives back every byte.</summary>
    public static (User Parsed, int V2Bytes, int Reserialized) AddedField(User user, string extra)
    {
        Guard.NotNull(user);
        var v2 = user.ToByteArray().Concat(Tag(25, 2)).Concat(LengthPrefixed(extra)).ToArray();
        var parsed = User.Parser.ParseFrom(v2);
        return (parsed, v2.Length, parsed.ToByteArray().Length);
    }

    /// <summary>v2 changes field 2 ("name") from string to int64 at the same number; a v1 reader does not fail:
    /// the wire type no longer matches, so the value lands in the unknown fields and Name reads as "".</summary>
    public static User TypeChanged(User user, long newValue)
    {
        Guard.NotNull(user);
        var without = user.Clone();
        without.Name = "";
        var v2 = without.ToByteArray().Concat(Tag(2, 0)).Concat(Varint((ulong)newValue)).ToArray();
        return User.Parser.ParseFrom(v2);
    }

    /// <summary>A v1 JSON client that requires "name" reads a v2 body where it was renamed to "displayName".</summary>
    public static string RenamedJsonField(User user)
    {
        var body = SampleUsers.AsJsonObject(Guard.NotNull(user));
        body["displayName"] = body["name"];
        body.Remove("name");
        string json = JsonSerializer.Serialize(body);
        try { JsonSerializer.Deserialize<V1Client>(json); return "parsed"; }
        catch (JsonException e) { return e.Message.TrimEnd('.'); }
    }

    private sealed class V1Client
    {
        [System.Text.Json.Serialization.JsonPropertyName("id")][System.Text.Json.Serialization.JsonRequired] public long Id { get; set; }
        [System.Text.Json.Serialization.JsonPropertyName("name")][System.Text.Json.Serialization.JsonRequired] public string Name { get; set; } = "";
    }

    private static byte[] Tag(int field, int wireType) => Varint((ulong)((field << 3) | wireType));
    private static byte[] LengthPrefixed(string s)
    {
        var b = System.Text.Encoding.UTF8.GetBytes(s);
        return Varint((ulong)b.Length).Concat(b).ToArray();
    }
    private static byte[] Varint(ulong v)
    {
        var list = new List<byte>();
        do { byte b = (byte)(v & 0x7F); v >>= 7; list.Add(v != 0 ? (byte)(b | 0x80) : b); } while (v != 0);
        return list.ToArray();
    }
}
