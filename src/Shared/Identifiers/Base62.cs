namespace SystemDesign.Identifiers;

/// <summary>
/// Base-62 text for integers (0-9, A-Z, a-z): URL-safe without escaping, and 62 symbols pack
/// log₂62 ≈ 5.95 bits into each character, so 7 characters name 62⁷ ≈ 3.52 trillion values and a full 64-bit
/// integer needs 11.
/// </summary>
public static class Base62
{
    public const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>Longest length whose capacity 62^length still fits in a ulong (62¹¹ does not).</summary>
    public const int MaxCapacityLength = 10;

    /// <summary>Characters needed for any ulong: 11.</summary>
    public const int MaxLength = 11;

    /// <summary>The shortest base-62 text of <paramref name="value"/>, optionally left-padded with '0' to <paramref name="width"/>.</summary>
    public static string Encode(ulong value, int width = 1)
    {
        Guard.InRange(width, 1, MaxLength);
        Span<char> buffer = stackalloc char[MaxLength];
        int pos = MaxLength;
        do
        {
            buffer[--pos] = Alphabet[(int)(value % 62)];
            value /= 62;
        } while (value > 0);
        while (MaxLength - pos < width) buffer[--pos] = '0';
        return new string(buffer[pos..]);
    }

    /// <summary>The value of a base-62 text; rejects other characters and values above <see cref="ulong.MaxValue"/>.</summary>
    public static ulong Decode(string text)
    {
        Guard.NotEmpty(text);
        ulong value = 0;
        for (int i = 0; i < text.Length; i++)
        {
            int digit = Digit(text[i]);
            if (digit < 0)
                throw new ArgumentException($"text must use only 0-9, A-Z and a-z; '{text[i]}' at index {i} is not a base-62 digit.", nameof(text));
            if (value > (ulong.MaxValue - (ulong)digit) / 62)
                throw new ArgumentOutOfRangeException(nameof(text), text, $"text must decode to at most {ulong.MaxValue} (\"{Encode(ulong.MaxValue)}\"); \"{text}\" is larger.");
            value = value * 62 + (ulong)digit;
        }
        return value;
    }

    /// <summary>How many distinct codes of exactly <paramref name="length"/> characters exist: 62^length.</summary>
    public static ulong Capacity(int length)
    {
        Guard.InRange(length, 1, MaxCapacityLength);
        ulong c = 1;
        for (int i = 0; i < length; i++) c *= 62;
        return c;
    }

    /// <summary>Characters needed to give <paramref name="count"/> distinct codes (values 0 … count−1).</summary>
    public static int LengthFor(ulong count)
    {
        Guard.That(count >= 1, $"count must be at least 1; got {count}", nameof(count));
        return Encode(count - 1).Length;
    }

    private static int Digit(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'A' and <= 'Z' => c - 'A' + 10,
        >= 'a' and <= 'z' => c - 'a' + 36,
        _ => -1,
    };
}
