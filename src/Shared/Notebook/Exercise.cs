namespace SystemDesign.Notebook;

/// <summary>
/// Self-check exercises. The reader's cell starts as <c>throw new NotImplementedException()</c>; the check
/// cell calls <see cref="Verify"/>, which says what to do while the exercise is unsolved, runs the claim
/// checks against the reader's answer once it is, and lets a wrong answer fail with the check's message.
/// </summary>
public static class Exercise
{
    public static void Verify(string name, Action checks)
    {
        Guard.NotEmpty(name);
        Guard.NotNull(checks);
        try
        {
            checks();
        }
        catch (NotImplementedException)
        {
            Console.WriteLine($"✍ Exercise \"{name}\" is not solved yet: replace the NotImplementedException in the cell above with your answer, run it, then run this cell again.");
            return;
        }
        Console.WriteLine($"✓ Exercise \"{name}\" solved.");
    }
}
