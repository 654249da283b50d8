// Plausible but wrong: consistent-hashing intuition (only the new partitions' share moves).
double KeepShare(int before, int after) => (double)Math.Min(before, after) / Math.Max(before, after);
