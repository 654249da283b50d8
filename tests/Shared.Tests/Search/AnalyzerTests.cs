using SystemDesign.Search;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.Search;

/// <summary>The tokenizer's word-break rules, the analyzers' stages and the Porter stemmer, rule by rule.</summary>
public sealed class AnalyzerTests
{
    [Fact]
    public void Analyzer_entries_name_their_null_argument()
    {
        Null("text", () => TextAnalyzer.Standard.Analyze(null!));
        Null("text", () => TextAnalyzer.English.Terms(null!));
        Null("text", () => TextAnalyzer.Tokenize(null!));
        Null("term", () => TextAnalyzer.StripPossessive(null!));
        Null("word", () => PorterStemmer.Stem(null!));
    }

    [Fact]
    public void The_three_analyzers_are_named()
    {
        Assert.Equal("standard", TextAnalyzer.Standard.Name);
        Assert.Equal("english", TextAnalyzer.English.Name);
        Assert.Equal("simple", TextAnalyzer.Simple.Name);
        Assert.Equal(33, TextAnalyzer.EnglishStopWords.Count);
    }

    [Fact]
    public void Stop_words_are_dropped_after_lower_casing_and_leave_position_gaps()
    {
        var tokens = TextAnalyzer.Standard.Analyze("The Quick fox AND the dog");
        Assert.Equal(new[] { new Token("quick", 1), new Token("fox", 2), new Token("dog", 5) }, tokens);
    }

    [Fact]
    public void The_simple_analyzer_keeps_stop_words_and_does_not_stem()
    {
        Assert.Equal(new[] { new Token("the", 0), new Token("running", 1), new Token("shoes", 2) },
            TextAnalyzer.Simple.Analyze("The Running shoes"));
    }

    [Fact]
    public void The_standard_analyzer_neither_stems_nor_strips_possessives()
    {
        Assert.Equal(new[] { "runner's", "running", "shoes" }, TextAnalyzer.Standard.Terms("Runner's running shoes"));
    }

    [Fact]
    public void The_english_analyzer_strips_possessives_and_stems_after_dropping_stop_words()
    {
        Assert.Equal(new[] { new Token("runner", 0), new Token("run", 2), new Token("shoe", 3) },
            TextAnalyzer.English.Analyze("RUNNER'S the running shoes"));
        // "this" would stem to "thi" if stemming came before the stop-word test.
        Assert.Equal(new[] { "shoe" }, TextAnalyzer.English.Terms("this shoe"));
    }

    [Theory]
    [InlineData("don't stop", "don't|stop")]
    [InlineData("don\u2019t", "don\u2019t")]
    [InlineData("e.g x", "e.g|x")]
    [InlineData("a:b", "a:b")]
    [InlineData("a;b", "a|b")]
    [InlineData("a,b", "a|b")]
    [InlineData("a-b", "a|b")]
    [InlineData("1'000", "1'000")]
    [InlineData("1,299.99", "1,299.99")]
    [InlineData("1;2", "1;2")]
    [InlineData("1:2", "1|2")]
    [InlineData("1\u2019000", "1|000")]
    [InlineData("a.1", "a|1")]
    [InlineData("1.a", "1|a")]
    [InlineData("a'1", "a|1")]
    [InlineData("a..b", "a|b")]
    [InlineData("a.", "a")]
    [InlineData("'abc", "abc")]
    [InlineData(".5", "5")]
    [InlineData("snake_case x", "snake_case|x")]
    [InlineData("cafe\u0301 bar", "cafe\u0301|bar")]
    [InlineData("  a  b ", "a|b")]
    [InlineData("", "")]
    [InlineData(" - ", "")]
    public void Tokenizer_joins_only_the_uax29_mid_letter_and_mid_number_characters(string text, string expected) =>
        Assert.Equal(expected.Length == 0 ? Array.Empty<string>() : expected.Split('|'), TextAnalyzer.Tokenize(text));

    [Theory]
    [InlineData("dog's", "dog")]
    [InlineData("dog\u2019s", "dog")]
    [InlineData("dog\uFF07s", "dog")]
    [InlineData("DOG'S", "DOG")]
    [InlineData("'s", "")]
    [InlineData("s", "s")]
    [InlineData("dog't", "dog't")]
    [InlineData("dogs", "dogs")]
    [InlineData("dog`s", "dog`s")]
    public void Possessive_filter_drops_only_a_trailing_apostrophe_s(string term, string expected) =>
        Assert.Equal(expected, TextAnalyzer.StripPossessive(term));

    /// <summary>Porter (1980)'s own examples, step by step, with the final stems of his reference code.</summary>
    [Theory]
    // step 1a
    [InlineData("caresses", "caress")] [InlineData("ponies", "poni")] [InlineData("ties", "ti")]
    [InlineData("caress", "caress")] [InlineData("cats", "cat")]
    // step 1b
    [InlineData("feed", "feed")] [InlineData("agreed", "agre")] [InlineData("plastered", "plaster")]
    [InlineData("bled", "bled")] [InlineData("motoring", "motor")] [InlineData("sing", "sing")]
    [InlineData("conflated", "conflat")] [InlineData("troubled", "troubl")] [InlineData("sized", "size")]
    [InlineData("hopping", "hop")] [InlineData("tanned", "tan")] [InlineData("falling", "fall")]
    [InlineData("hissing", "hiss")] [InlineData("fizzed", "fizz")] [InlineData("failing", "fail")]
    [InlineData("filing", "file")]
    // step 1c
    [InlineData("happy", "happi")] [InlineData("sky", "sky")]
    // step 2
    [InlineData("relational", "relat")] [InlineData("conditional", "condit")] [InlineData("rational", "ration")]
    [InlineData("valenci", "valenc")] [InlineData("hesitanci", "hesit")] [InlineData("digitizer", "digit")]
    [InlineData("conformabli", "conform")] [InlineData("radicalli", "radic")] [InlineData("differentli", "differ")]
    [InlineData("vileli", "vile")] [InlineData("analogousli", "analog")] [InlineData("vietnamization", "vietnam")]
    [InlineData("predication", "predic")] [InlineData("operator", "oper")] [InlineData("feudalism", "feudal")]
    [InlineData("decisiveness", "decis")] [InlineData("hopefulness", "hope")] [InlineData("callousness", "callous")]
    [InlineData("formaliti", "formal")] [InlineData("sensitiviti", "sensit")] [InlineData("sensibiliti", "sensibl")]
    // step 3
    [InlineData("triplicate", "triplic")] [InlineData("formative", "form")] [InlineData("formalize", "formal")]
    [InlineData("electriciti", "electr")] [InlineData("electrical", "electr")] [InlineData("hopeful", "hope")]
    [InlineData("goodness", "good")]
    // step 4
    [InlineData("revival", "reviv")] [InlineData("allowance", "allow")] [InlineData("inference", "infer")]
    [InlineData("airliner", "airlin")] [InlineData("gyroscopic", "gyroscop")] [InlineData("adjustable", "adjust")]
    [InlineData("defensible", "defens")] [InlineData("irritant", "irrit")] [InlineData("replacement", "replac")]
    [InlineData("adjustment", "adjust")] [InlineData("dependent", "depend")] [InlineData("adoption", "adopt")]
    [InlineData("homologou", "homolog")] [InlineData("communism", "commun")] [InlineData("activate", "activ")]
    [InlineData("angulariti", "angular")] [InlineData("homologous", "homolog")] [InlineData("effective", "effect")]
    [InlineData("bowdlerize", "bowdler")]
    // step 5
    [InlineData("probate", "probat")] [InlineData("rate", "rate")] [InlineData("cease", "ceas")]
    [InlineData("controll", "control")] [InlineData("roll", "roll")]
    // the reference code's departures from the paper, and short words
    [InlineData("archaeology", "archaeolog")] [InlineData("possibly", "possibl")]
    [InlineData("ies", "i")] [InlineData("as", "as")] [InlineData("a", "a")] [InlineData("", "")]
    public void Porter_follows_the_papers_examples_rule_by_rule(string word, string stem) =>
        Assert.Equal(stem, PorterStemmer.Stem(word));

    /// <summary>
    /// Words chosen to reach every branch of every step (y as a vowel or a consonant, m = 0, 1, 2, the cvc test
    /// with w, x and y, each suffix with and without enough measure), stemmed by Lucene.Net's PorterStemFilter
    /// (through EnglishAnalyzer; none of them is a stop word or carries a possessive).
    /// </summary>
    private static readonly string[] Vocabulary =
    {
        "yes", "toy", "toys", "crying", "cried", "boy", "syzygy", "yellow", "young", "youth", "yield", "obeyed",
        "snowing", "boxed", "boxing", "fixing", "playing", "played", "hoping", "hoped", "sss", "bus", "gas",
        "glass", "kisses", "flies", "dies", "ties", "skies", "proceed", "exceed", "bleed", "needed", "speed",
        "shed", "bring", "thing", "string", "being", "seeing", "dying", "lying", "agreeing", "rated", "rating",
        "enabled", "enabling", "bubbled", "realized", "realizing", "stopped", "stopping", "hummed", "missed",
        "buzzed", "buzzing", "called", "calling", "waxed", "mowed", "flowed", "saying", "tried", "trying",
        "national", "sensational", "traditional", "emotional", "frequenci", "frequency", "emergency",
        "tendency", "hesitancy", "redundancy", "organizer", "stabilizer", "possibly", "horribly", "terribly",
        "capably", "finally", "usually", "really", "ally", "evidently", "recently", "gently", "merely",
        "namely", "rely", "famously", "previously", "jealously", "organization", "civilization", "realization",
        "generation", "information", "station", "nation", "ration", "cation", "creator", "indicator", "alligator",
        "realism", "socialism", "racism", "brightness", "effectiveness", "carefulness", "thankfulness",
        "nervousness", "seriousness", "reality", "totality", "activity", "sensitivity", "ability", "mobility",
        "possibility", "biology", "ecology", "apology", "logic", "duplicate", "indicate", "communicate",
        "dedicate", "creative", "negative", "native", "relative", "normalize", "realize", "specialize",
        "authenticity", "electricity", "critical", "musical", "magical", "logical", "useful", "careful",
        "beautiful", "wonderful", "kindness", "darkness", "illness", "witness", "arrival", "approval", "animal",
        "capital", "total", "importance", "performance", "balance", "dance", "existence", "difference",
        "science", "fence", "reader", "computer", "writer", "paper", "better", "basic", "electric", "public",
        "music", "comfortable", "reasonable", "table", "cable", "terrible", "possible", "flexible", "bible",
        "important", "assistant", "pleasant", "giant", "agreement", "settlement", "element", "cement",
        "movement", "government", "comment", "different", "present", "student", "sent", "decision", "question",
        "suggestion", "onion", "fashion", "union", "champion", "religion", "nervous", "famous", "dangerous",
        "various", "ous", "tourism", "separate", "accurate", "plate", "create", "ultimate", "active", "massive",
        "olive", "expensive", "organize", "prize", "size", "generalize", "capitalism", "generalization",
        "exploitation", "bowl", "controlling", "rolled", "fall", "spill", "tell", "smell", "doll", "roller",
        "fulfill", "install", "hopefully", "e", "ea", "eat", "aeiou", "queue", "quiz", "quizzes", "buses",
        "analysis", "analyses", "crisis", "virus", "genius", "status", "bonus", "campus", "focus", "always",
        "waterproof", "lightweight", "durable", "breathable", "insulated", "foldable", "ergonomic", "portable",
        "stainless", "organic", "headphones", "cancelling", "espresso", "trekking", "sleeping", "camping",
        "hikers", "chefs", "packaging", "responsibly", "sourced", "certified", "sharpened", "precise", "cutting",
        "traveling", "travelling", "marketing", "marketer", "happiness", "happily", "early", "daily", "dryly",
        "shyness", "employee", "employer", "employment", "fly", "flying", "sky", "skying", "spy", "spying",
        "ivy", "alley", "valley", "journey", "monkey", "key", "prey", "grey", "eye", "bye", "dye", "rye",
        "aye", "oyster", "boycott", "royal", "loyalty", "buyer", "player", "layer", "mayor", "crayon",
        "beyond", "yogurt", "tyre", "rhythm", "myth", "gym", "lynx", "sync", "xylophone", "anything",
        "nothing", "something", "ring", "king", "wing", "sling", "cling", "eding", "ed", "ing", "eed",
        "ational", "tional", "enci", "anci", "izer", "bli", "alli", "entli", "eli", "ousli", "ization",
        "ation", "ator", "alism", "iveness", "fulness", "ousness", "aliti", "iviti", "biliti", "logi",
        "icate", "ative", "alize", "iciti", "ical", "ful", "ness", "al", "ance", "ence", "er", "ic", "able",
        "ible", "ant", "ement", "ment", "ent", "sion", "tion", "ion", "ou", "ism", "ate", "iti", "ive", "ize",
        // stems of measure 1, where a step-2/3 replacement survives the later steps (so "" would show)
        "rotational", "optional", "infancy", "ionizer", "ionization", "rotation", "rotator", "activeness",
        "tonicity", "tonical", "hopefulness", "formalism",
    };

    [Fact]
    public void Porter_matches_lucenes_porter_stem_filter_on_words_reaching_every_rule()
    {
        var lucene = LuceneIndex.Analyze(string.Join(" ", Vocabulary), LuceneAnalyzerKind.English);
        Assert.Equal(Vocabulary.Length, lucene.Count);
        var ours = Vocabulary.Select(PorterStemmer.Stem).ToList();
        var differ = Vocabulary.Select((w, i) => (w, ours: ours[i], lucene: lucene[i]))
            .Where(x => x.ours != x.lucene).Select(x => $"{x.w}: ours {x.ours}, lucene {x.lucene}").ToList();
        Assert.True(differ.Count == 0, string.Join("; ", differ));
    }
}
