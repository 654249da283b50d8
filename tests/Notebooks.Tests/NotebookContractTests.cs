using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace SystemDesign.Notebooks.Tests;

/// <summary>
/// The content rules of the notebook contract that a program can tell (CONTRIBUTING.md, "The notebook
/// contract"): cells a reader can read on a rendered page, an "In the interview" box after every question,
/// at least two exercises, and no check whose measured value is a constant (a derivation, to be printed with
/// <c>Derive</c>, not asserted with <c>Check</c>).
/// </summary>
public sealed partial class NotebookContractTests
{
    public const int MaxColumns = 100;
    public const int MaxCellLines = 30; // the contract says ~25; 30 leaves room for a chart's last lines
    public const string InterviewMarker = "**In the interview**";

    private static NotebookFile Load(string notebook) =>
        new(Path.GetFullPath(Path.Combine(NotebookFile.NotebooksFolder, notebook)));

    public static IEnumerable<object[]> AllWithTemplate() => NotebookHygieneTests.AllWithTemplate();

    [Theory]
    [MemberData(nameof(AllWithTemplate))]
    public void Code_cells_fit_a_rendered_page(string notebook)
    {
        var nb = Load(notebook);
        var problems = new List<string>();
        foreach (var cell in nb.CodeCells)
        {
            var lines = cell.Source.TrimEnd('\n').Split('\n');
            if (lines.Length > MaxCellLines)
                problems.Add($"{cell} has {lines.Length} lines (at most {MaxCellLines}): move machinery to src/Shared");
            problems.AddRange(lines.Select((l, i) => (l, i)).Where(x => x.l.Length > MaxColumns)
                .Select(x => $"{cell} line {x.i + 1} has {x.l.Length} columns (at most {MaxColumns})"));
        }
        Assert.True(problems.Count == 0, $"{nb.Name}:\n  " + string.Join("\n  ", problems));
    }

    [Theory]
    [MemberData(nameof(AllWithTemplate))]
    public void Every_question_has_an_interview_box_with_three_to_five_points(string notebook)
    {
        var nb = Load(notebook);
        var markdown = nb.Cells.Where(c => c.Type == "markdown").ToList();
        var questions = markdown.Where(c => QuestionHeading().IsMatch(c.Source)).ToList();
        Assert.True(questions.Count > 0, $"{nb.Name} has no '### Q1. \"…\"' question heading");
        foreach (var q in questions)
        {
            // The box belongs to the question: it comes after its heading and before the next question
            // or the next section.
            var box = markdown.Where(c => c.Index > q.Index)
                .TakeWhile(c => c.Index == q.Index || !EndsQuestion(c.Source))
                .FirstOrDefault(c => c.Source.Contains(InterviewMarker));
            string heading = QuestionHeading().Match(q.Source).Value;
            if (q.Source.Contains(InterviewMarker)) box = q;
            Assert.True(box is not null, $"{nb.Name}: {heading} has no \"> {InterviewMarker}\" box before the next question");
            int points = box!.Source.Split('\n').Count(l => BoxPoint().IsMatch(l));
            Assert.True(points is >= 3 and <= 5,
                $"{nb.Name} {box}: the interview box for {heading} has {points} points (3 to 5, each '> - …')");
        }
    }

    [Theory]
    [MemberData(nameof(AllWithTemplate))]
    public void Has_at_least_two_exercises(string notebook)
    {
        var nb = Load(notebook);
        int exercises = nb.CodeCells.Count(c => c.FirstLine.StartsWith(NotebookExecutionTests.ExerciseMarker));
        Assert.True(exercises >= 2, $"{nb.Name} has {exercises} exercise(s); the contract asks for at least two");
    }

    [Theory]
    [MemberData(nameof(AllWithTemplate))]
    public void Checks_assert_measurements_not_constants(string notebook)
    {
        var nb = Load(notebook);
        var problems = nb.CodeCells.Skip(1).SelectMany(c => ConstantChecks(c.Source).Select(p => $"{c}: {p}")).ToList();
        Assert.True(problems.Count == 0,
            $"{nb.Name}: these checks cannot fail; print them with Derive.Value/Derive.Show instead:\n  "
            + string.Join("\n  ", problems));
    }

    [Fact]
    public void The_constant_check_detector_flags_derivations_and_spares_measurements()
    {
        Assert.Single(ConstantChecks("Check.Equal(\"slots\", 1 << 14, 16384);"));
        Assert.Single(ConstantChecks("Check.Near(\"bits\", Math.Log2(100) / Math.Log(2), 9.585, 1e-3);"));
        Assert.Single(ConstantChecks("Check.Relative(\"x\", f(n) * 2, f(n) * 2, 0.1);"));
        Assert.Single(ConstantChecks("Check.Equal(\"ids\", Snowflake.IdsPerMillisecond, 4096);"));
        Assert.Empty(ConstantChecks("Check.Near(\"moved\", moved / (double)keys, 1.0 / 11, 0.01);"));
        Assert.Empty(ConstantChecks("Check.Equal(\"slot\", HashSlots.Of(\"foo\"), 12182);"));
        Assert.Empty(ConstantChecks("Check.Less(\"faster\", 300, elapsedMs);"));
        Assert.Empty(ConstantChecks("Check.That(\"holds\", a < b, $\"{a} < {b}\");"));
    }

    /// <summary>
    /// Check calls whose measured argument is a constant expression (literals, operators, Math.* of
    /// constants, or a library member read without a call: a constant), or is the same text as the expected
    /// argument. What it cannot tell (a simulation's rule restated through a call) is left to review.
    /// </summary>
    public static IEnumerable<string> ConstantChecks(string code)
    {
        var root = CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(kind: SourceCodeKind.Script)).GetRoot();
        foreach (var call in root.DescendantNodes().OfType<InvocationExpressionSyntax>())
        {
            if (call.Expression is not MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.Text: "Check" } } m)
                continue;
            string method = m.Name.Identifier.Text;
            if (!Compared.Contains(method)) continue;
            var args = call.ArgumentList.Arguments.Where(a => a.NameColon is null).ToList();
            if (args.Count < 3) continue;
            var measured = args[1].Expression;
            var expected = args[2].Expression;
            // Less(claim, smaller, larger): either side may be the bound, so only both constant is a derivation.
            if (method == "Less" ? IsConstant(measured) && IsConstant(expected) : IsConstant(measured))
                yield return $"Check.{method}(… {measured} …) measures a constant";
            else if (measured.ToString() == expected.ToString())
                yield return $"Check.{method}(… {measured} …) compares an expression with itself";
        }
    }

    private static readonly HashSet<string> Compared =
        ["Near", "WithinSigma", "Relative", "AtMost", "AtLeast", "Between", "Less", "Equal"];

    private static bool IsConstant(ExpressionSyntax e) => e switch
    {
        LiteralExpressionSyntax => true,
        ParenthesizedExpressionSyntax p => IsConstant(p.Expression),
        PrefixUnaryExpressionSyntax u => IsConstant(u.Operand),
        CastExpressionSyntax c => IsConstant(c.Expression),
        BinaryExpressionSyntax b => IsConstant(b.Left) && IsConstant(b.Right),
        // Math.Log(2), Math.Sqrt(3): a function of constants.
        InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.Text: "Math" } } } i
            => i.ArgumentList.Arguments.All(a => IsConstant(a.Expression)),
        // Type.Member with a capitalised type and no call: a library constant (Snowflake.IdsPerMillisecond).
        MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax t, Name: IdentifierNameSyntax } ma
            => char.IsUpper(t.Identifier.Text[0]) && t.Identifier.Text != "Math" || ma.Expression.ToString() == "Math",
        _ => false,
    };

    private static bool EndsQuestion(string markdown) =>
        QuestionHeading().IsMatch(markdown) || markdown.TrimStart().StartsWith("## ");

    [GeneratedRegex(@"^###\s+Q\d+\.?.*$", RegexOptions.Multiline)]
    private static partial Regex QuestionHeading();

    [GeneratedRegex(@"^>\s*[-*]\s+\S")]
    private static partial Regex BoxPoint();
}
