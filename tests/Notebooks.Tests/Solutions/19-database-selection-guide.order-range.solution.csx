// "ORDER#<from>" sorts before every order in the from-minute ("…#id" is longer); "ORDER#<to>" sorts
// before every order in the to-minute, so BETWEEN (inclusive) stops just short of them.
(string Low, string High) OrderRange(DateTime from, DateTime to) =>
    ($"ORDER#{from:yyyy-MM-ddTHH:mm}", $"ORDER#{to:yyyy-MM-ddTHH:mm}");
