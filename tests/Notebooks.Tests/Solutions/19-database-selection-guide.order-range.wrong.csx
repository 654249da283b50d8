// Plausible but wrong: "to is exclusive, so stop at the minute before" — but "ORDER#…23:59" sorts before
// "ORDER#…23:59#0000123", so the orders of that last minute are lost.
(string Low, string High) OrderRange(DateTime from, DateTime to) =>
    ($"ORDER#{from:yyyy-MM-ddTHH:mm}", $"ORDER#{to.AddMinutes(-1):yyyy-MM-ddTHH:mm}");
