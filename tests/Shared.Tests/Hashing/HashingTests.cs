using System.IO.Hashing;
using System.Text;
using FsCheck.Xunit;
using SystemDesign.Hashing;

namespace SystemDesign.Tests.Hashing;

public sealed class Crc16Tests
{
    [Fact]
    public void Xmodem_matches_the_catalogue_check_value()
    {
        Assert.Equal(0x31C3, Crc16.Xmodem("123456789"));
        Assert.Equal(0x31C3, Crc16.Xmodem(Encoding.ASCII.GetBytes("123456789")));
        Assert.Equal(0, Crc16.Xmodem(ReadOnlySpan<byte>.Empty));
    }

    [Fact]
    public void Xmodem_matches_a_bit_by_bit_reference()
    {
        var random = new Random(1);
        for (int n = 0; n < 200; n++)
        {
            var data = new byte[random.Next(0, 64)];
            random.NextBytes(data);
            Assert.Equal(BitwiseReference(data), Crc16.Xmodem(data));
        }
    }

    [Fact]
    public void Null_text_is_rejected_by_name() =>
        Assert.Equal("text", Assert.Throws<ArgumentNullException>(() => Crc16.Xmodem((string)null!)).ParamName);

    // The definition, one bit at a time: the table-driven version must agree with it.
    private static ushort BitwiseReference(byte[] data)
    {
        int crc = 0;
        foreach (byte b in data)
        {
            crc ^= b << 8;
            for (int i = 0; i < 8; i++) crc = (crc & 0x8000) != 0 ? ((crc << 1) ^ 0x1021) & 0xFFFF : (crc << 1) & 0xFFFF;
        }
        return (ushort)crc;
    }
}

public sealed class KeyHashTests
{
    [Property(MaxTest = 200)]
    public bool Hash64_is_XxHash3_of_the_UTF8_bytes(string? key)
    {
        key ??= "";
        return KeyHash.Hash64(key) == XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(key))
               && KeyHash.Hash64(key, 7) == XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(key), 7)
               && KeyHash.Hash32(key) == XxHash32.HashToUInt32(Encoding.UTF8.GetBytes(key));
    }

    [Fact]
    public void Long_keys_take_the_pooled_path_and_agree()
    {
        string key = new('é', 1000);
        Assert.Equal(XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(key)), KeyHash.Hash64(key));
        Assert.Equal(XxHash32.HashToUInt32(Encoding.UTF8.GetBytes(key)), KeyHash.Hash32(key));
    }

    [Fact]
    public void ToUnit_stays_in_the_unit_interval()
    {
        Assert.Equal(0, KeyHash.ToUnit(0));
        Assert.True(KeyHash.ToUnit(ulong.MaxValue) < 1);
        Assert.Equal(0.5, KeyHash.ToUnit(1UL << 63));
    }

    [Fact]
    public void Null_keys_are_rejected_by_name()
    {
        Assert.Equal("key", Assert.Throws<ArgumentNullException>(() => KeyHash.Hash64((string)null!)).ParamName);
        Assert.Equal("key", Assert.Throws<ArgumentNullException>(() => KeyHash.Hash32(null!)).ParamName);
        Assert.Equal("key", Assert.Throws<ArgumentNullException>(() => KeyHash.Utf8(null!)).ParamName);
    }
}
