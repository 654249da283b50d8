using SystemDesign.Api;

namespace SystemDesign.Tests.Api;

/// <summary>A 10-row feed, 3 rows per second: created_at 1700000003 = {10}, …02 = {9, 8, 7}, …01 = {6, 5, 4}, …00 = {3, 2, 1}.</summary>
public sealed class SqliteFeedTests
{
    private const long T0 = 1_700_000_000;

    [Fact]
    public void Offset_pages_go_newest_first_and_report_the_last_key()
    {
        using var feed = new SqliteFeed(10);
        Assert.Equal(10, feed.Rows);
        Assert.Equal(3, feed.RowsPerSecond);
        var p = feed.Offset(0, 4);
        Assert.Equal(new long[] { 10, 9, 8, 7 }, p.Ids);
        Assert.Equal(new FeedKey(T0 + 2, 7), p.Last);
        Assert.Equal(new long[] { 3, 2, 1 }, feed.Offset(7, 5).Ids);
        var empty = feed.Offset(10, 5);
        Assert.Empty(empty.Ids);
        Assert.Null(empty.Last);
        Assert.True(feed.Offset(8, 1).Work > feed.Offset(0, 1).Work + 8);   // OFFSET steps over the rows it skips
        Assert.True(p.Ms >= 0);
    }

    [Fact]
    public void Keyset_pages_start_strictly_after_the_key_and_timestamp_only_skips_its_ties()
    {
        using var feed = new SqliteFeed(10);
        Assert.Equal(new long[] { 10, 9 }, feed.Keyset(null, 2).Ids);
        var composite = feed.Keyset(new FeedKey(T0 + 2, 8), 3);
        Assert.Equal(new long[] { 7, 6, 5 }, composite.Ids);
        Assert.Equal(new FeedKey(T0 + 1, 5), composite.Last);
        var tsOnly = feed.Keyset(new FeedKey(T0 + 2, 8), 3, composite: false);
        Assert.Equal(new long[] { 6, 5, 4 }, tsOnly.Ids);
        Assert.Equal(new FeedKey(T0 + 1, 4), tsOnly.Last);
        Assert.Equal(new FeedKey(T0 + 3, 10), feed.KeyAt(0));
        Assert.Equal(new FeedKey(T0, 1), feed.KeyAt(9));
    }

    [Fact]
    public void Walking_every_page_sees_all_rows_except_timestamp_only_which_loses_ties()
    {
        using var feed = new SqliteFeed(10);
        long[] all = { 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 };
        Assert.Equal(all, feed.WalkAll(PagingKind.Offset, 3));
        Assert.Equal(all, feed.WalkAll(PagingKind.KeysetComposite, 2));
        Assert.Equal(new long[] { 10, 9, 6, 5, 3, 2 }, feed.WalkAll(PagingKind.KeysetTimestampOnly, 2));
        using var one = new SqliteFeed(7, rowsPerSecond: 1);
        Assert.Equal(new long[] { 7, 6, 5, 4, 3, 2, 1 }, one.WalkAll(PagingKind.KeysetTimestampOnly, 3));
    }

    [Fact]
    public void Inserts_go_on_top_and_deletes_remove_rows_and_both_keep_the_row_count()
    {
        using var feed = new SqliteFeed(10);
        feed.InsertNewest(0);
        Assert.Equal(10, feed.Rows);
        Assert.Equal(10, feed.WalkAll(PagingKind.Offset, 100).Count);
        feed.InsertNewest(2);
        Assert.Equal(12, feed.Rows);
        Assert.Equal(new long[] { 12, 11, 10 }, feed.Offset(0, 3).Ids);
        Assert.Equal(new FeedKey(T0 + 4, 12), feed.KeyAt(0));
        feed.Delete(new long[] { 12, 9 });
        Assert.Equal(10, feed.Rows);
        Assert.Equal(new long[] { 11, 10, 8 }, feed.Offset(0, 3).Ids);
        feed.Delete(Array.Empty<long>());
        Assert.Equal(10, feed.Rows);
        Assert.Equal(10, feed.WalkAll(PagingKind.KeysetComposite, 4).Count);
    }

    [Fact]
    public void Run_binds_only_the_parameters_the_sql_names_and_reports_runtime_errors()
    {
        using var feed = new SqliteFeed(10);
        var p = feed.Run("SELECT id FROM nb11_feed WHERE id <= $max ORDER BY id DESC LIMIT $n", ("$max", 4), ("$n", 2), ("$unused", 99));
        Assert.Equal(new long[] { 4, 3 }, p.Ids);
        Assert.Equal(new FeedKey(0, 3), p.Last);          // a one-column result has no created_at
        var e = Assert.Throws<InvalidOperationException>(() => feed.Run("SELECT abs(-9223372036854775807 - 1)"));
        Assert.Equal("integer overflow", e.Message);
    }

    [Fact]
    public void At_depth_offset_and_keyset_return_the_same_page_and_keyset_does_not_step_over_the_depth()
    {
        using var feed = new SqliteFeed(300);
        var (o0, k0) = feed.AtDepth(0, 5, 3);
        Assert.Equal(new long[] { 300, 299, 298, 297, 296 }, o0.Ids);
        Assert.Equal(o0.Ids, k0.Ids);
        var (o, k) = feed.AtDepth(200, 5, 2);
        Assert.Equal(new long[] { 100, 99, 98, 97, 96 }, o.Ids);
        Assert.Equal(o.Ids, k.Ids);
        Assert.True(o.Work > 200);
        Assert.True(k.Work <= 2 * k0.Work + 50);
        Assert.True(k.Work < feed.Rows / 2);      // the (created_at, id) index: a page's worth of rows, not a scan of the table
    }

    [Fact]
    public void The_shared_feed_is_built_once_per_size()
    {
        var a = SqliteFeed.Shared(123, 2);
        Assert.Same(a, SqliteFeed.Shared(123, 2));
        Assert.NotSame(a, SqliteFeed.Shared(123, 3));
        Assert.NotSame(a, SqliteFeed.Shared(124, 2));
        Assert.Equal(123, a.Rows);
        Assert.Equal(2, a.RowsPerSecond);
    }
}

public sealed class PagingConsistencyTests
{
    [Fact]
    public void Each_change_is_named_and_counted_for_offset_paging()
    {
        Assert.Equal(new PagingAnomaly("no change", PagingKind.Offset, 0, 0), PagingConsistency.Run(PagingKind.Offset, 200, 20, 0, 0));
        Assert.Equal(new PagingAnomaly("5 newer posts inserted", PagingKind.Offset, 5, 0), PagingConsistency.Run(PagingKind.Offset, 200, 20, 5, 0));
        Assert.Equal(new PagingAnomaly("4 posts of page 1 deleted", PagingKind.Offset, 0, 4), PagingConsistency.Run(PagingKind.Offset, 200, 20, 0, 4));
        // 5 on top push 5 down, 4 gone pull 4 up: page 2 starts one row early, at page 1's last row
        Assert.Equal(new PagingAnomaly("5 inserted, 4 deleted", PagingKind.Offset, 1, 0), PagingConsistency.Run(PagingKind.Offset, 200, 20, 5, 4));
    }

    [Fact]
    public void Keyset_paging_is_stable_and_timestamp_only_skips_the_tie_of_page_one()
    {
        Assert.Equal(new PagingAnomaly("5 inserted, 4 deleted", PagingKind.KeysetComposite, 0, 0),
            PagingConsistency.Run(PagingKind.KeysetComposite, 200, 20, 5, 4));
        // page 1 ends at id 191 (created_at …63, shared with 190 and 192): "created_at < …63" never shows 190
        Assert.Equal(new PagingAnomaly("no change", PagingKind.KeysetTimestampOnly, 0, 1),
            PagingConsistency.Run(PagingKind.KeysetTimestampOnly, 200, 10, 0, 0));
    }
}

public sealed class OpaqueCursorTests
{
    [Fact]
    public void A_cursor_is_pinned_base64url_without_padding_and_round_trips()
    {
        var secret = Enumerable.Range(0, 16).Select(i => (byte)i).ToArray();
        var key = new FeedKey(1_700_000_000, 62);
        string c = OpaqueCursor.Encode(key, secret);
        Assert.Equal("APFTZQAAAAA-AAAAAAAAAFaeVvjlik_p", c);     // '+' and '/' of base64 became '-' and '_'
        Assert.Equal(key, OpaqueCursor.Decode(c, secret));
        Assert.Equal("AQAAAAAAAAACAAAAAAAAAFCrJLijmYIY", OpaqueCursor.Encode(new FeedKey(1, 2), new byte[16]));
        Assert.Equal(new FeedKey(1, 2), OpaqueCursor.Decode("AQAAAAAAAAACAAAAAAAAAFCrJLijmYIY", new byte[16]));
        var neg = new FeedKey(-1, long.MaxValue);
        Assert.Equal(neg, OpaqueCursor.Decode(OpaqueCursor.Encode(neg, new byte[40]), new byte[40]));
    }

    [Fact]
    public void A_cursor_with_a_changed_tag_or_body_is_refused()
    {
        var secret = new byte[16];
        string c = OpaqueCursor.Encode(new FeedKey(1, 2), secret);
        string tagChanged = c[..^1] + (c[^1] == 'A' ? 'B' : 'A');
        var e = Assert.Throws<ArgumentException>(() => OpaqueCursor.Decode(tagChanged, secret));
        Assert.StartsWith("the cursor was altered", e.Message);
        string bodyChanged = "B" + c[1..];
        Assert.StartsWith("the cursor was altered", Assert.Throws<ArgumentException>(() => OpaqueCursor.Decode(bodyChanged, secret)).Message);
    }
}

public sealed class ShardedFeedTests
{
    [Fact]
    public void A_keyset_walk_over_three_shards_fetches_at_most_a_page_per_shard_and_stops_when_empty()
    {
        using var feed = new ShardedFeed(10, 3);
        Assert.Equal(3, feed.Shards);
        var pages = feed.Walk(PagingKind.KeysetComposite, 4, 10);
        Assert.Equal(new[] { 1, 2, 3 }, pages.Select(p => p.Page));
        Assert.Equal(new long[] { 10, 9, 8, 7 }, pages[0].Ids);
        Assert.Equal(new long[] { 6, 5, 4, 3 }, pages[1].Ids);
        Assert.Equal(new long[] { 2, 1 }, pages[2].Ids);
        Assert.Equal(new long[] { 10, 6, 2 }, pages.Select(p => p.RowsFetched));
    }

    [Fact]
    public void An_offset_walk_fetches_offset_plus_size_rows_from_every_shard()
    {
        using var feed = new ShardedFeed(600, 4);
        var o = feed.Walk(PagingKind.Offset, 25, 7);
        Assert.Equal(new long[] { 100, 200, 300, 400, 500, 600, 600 }, o.Select(p => p.RowsFetched));
        Assert.Equal(Enumerable.Range(426, 25).Reverse().Select(i => (long)i), o[6].Ids);
        var k = feed.Walk(PagingKind.KeysetComposite, 25, 7);
        Assert.All(k, p => Assert.Equal(100, p.RowsFetched));
        Assert.Equal(o.SelectMany(p => p.Ids), k.SelectMany(p => p.Ids));
        using var single = new ShardedFeed(5, 1);
        Assert.Equal(new long[] { 5, 4, 3, 2, 1 }, single.Walk(PagingKind.Offset, 2, 9).SelectMany(p => p.Ids));
        Assert.Equal(3, single.Walk(PagingKind.Offset, 2, 9).Count);
    }
}
