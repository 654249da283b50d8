namespace SystemDesign.Search;

/// <summary>A product of the generated catalog.</summary>
public sealed record Product(int Id, string Title, string Description, string Category, double Price)
{
    /// <summary>Title and description, the text that is indexed.</summary>
    public string Text => Title + ". " + Description;
}

/// <summary>
/// A small, deterministic product catalog written here (no external data): titles and descriptions assembled
/// from word lists by a seeded generator, with lengths that vary from a handful of terms to a few dozen, so
/// that document-length normalization matters.
/// </summary>
public static class Catalog
{
    private static readonly string[] Categories = { "footwear", "bags", "kitchen", "electronics", "outdoor" };

    private static readonly string[][] Items =
    {
        new[] { "running shoes", "hiking boots", "trail runners", "leather boots", "sneakers", "sandals",
                "walking shoes", "work boots" },
        new[] { "backpack", "leather wallet", "travel duffel", "laptop bag", "messenger bag", "tote" },
        new[] { "chef knife", "cast iron skillet", "coffee grinder", "espresso machine", "cutting board",
                "stock pot" },
        new[] { "wireless headphones", "bluetooth speaker", "usb charger", "laptop stand", "smart watch",
                "noise cancelling earbuds" },
        new[] { "camping tent", "sleeping bag", "trekking poles", "rain jacket", "headlamp", "water bottle" },
    };

    private static readonly string[] Adjectives =
    {
        "waterproof", "lightweight", "durable", "comfortable", "compact", "premium", "classic", "rugged",
        "breathable", "insulated", "foldable", "ergonomic", "portable", "stainless", "organic",
    };

    private static readonly string[] Brands = { "Acme", "Northwind", "Contoso", "Fabrikam", "Tailspin", "Litware" };

    private static readonly string[] Sentences =
    {
        "Built for {0} days on the trail and in the city.",
        "The {1} design keeps you comfortable when standing all day.",
        "Customers love how {1} and {2} it feels after months of running.",
        "Cleaning is easy: wipe it with a damp cloth.",
        "Ships in recycled packaging with a two year warranty.",
        "Our testers walked, hiked and commuted with it through rain and snow.",
        "A {1} choice for travelers who pack light.",
        "Pairs well with our {3}.",
        "Designed in Portland and tested by runners, hikers and chefs.",
        "The {2} materials are certified and responsibly sourced.",
        "Charging takes two hours and the battery lasts a full week.",
        "Sharpened by hand and balanced for precise cutting.",
    };

    /// <summary><paramref name="count"/> products, the same for the same <paramref name="seed"/>.</summary>
    public static IReadOnlyList<Product> Generate(int count = 300, int seed = 13)
    {
        Guard.InRange(count, 1, 100_000, nameof(count));
        var rng = new Random(seed);
        var products = new List<Product>(count);
        for (int id = 0; id < count; id++)
        {
            int c = rng.Next(Categories.Length);
            string item = Items[c][rng.Next(Items[c].Length)];
            string a1 = Adjectives[rng.Next(Adjectives.Length)], a2 = Adjectives[rng.Next(Adjectives.Length)];
            string title = $"{Brands[rng.Next(Brands.Length)]} {a1} {item}";
            int sentences = rng.Next(0, 5);
            var body = new List<string>();
            for (int s = 0; s < sentences; s++)
            {
                int other = rng.Next(Categories.Length);
                body.Add(string.Format(Sentences[rng.Next(Sentences.Length)], Weekday(rng), a1, a2,
                    Items[other][rng.Next(Items[other].Length)]));
            }
            string description = body.Count == 0 ? $"A {a2} {item}." : string.Join(" ", body);
            double price = Math.Round(5 + rng.NextDouble() * 295, 2);
            products.Add(new Product(id, title, description, Categories[c], price));
        }
        return products;
    }

    private static string Weekday(Random rng) =>
        new[] { "long", "rainy", "busy", "cold", "hot" }[rng.Next(5)];

    /// <summary>The queries the notebook compares engines on.</summary>
    public static readonly IReadOnlyList<string> Queries = new[]
    {
        "waterproof hiking boots", "comfortable running shoes", "leather wallet", "lightweight backpack",
        "wireless headphones battery", "cast iron skillet", "rain jacket", "standing all day",
    };
}
