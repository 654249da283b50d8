// Plausible but wrong: keeps the feed's descending order, so LIMIT takes the newest n rows above the
// cursor (page 1), not the n rows just above it.
long[] PreviousPage(SqliteFeed feed, FeedKey firstRowOfPage, int n) =>
    feed.Run("SELECT id, created_at FROM nb11_feed WHERE (created_at, id) > ($ts, $id) "
            + "ORDER BY created_at DESC, id DESC LIMIT $n",
        ("$ts", firstRowOfPage.CreatedAt), ("$id", firstRowOfPage.Id), ("$n", n))
        .Ids.ToArray();
