double LuceneLength(int length)
{
    // Keep the sign, the exponent and the top 3 mantissa bits of 1/√length (truncation), then 1/f².
    int bits = BitConverter.SingleToInt32Bits(1f / MathF.Sqrt(length)) >> 21 << 21;
    float f = BitConverter.Int32BitsToSingle(bits);
    return 1f / (f * f);
}
