using System.Runtime.CompilerServices;

namespace SystemDesign;

/// <summary>
/// Argument validation for every public entry point. Messages name the parameter and the valid range,
/// because a notebook reader who types a bad value should learn what a good one is.
/// </summary>
public static class Guard
{
    public static int InRange(int value, int min, int max, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (value < min || value > max)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be between {min} and {max} (inclusive); got {value}.");
        return value;
    }

    public static long InRange(long value, long min, long max, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (value < min || value > max)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be between {min} and {max} (inclusive); got {value}.");
        return value;
    }

    public static double InRange(double value, double min, double max, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (double.IsNaN(value) || value < min || value > max)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be between {min} and {max} (inclusive); got {value}.");
        return value;
    }

    /// <summary>For probabilities and rates that must lie strictly inside (0, 1).</summary>
    public static double OpenUnit(double value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (double.IsNaN(value) || value <= 0 || value >= 1)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be strictly between 0 and 1; got {value}.");
        return value;
    }

    public static int Positive(int value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (value <= 0)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1; got {value}.");
        return value;
    }

    public static double Positive(double value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (double.IsNaN(value) || value <= 0)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be greater than 0; got {value}.");
        return value;
    }

    public static int NonNegative(int value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (value < 0)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be 0 or more; got {value}.");
        return value;
    }

    public static double NonNegative(double value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (double.IsNaN(value) || value < 0)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be 0 or more; got {value}.");
        return value;
    }

    public static T NotNull<T>(T? value, [CallerArgumentExpression(nameof(value))] string? name = null) where T : class
        => value ?? throw new ArgumentNullException(name, $"{name} must not be null.");

    public static string NotEmpty(string? value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        if (value.Length == 0) throw new ArgumentException($"{name} must not be empty.", name);
        return value;
    }

    public static IReadOnlyCollection<T> NotEmpty<T>(IReadOnlyCollection<T>? value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        if (value.Count == 0) throw new ArgumentException($"{name} must contain at least one element.", name);
        return value;
    }

    public static void That(bool condition, string message, [CallerArgumentExpression(nameof(condition))] string? name = null)
    {
        if (!condition) throw new ArgumentException(message, name);
    }
}
