using System.Globalization;
using System.Text;

namespace SystemDesign.Search;

/// <summary>One token out of an analyzer: the term and its position in the token stream.</summary>
public sealed record Token(string Term, int Position);

/// <summary>
/// Our text analysis pipeline, stage by stage: tokenize (a subset of Unicode UAX #29 word breaks, the rules
/// Lucene's StandardTokenizer follows), lower-case, drop stop words, and optionally strip possessives and stem
/// with the Porter algorithm (what Lucene's EnglishAnalyzer does).
/// </summary>
public sealed class TextAnalyzer
{
    /// <summary>Lucene's English stop set (StopAnalyzer.ENGLISH_STOP_WORDS_SET), 33 words.</summary>
    public static readonly IReadOnlySet<string> EnglishStopWords = new HashSet<string>(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no",
        "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this",
        "to", "was", "will", "with",
    };

    /// <summary>Tokenize, lower-case, remove English stop words (like Lucene's StandardAnalyzer).</summary>
    public static readonly TextAnalyzer Standard = new("standard", stem: false);

    /// <summary>Standard plus possessive stripping and Porter stemming (like Lucene's EnglishAnalyzer).</summary>
    public static readonly TextAnalyzer English = new("english", stem: true);

    /// <summary>Only tokenize and lower-case: no stop words, no stemming.</summary>
    public static readonly TextAnalyzer Simple = new("simple", stem: false, stopWords: false);

    private readonly bool stem, stopWords;

    private TextAnalyzer(string name, bool stem, bool stopWords = true)
    {
        Name = name;
        this.stem = stem;
        this.stopWords = stopWords;
    }

    /// <summary>The analyzer's name.</summary>
    public string Name { get; }

    /// <summary>The terms of <paramref name="text"/>, in order (stop words leave position gaps).</summary>
    public IReadOnlyList<Token> Analyze(string text)
    {
        Guard.NotNull(text, nameof(text));
        var tokens = new List<Token>();
        int position = -1;
        foreach (var raw in Tokenize(text))
        {
            position++;
            string term = raw;
            if (stem) term = StripPossessive(term);
            term = term.ToLowerInvariant();
            if (stopWords && EnglishStopWords.Contains(term)) continue;
            if (stem) term = PorterStemmer.Stem(term);
            tokens.Add(new Token(term, position));
        }
        return tokens;
    }

    /// <summary>The terms only.</summary>
    public IReadOnlyList<string> Terms(string text) => Analyze(text).Select(t => t.Term).ToList();

    /// <summary>
    /// Word-break tokenization: runs of letters and digits, joined across one apostrophe, full stop or colon
    /// between letters and one apostrophe, comma or full stop between digits (UAX #29 rules WB6/7, WB11/12).
    /// Everything else (spaces, hyphens, slashes, punctuation) separates tokens.
    /// </summary>
    public static IReadOnlyList<string> Tokenize(string text)
    {
        Guard.NotNull(text, nameof(text));
        var tokens = new List<string>();
        var current = new StringBuilder();
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (IsWordChar(c)) { current.Append(c); continue; }
            if (current.Length > 0 && i + 1 < text.Length && IsWordChar(text[i + 1]))
            {
                char prev = text[i - 1], next = text[i + 1];
                bool letters = char.IsLetter(prev) && char.IsLetter(next)
                               && c is '\'' or '\u2019' or '.' or ':';
                bool digits = char.IsDigit(prev) && char.IsDigit(next) && c is '\'' or ',' or '.' or ';';
                if (letters || digits) { current.Append(c); continue; }
            }
            if (current.Length > 0) { tokens.Add(current.ToString()); current.Clear(); }
        }
        if (current.Length > 0) tokens.Add(current.ToString());
        return tokens;
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_'
        || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark;

    /// <summary>Lucene's EnglishPossessiveFilter: drop a trailing 's (or ’s, or S).</summary>
    public static string StripPossessive(string term)
    {
        Guard.NotNull(term, nameof(term));
        if (term.Length >= 2 && term[^2] is '\'' or '\u2019' or '\uFF07' && term[^1] is 's' or 'S')
            return term[..^2];
        return term;
    }
}
