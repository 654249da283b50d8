(int PrimaryShards, double TotalGb) SizeFor(long docs, double bytesPerDoc, double ratio, int replicas,
    double maxShardGb)
{
    double primaryGb = docs * bytesPerDoc / 1e9 * ratio;
    return ((int)Math.Ceiling(primaryGb / maxShardGb), primaryGb * (1 + replicas));
}
