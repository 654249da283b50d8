// Plausible but wrong: counts the replicas as the total number of copies (the guide's slip).
(int PrimaryShards, double TotalGb) SizeFor(long docs, double bytesPerDoc, double ratio, int replicas,
    double maxShardGb)
{
    double primaryGb = docs * bytesPerDoc / 1e9 * ratio;
    return ((int)Math.Ceiling(primaryGb / maxShardGb), primaryGb * replicas);
}
