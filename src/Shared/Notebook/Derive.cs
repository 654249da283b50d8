using System.Globalization;

namespace SystemDesign.Notebook;

/// <summary>
/// Derivations: values that follow from a formula, a constant or the model's own rules, printed with how they
/// were derived. They are not claims: a formula compared with itself, a library constant compared with a
/// literal, or a simulation's rule restated cannot come out otherwise, so they are shown, never checked.
/// Each line starts with "=" ("= bits per element for 1%: 9.585 (log₂(100)/(ln 2)²)"), where a
/// <see cref="Check"/> line starts with ✓, so a reader tells at a glance what was measured and what was
/// worked out.
/// </summary>
public static class Derive
{
    /// <summary>Prints "= what: value (how)" and returns the value, so it can feed the next step.</summary>
    /// <param name="how">the formula or source, e.g. "log₂(100)/(ln 2)²" or "Redis docs: 16,384 slots".</param>
    /// <param name="format">a .NET numeric format, e.g. "P1", "N0", "F3".</param>
    public static double Value(string what, double value, string how, string format = "G4")
    {
        Guard.NotEmpty(what);
        Guard.NotEmpty(how);
        Write($"{what}: {Check.F(value, format)} ({how})");
        return value;
    }

    /// <summary>Prints "= what: text (how)" for a value that is not a number (a slot, an id, a state).</summary>
    public static T Show<T>(string what, T value, string how)
    {
        Guard.NotEmpty(what);
        Guard.NotEmpty(how);
        string shown = value is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : value?.ToString() ?? "null";
        Write($"{what}: {shown} ({how})");
        return value;
    }

    private static void Write(string text) => (Check.Out ?? Console.Out).WriteLine("= " + text);
}
