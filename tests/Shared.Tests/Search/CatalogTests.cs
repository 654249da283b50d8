using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SystemDesign.Search;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.Search;

/// <summary>The generated catalog is the notebook's data: pinned word for word, and the stop list word for word.</summary>
public sealed class CatalogTests
{
    private static string Fingerprint(IEnumerable<Product> products)
    {
        var text = string.Join("\n", products.Select(p =>
            $"{p.Id}|{p.Title}|{p.Description}|{p.Category}|{p.Price.ToString("R", CultureInfo.InvariantCulture)}"));
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }

    [Fact]
    public void Catalog_names_its_bad_count()
    {
        OutOfRange("count", () => Catalog.Generate(0));
        OutOfRange("count", () => Catalog.Generate(100_001));
    }

    [Fact]
    public void A_products_text_is_its_title_a_full_stop_and_its_description()
    {
        Assert.Equal("Acme boots. Tough.", new Product(1, "Acme boots", "Tough.", "footwear", 9.5).Text);
    }

    [Fact]
    public void The_catalog_is_the_same_for_the_same_seed_word_for_word()
    {
        var products = Catalog.Generate();
        Assert.Equal(300, products.Count);
        Assert.Equal(Enumerable.Range(0, 300), products.Select(p => p.Id));
        Assert.Equal(new Product(0, "Acme portable espresso machine",
            "Sharpened by hand and balanced for precise cutting. Pairs well with our sleeping bag. The portable design "
            + "keeps you comfortable when standing all day. Ships in recycled packaging with a two year warranty.",
            "kitchen", 60.75), products[0]);
        Assert.Equal(new Product(1, "Tailspin stainless stock pot", "A lightweight stock pot.", "kitchen", 167.48), products[1]);
        // Every word list, template and draw, over all 300 products (SHA-256 of id|title|description|category|price).
        Assert.Equal("CD21C36BF3FBBCC3", Fingerprint(products));
        Assert.Equal(Fingerprint(products), Fingerprint(Catalog.Generate(300, 13)));
        Assert.NotEqual(Fingerprint(products.Take(40)), Fingerprint(Catalog.Generate(40, seed: 7)));
        Assert.All(products, p => Assert.InRange(p.Price, 5, 300));
        Assert.Equal(5, products.Select(p => p.Category).Distinct().Count());
    }

    [Fact]
    public void The_notebooks_queries()
    {
        Assert.Equal(new[]
        {
            "waterproof hiking boots", "comfortable running shoes", "leather wallet", "lightweight backpack",
            "wireless headphones battery", "cast iron skillet", "rain jacket", "standing all day",
        }, Catalog.Queries);
    }

    [Fact]
    public void The_stop_list_is_lucenes_thirty_three_english_words()
    {
        string[] lucene =
        {
            "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no",
            "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this",
            "to", "was", "will", "with",
        };
        Assert.Equal(lucene.Order(StringComparer.Ordinal), TextAnalyzer.EnglishStopWords.Order(StringComparer.Ordinal));
        string all = string.Join(" ", lucene);
        Assert.Empty(LuceneIndex.Analyze(all, LuceneAnalyzerKind.Standard));
        Assert.Empty(TextAnalyzer.Standard.Terms(all));
        Assert.Equal(33, TextAnalyzer.Simple.Terms(all).Count);
    }
}
