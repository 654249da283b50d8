using System.Text;

namespace SystemDesign.Hashing;

/// <summary>
/// CRC-16/XMODEM (polynomial 0x1021, initial value 0, no reflection, no final XOR): the checksum Redis
/// Cluster uses to map keys to hash slots. System.IO.Hashing ships CRC-32 and CRC-64 but no CRC-16, so this
/// one is written here, table-driven, and tested against the catalogue's check value
/// CRC16-XMODEM("123456789") = 0x31C3.
/// </summary>
public static class Crc16
{
    /// <summary>The generator polynomial x¹⁶ + x¹² + x⁵ + 1.</summary>
    public const ushort Polynomial = 0x1021;

    private static readonly ushort[] Table = BuildTable();

    /// <summary>CRC-16/XMODEM of raw bytes.</summary>
    public static ushort Xmodem(ReadOnlySpan<byte> data)
    {
        ushort crc = 0;
        foreach (byte b in data)
            crc = (ushort)((crc << 8) ^ Table[((crc >> 8) ^ b) & 0xFF]);
        return crc;
    }

    /// <summary>CRC-16/XMODEM of a string's UTF-8 bytes (how Redis clients send keys).</summary>
    public static ushort Xmodem(string text)
    {
        Guard.NotNull(text);
        return Xmodem(Encoding.UTF8.GetBytes(text));
    }

    private static ushort[] BuildTable()
    {
        var table = new ushort[256];
        for (int i = 0; i < 256; i++)
        {
            int crc = i << 8;
            for (int bit = 0; bit < 8; bit++)
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ Polynomial : crc << 1;
            table[i] = (ushort)crc;
        }
        return table;
    }
}
