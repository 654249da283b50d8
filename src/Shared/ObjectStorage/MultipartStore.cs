using System.Security.Cryptography;

namespace SystemDesign.ObjectStorage;

/// <summary>An S3 error: its code (EntityTooSmall, NoSuchUpload, InvalidPart, …) as S3 names it.</summary>
public sealed class S3ModelException(string code, string message) : Exception($"{code}: {message}")
{
    public string Code { get; } = code;
}

public sealed record PartInfo(int PartNumber, long Size, string ETag);

/// <summary>
/// The multipart rules of S3's API in memory: parts overwrite by number, ListParts, CompleteMultipartUpload
/// checks ETags, order and the 5 MiB minimum of every part but the last (EntityTooSmall), abort frees the parts.
/// The reference the real server is compared with.
/// </summary>
public sealed class MultipartStore
{
    private readonly Dictionary<string, (string Key, SortedDictionary<int, byte[]> Parts)> uploads = new();
    private readonly Dictionary<string, (byte[] Data, string ETag)> objects = new();
    private int next;

    public long MinPartBytes { get; }

    public MultipartStore(long minPartBytes = MultipartLimits.MinPartBytes)
    {
        MinPartBytes = Guard.InRange(minPartBytes, 1L, MultipartLimits.MaxPartBytes);
    }

    public int OpenUploads => uploads.Count;
    public long StoredPartBytes => uploads.Values.Sum(u => u.Parts.Values.Sum(p => (long)p.Length));

    public string Initiate(string key)
    {
        Guard.NotEmpty(key);
        string id = $"upload-{++next}";
        uploads[id] = (key, new SortedDictionary<int, byte[]>());
        return id;
    }

    public string UploadPart(string uploadId, int partNumber, byte[] data)
    {
        Guard.NotNull(uploadId);
        Guard.InRange(partNumber, 1, MultipartLimits.MaxParts);
        Guard.NotNull(data);
        var upload = Find(uploadId);
        upload.Parts[partNumber] = data.ToArray();
        return Convert.ToHexStringLower(MD5.HashData(data));
    }

    public IReadOnlyList<PartInfo> ListParts(string uploadId)
    {
        Guard.NotNull(uploadId);
        return Find(uploadId).Parts.Select(p =>
            new PartInfo(p.Key, p.Value.Length, Convert.ToHexStringLower(MD5.HashData(p.Value)))).ToList();
    }

    /// <summary>Assembles the listed parts (number, ETag) into the object and returns its ETag.</summary>
    public string Complete(string uploadId, IReadOnlyList<(int PartNumber, string ETag)> parts)
    {
        Guard.NotNull(uploadId);
        Guard.NotNull(parts);
        var upload = Find(uploadId);
        if (parts.Count == 0) throw new S3ModelException("MalformedXML", "no parts listed");
        for (int i = 1; i < parts.Count; i++)
            if (parts[i].PartNumber <= parts[i - 1].PartNumber)
                throw new S3ModelException("InvalidPartOrder", "parts must be listed in ascending order");
        var chosen = new List<byte[]>();
        foreach (var (number, etag) in parts)
        {
            if (!upload.Parts.TryGetValue(number, out var data)
                || Convert.ToHexStringLower(MD5.HashData(data)) != etag.Trim('"'))
                throw new S3ModelException("InvalidPart", $"part {number} was not uploaded or its ETag differs");
            chosen.Add(data);
        }
        for (int i = 0; i < chosen.Count - 1; i++)
            if (chosen[i].Length < MinPartBytes)
                throw new S3ModelException("EntityTooSmall",
                    $"part {parts[i].PartNumber} is {chosen[i].Length} bytes, below the minimum {MinPartBytes}");
        string objectETag = PartPlanner.MultipartETag(chosen);
        objects[upload.Key] = (chosen.SelectMany(c => c).ToArray(), objectETag);
        uploads.Remove(uploadId);
        return objectETag;
    }

    public void Abort(string uploadId)
    {
        Guard.NotNull(uploadId);
        Find(uploadId);
        uploads.Remove(uploadId);
    }

    public byte[] Get(string key)
    {
        Guard.NotNull(key);
        return objects.TryGetValue(key, out var o) ? o.Data : throw new S3ModelException("NoSuchKey", key);
    }

    private (string Key, SortedDictionary<int, byte[]> Parts) Find(string uploadId) =>
        uploads.TryGetValue(uploadId, out var u) ? u : throw new S3ModelException("NoSuchUpload", uploadId);
}
