using SystemDesign.ObjectStorage;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.ObjectStorage;

public sealed class SyncServiceTests
{
    [Fact]
    public void An_empty_server_has_no_changes_chunks_or_paths()
    {
        var server = new SyncService();
        Assert.Equal(0, server.LastChangeId);
        Assert.Equal(0, server.StoredChunks);
        Assert.Empty(server.Paths);
        Assert.Equal(0, server.CurrentVersion("a"));
        var (changes, cursor, more) = server.ChangesSince(0);
        Assert.Empty(changes);
        Assert.Equal(0, cursor);
        Assert.False(more);
    }

    [Fact]
    public void Commits_store_chunks_once_and_report_only_the_missing_ones()
    {
        var server = new SyncService();
        var r = server.Commit("laptop", "a.txt", 0, ["h1", "h2", "h1"]);
        Assert.Equal(new CommitResult(CommitOutcome.Committed, "a.txt", 1, 2), r);
        Assert.Equal(2, server.StoredChunks);
        Assert.Equal(new[] { "h3", "h4" }, server.Missing(["h1", "h3", "h4", "h3", "h2"]));
        Assert.Empty(server.Missing([]));
        var r2 = server.Commit("laptop", "a.txt", 1, ["h2", "h3"]);
        Assert.Equal(new CommitResult(CommitOutcome.Committed, "a.txt", 2, 1), r2);
        Assert.Equal(3, server.StoredChunks);
        Assert.Equal(2, server.CurrentVersion("a.txt"));
        Assert.Equal(2, server.LastChangeId);
        Assert.Equal(new[] { "a.txt" }, server.Paths);
    }

    [Fact]
    public void A_stale_commit_becomes_a_conflicted_copy_with_its_own_versions()
    {
        var server = new SyncService();
        server.Commit("laptop", "docs/plan.txt", 0, ["h1"]);
        server.Commit("laptop", "docs/plan.txt", 1, ["h2"]);
        var c1 = server.Commit("phone", "docs/plan.txt", 1, ["h3"]);
        var c2 = server.Commit("phone", "docs/plan.txt", 0, ["h4"]);
        const string copy = "docs/plan (phone's conflicted copy).txt";
        Assert.Equal(new CommitResult(CommitOutcome.ConflictedCopy, copy, 1, 1), c1);
        Assert.Equal(new CommitResult(CommitOutcome.ConflictedCopy, copy, 2, 1), c2);
        Assert.Equal(2, server.CurrentVersion("docs/plan.txt"));
        Assert.Equal(2, server.CurrentVersion(copy));
        // A base ahead of the server is stale too.
        Assert.Equal(CommitOutcome.ConflictedCopy, server.Commit("tablet", "docs/plan.txt", 7, []).Outcome);
    }

    [Fact]
    public void Delete_journals_an_empty_version_and_the_path_starts_over()
    {
        var server = new SyncService();
        server.Commit("laptop", "a.txt", 0, ["h1"]);
        server.Delete("phone", "a.txt");
        Assert.Equal(0, server.CurrentVersion("a.txt"));
        var (changes, _, _) = server.ChangesSince(1);
        var deleted = Assert.Single(changes);
        Assert.Equal((2L, "a.txt", 2, "phone", true), (deleted.ChangeId, deleted.Path, deleted.Version, deleted.Device, deleted.Deleted));
        Assert.Empty(deleted.ChunkHashes);
        Assert.Equal(new CommitResult(CommitOutcome.Committed, "a.txt", 1, 0), server.Commit("laptop", "a.txt", 0, ["h1"]));
        Assert.False(server.ChangesSince(0).Changes[0].Deleted);
        server.Delete("laptop", "never-there");
        Assert.Equal(1, server.ChangesSince(3).Changes.Single().Version);
    }

    [Fact]
    public void Changes_since_a_cursor_come_in_pages()
    {
        var server = new SyncService();
        for (int i = 0; i < 5; i++) server.Commit("d", $"f{i}", 0, [$"h{i}"]);
        var (p1, c1, m1) = server.ChangesSince(0, 2);
        Assert.Equal(new long[] { 1, 2 }, p1.Select(c => c.ChangeId));
        Assert.Equal((2L, true), (c1, m1));
        var (p2, c2, m2) = server.ChangesSince(c1, 3);
        Assert.Equal(new long[] { 3, 4, 5 }, p2.Select(c => c.ChangeId));
        Assert.Equal((5L, false), (c2, m2));
        Assert.Equal(new[] { "h4" }, p2[^1].ChunkHashes);
        Assert.Equal("d", p2[^1].Device);
        var (p3, c3, m3) = server.ChangesSince(9, 3);
        Assert.Empty(p3);
        Assert.Equal((9L, false), (c3, m3));
        Assert.Equal(5, server.ChangesSince(0).Changes.Count);
        Assert.Single(server.ChangesSince(4, 100_000).Changes);
    }

    [Theory]
    [InlineData("docs/plan.txt", "docs/plan (dev's conflicted copy).txt")]
    [InlineData("x.tar.gz", "x.tar (dev's conflicted copy).gz")]
    [InlineData("a.b", "a (dev's conflicted copy).b")]
    [InlineData("notes", "notes (dev's conflicted copy)")]
    [InlineData(".bashrc", ".bashrc (dev's conflicted copy)")]
    [InlineData("dir/.hidden", "dir/.hidden (dev's conflicted copy)")]
    [InlineData("v1.2/readme", "v1.2/readme (dev's conflicted copy)")]
    [InlineData("dir/x.", "dir/x (dev's conflicted copy).")]
    public void Conflicted_name_goes_before_the_extension(string path, string expected)
        => Assert.Equal(expected, SyncService.ConflictedName(path, "dev"));

    [Fact]
    public void Devices_pull_every_page_and_remember_versions()
    {
        var server = new SyncService();
        var a = new SyncDevice("laptop");
        var b = new SyncDevice("phone");
        Assert.Equal("laptop", a.Name);
        Assert.Equal(0, a.Cursor);
        for (int i = 0; i < 5; i++) a.Save(server, "f.txt", [$"h{i}"]);
        Assert.Equal(5, a.SeenVersion("f.txt"));
        Assert.Equal(5, b.Pull(server, pageSize: 2));
        Assert.Equal(5, b.Cursor);
        Assert.Equal(5, b.SeenVersion("f.txt"));
        Assert.Equal(0, b.Pull(server));
        Assert.Equal(0, b.SeenVersion("other"));
        Assert.Equal(6, a.Save(server, "f.txt", ["x"]).Version);
        var conflict = b.Save(server, "f.txt", ["y"]);
        Assert.Equal("f (phone's conflicted copy).txt", conflict.Path);
        Assert.Equal(CommitOutcome.ConflictedCopy, conflict.Outcome);
        Assert.Equal(1, b.SeenVersion(conflict.Path));
        Assert.Equal(5, b.SeenVersion("f.txt"));
        Assert.Equal(2, b.Pull(server, pageSize: 1));
        Assert.Equal(6, b.SeenVersion("f.txt"));
    }

    [Fact]
    public void Sync_guards_name_their_parameter()
    {
        var server = new SyncService();
        Null("hashes", () => server.Missing(null!));
        Null("path", () => server.CurrentVersion(null!));
        Null("device", () => server.Commit(null!, "p", 0, []));
        Invalid("device", () => server.Commit("", "p", 0, []));
        Null("path", () => server.Commit("d", null!, 0, []));
        Invalid("path", () => server.Commit("d", "", 0, []));
        OutOfRange("baseVersion", () => server.Commit("d", "p", -1, []));
        Null("chunkHashes", () => server.Commit("d", "p", 0, null!));
        Invalid("device", () => server.Delete("", "p"));
        Invalid("path", () => server.Delete("d", ""));
        Null("device", () => server.Delete(null!, "p"));
        Null("path", () => server.Delete("d", null!));
        OutOfRange("cursor", () => server.ChangesSince(-1));
        OutOfRange("limit", () => server.ChangesSince(0, 0));
        OutOfRange("limit", () => server.ChangesSince(0, 100_001));
        Invalid("path", () => SyncService.ConflictedName("", "d"));
        Null("path", () => SyncService.ConflictedName(null!, "d"));
        Invalid("device", () => SyncService.ConflictedName("p", ""));
        Null("device", () => SyncService.ConflictedName("p", null!));
        Invalid("name", () => new SyncDevice(""));
        Null("name", () => new SyncDevice(null!));
        var device = new SyncDevice("d");
        Null("server", () => device.Pull(null!));
        OutOfRange("limit", () => device.Pull(server, 0));
        Null("server", () => device.Save(null!, "p", []));
        Assert.Equal(0, server.LastChangeId); // no guard let a change through
    }
}
