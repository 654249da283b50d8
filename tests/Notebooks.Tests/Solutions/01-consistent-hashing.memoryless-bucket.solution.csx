// Jump consistent hash (Lamping & Veach, 2014): a 64-bit linear congruential generator seeded by the key
// decides where the key would jump next; it lands in bucket j with probability 1/(j+1) at each size.
int Bucket(ulong key, int buckets)
{
    long b = -1, j = 0;
    while (j < buckets)
    {
        b = j;
        key = unchecked(key * 2862933555777941757UL + 1);
        j = (long)((b + 1) * ((double)(1L << 31) / ((key >> 33) + 1)));
    }
    return (int)b;
}
