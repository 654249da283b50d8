long[] PreviousPage(SqliteFeed feed, FeedKey firstRowOfPage, int n) =>
    feed.Run("SELECT id, created_at FROM nb11_feed WHERE (created_at, id) > ($ts, $id) "
            + "ORDER BY created_at ASC, id ASC LIMIT $n",
        ("$ts", firstRowOfPage.CreatedAt), ("$id", firstRowOfPage.Id), ("$n", n))
        .Ids.Reverse().ToArray();
