using System.Diagnostics;
using SystemDesign.RealSystems;

namespace SystemDesign.Tests.RealSystems;

/// <summary>Faults and Services answer from what they already know where the script's answer cannot have
/// changed (member names and ports; the pid of a process that still runs; a health check just passed),
/// and ask the script again otherwise.</summary>
[Collection("real clusters")]
public sealed class FastFaultsTests(Xunit.Abstractions.ITestOutputHelper log)
{
    [Fact]
    public void The_start_time_of_a_process_is_read_from_proc()
    {
        ulong? mine = Services.StartTime(Environment.ProcessId);
        Assert.NotNull(mine);
        Assert.Equal(mine, Services.StartTime(Environment.ProcessId));
        Assert.Null(Services.StartTime(int.MaxValue));
    }

    [SkippableFact]
    public void A_reply_of_every_kind_is_parsed_and_a_closed_connection_throws()
    {
        var redis = RealSystem.RequireRedis();
        redis.Dispose();
        using var c = new RespClient(Servers.RedisEndpoint, TimeSpan.FromSeconds(5));
        c.Send("DEL", "sdntest:resp");
        Assert.Equal("OK", c.Send("SET", "sdntest:resp", "v").Text);
        Assert.Equal("v", c.Send("GET", "sdntest:resp").Text);
        Assert.Null(c.Send("GET", "sdntest:none").Text);
        Assert.Equal(1, c.Send("DEL", "sdntest:resp").Integer);
        Assert.Equal(2, c.Send("RPUSH", "sdntest:resp", 1, 2).Integer);
        Assert.Equal(new[] { "1", "2" }, c.Send("LRANGE", "sdntest:resp", 0, -1).Items!.Select(i => i.Text));
        var error = c.Send("INCR", "sdntest:resp");
        Assert.True(error.IsError);
        Assert.Equal("WRONGTYPE", error.ErrorCode);
        c.Send("DEL", "sdntest:resp");
        Assert.Equal("OK", c.Send("QUIT").Text);
        Assert.ThrowsAny<IOException>(() => c.Send("PING"));
        Assert.Throws<ArgumentException>(() => new RespClient("nohost", TimeSpan.FromSeconds(1)));
    }

    [SkippableFact]
    public void Layout_and_running_members_match_the_scripts_status_and_a_pause_is_seen()
    {
        RealSystem.RequireRedisSentinel();
        var status = Services.Status("redis-sentinel");
        Assert.Equal(status.Select(m => (m.Member, m.Port)), Services.Layout("redis-sentinel").Select(m => (m.Member, m.Port)));
        var node = status.First(m => m.Member == "sentinel3");
        var watch = Stopwatch.StartNew();
        var running = Services.Running("redis-sentinel", "sentinel3");
        log.WriteLine($"Running() from what is known: {watch.Elapsed.TotalMilliseconds:0.0} ms");
        Assert.Equal(node.Pid, running.Pid);
        Assert.Equal("up", running.State);
        using var experiment = Faults.Experiment("redis-sentinel");
        using (var pause = Faults.Pause("redis-sentinel", "sentinel3", TimeSpan.FromSeconds(10)))
        {
            Assert.Equal("paused", Services.Running("redis-sentinel", "sentinel3").State);
            Assert.Equal("paused", Services.Member("redis-sentinel", "sentinel3").State);
        }
        Assert.Equal("up", Services.Running("redis-sentinel", "sentinel3").State);
        experiment.EnsureHealthy(TimeSpan.FromSeconds(30));
    }

    [SkippableFact]
    public void A_health_check_just_passed_is_not_repeated_until_a_fault_is_injected()
    {
        RealSystem.RequireRedisSentinel();
        Assert.True(Faults.WaitHealthy("redis-sentinel", TimeSpan.FromSeconds(30)));
        long faults = Faults.FaultCount;
        var watch = Stopwatch.StartNew();
        Assert.True(Faults.WaitHealthy("redis-sentinel", TimeSpan.FromSeconds(30)));
        if (Faults.FaultCount == faults) Assert.True(watch.ElapsedMilliseconds < 200, $"{watch.ElapsedMilliseconds} ms");
        using (var experiment = Faults.Experiment("redis-sentinel"))
        {
            Faults.Resume("redis-sentinel", "sentinel3"); // a no-op on a running member, but a fault injected
            Assert.NotEqual(faults, Faults.FaultCount);
        }
        Assert.True(Services.Check("redis-sentinel").Healthy);
    }
    [SkippableFact]
    public void While_paused_runs_the_body_with_the_member_stopped_and_resumes_it_after()
    {
        RealSystem.RequireRedisSentinel();
        using var experiment = Faults.Experiment("redis-sentinel");
        long before = Faults.FaultCount;
        string during = Faults.WhilePaused("redis-sentinel", "sentinel3", TimeSpan.FromSeconds(10),
            () => Services.Running("redis-sentinel", "sentinel3").State);
        Assert.Equal("paused", during);
        Assert.Equal("up", Services.Running("redis-sentinel", "sentinel3").State);
        Assert.Equal(before + 2, Faults.FaultCount); // the pause and its resume
    }

    [SkippableFact]
    public void A_restart_whose_check_never_passes_throws_with_the_checks_reason()
    {
        RealSystem.RequireRedisSentinel();
        using var experiment = Faults.Experiment("redis-sentinel");
        int calls = 0;
        var e = Assert.Throws<TimeoutException>(() =>
            Faults.Restart("redis-sentinel", TimeSpan.FromMilliseconds(1), () => $"not yet {++calls}"));
        Assert.True(calls >= 1);
        Assert.Equal($"redis-sentinel not healthy 0 s after a restart: not yet {calls}", e.Message);
        long before = Faults.FaultCount;
        Faults.Restart("redis-sentinel", TimeSpan.FromSeconds(30), () => null);
        Assert.Equal(before + 1, Faults.FaultCount);
        // Marked healthy by the check: the experiment's end does not run the script again.
        Assert.True(Faults.WaitHealthy("redis-sentinel", TimeSpan.FromSeconds(30)));
        Assert.Equal(before + 1, Faults.FaultCount);
    }
    [SkippableFact]
    public void A_member_is_found_by_name_or_port_and_an_unknown_one_is_refused()
    {
        RealSystem.RequireRedisSentinel();
        int port1 = Services.Layout("redis-sentinel").Single(m => m.Member == "node1").Port;
        var node1 = Services.MemberAtPort("redis-sentinel", port1);
        Assert.Equal(("redis-sentinel", "node1", port1, "up"), (node1.Service, node1.Member, node1.Port, node1.State));
        Assert.True(node1.Up);
        Assert.False(node1.Paused);
        var port = Assert.Throws<ArgumentException>(() => Services.MemberAtPort("redis-sentinel", 1));
        Assert.Equal("port", port.ParamName);
        Assert.StartsWith("service redis-sentinel has no member on port 1", port.Message);
        var name = Assert.Throws<ArgumentException>(() => Services.Member("redis-sentinel", "node9"));
        Assert.Equal("member", name.ParamName);
        Assert.StartsWith("service redis-sentinel has no member 'node9'", name.Message);
    }
    [SkippableFact]
    public void An_experiment_waits_for_the_lock_of_another_and_checks_health_with_the_given_check()
    {
        RealSystem.RequireRedisSentinel();
        var members = Services.Layout("redis-sentinel");
        string path = Path.Combine(Path.GetTempPath(), $"sdn-fault-{Environment.UserName}-redis-sentinel-{members[0].Port}.lock");
        using (new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
            Assert.ThrowsAny<IOException>(() => Faults.Experiment("redis-sentinel", TimeSpan.FromMilliseconds(200)));
        int calls = 0;
        var e = Assert.Throws<TimeoutException>(() =>
            Faults.Experiment("redis-sentinel", TimeSpan.FromMilliseconds(1), () => $"bad {++calls}"));
        Assert.Equal($"redis-sentinel not healthy after 0 s: bad {calls}", e.Message);
        // The failed start released the lock, and an experiment with a passing check ends without the script.
        long before = Faults.FaultCount;
        using (var experiment = Faults.Experiment("redis-sentinel", TimeSpan.FromSeconds(5), () => null))
            Assert.Equal("redis-sentinel", experiment.Service);
        Assert.Equal(before, Faults.FaultCount);
    }
}
