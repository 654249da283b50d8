long TimestampBits(int n, int k)
{
    // Intervals: 15 s except that the interval ending on a late sample is 16 and the next one 14.
    long bits = 0, prev = 0;
    for (int i = 1; i < n; i++)
    {
        long t = 15L * i + (i % k == 0 ? 1 : 0), before = 15L * (i - 1) + (i - 1 > 0 && (i - 1) % k == 0 ? 1 : 0);
        long delta = t - before, dod = delta - prev;
        prev = delta;
        bits += dod == 0 ? 1 : dod is >= -63 and <= 64 ? 9 : dod is >= -255 and <= 256 ? 12
            : dod is >= -2047 and <= 2048 ? 16 : 36;
    }
    return bits;
}
