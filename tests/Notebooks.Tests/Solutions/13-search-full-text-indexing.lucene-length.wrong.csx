// Plausible but wrong: rounds the mantissa to nearest instead of truncating it.
double LuceneLength(int length)
{
    int bits = (BitConverter.SingleToInt32Bits(1f / MathF.Sqrt(length)) + (1 << 20)) >> 21 << 21;
    float f = BitConverter.Int32BitsToSingle(bits);
    return 1f / (f * f);
}
