// Plausible but wrong: modulo needs no table and is perfectly balanced, but going from n to n+1 buckets
// moves almost every key, and not only into the new bucket.
int Bucket(ulong key, int buckets) => (int)(key % (ulong)buckets);
