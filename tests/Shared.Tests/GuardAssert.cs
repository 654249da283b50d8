namespace SystemDesign.Tests;

/// <summary>
/// Asserts an argument guard of a public entry: the exception's exact type and the parameter it names, so that
/// a deleted guard (or one naming the wrong parameter) fails the test. Use with <c>using static</c>.
/// </summary>
public static class GuardAssert
{
    public static void OutOfRange(string param, Action act)
        => Assert.Equal(param, Assert.Throws<ArgumentOutOfRangeException>(act).ParamName);

    public static void Null(string param, Action act)
        => Assert.Equal(param, Assert.Throws<ArgumentNullException>(act).ParamName);

    /// <summary>A plain <see cref="ArgumentException"/> (not a subclass); <paramref name="message"/> starts its text.</summary>
    public static void Invalid(string param, Action act, string? message = null)
    {
        var e = Assert.ThrowsAny<ArgumentException>(act);
        Assert.Equal(typeof(ArgumentException), e.GetType());
        Assert.Equal(param, e.ParamName);
        if (message is not null) Assert.StartsWith(message + " (Parameter", e.Message, StringComparison.Ordinal);
    }
}
