using System.Diagnostics;
using SystemDesign.RealSystems;

namespace SystemDesign.Tests.RealSystems;

/// <summary>
/// The parts of <see cref="Faults"/> and <see cref="EtcdCluster"/> that need no registry service: /proc reads,
/// signals to a child process this test starts (and kills), the pause handle, and an etcd nobody answers.
/// </summary>
public sealed class LocalFaultsTests
{
    private const int SIGSTOP = 19;

    private static Process Sleeper() => Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;

    private static void End(Process child)
    {
        child.Kill();
        child.WaitForExit();
        child.Dispose();
    }

    private static bool Within(Func<bool> condition) => SpinWait.SpinUntil(condition, TimeSpan.FromSeconds(5));

    [Fact]
    public void A_process_state_comes_from_proc_and_a_child_is_listed_under_its_parent()
    {
        Assert.Contains(Faults.ProcessState(Environment.ProcessId), new char?[] { 'R', 'S' });
        Assert.Null(Faults.ProcessState(int.MaxValue));
        Assert.False(Faults.IsStopped(int.MaxValue));
        var child = Sleeper();
        try
        {
            var tree = Faults.WithChildren(Environment.ProcessId);
            Assert.Equal(Environment.ProcessId, tree[0]);
            Assert.Contains(child.Id, tree);
            Assert.Equal(tree.Count, tree.Distinct().Count());
            Assert.Equal([child.Id], Faults.WithChildren(child.Id));   // sleep starts nothing
        }
        finally
        {
            End(child);
        }
    }

    [Fact]
    public void A_stopped_child_is_seen_stopped_and_continues_and_a_missing_pid_is_an_error_unless_gone_is_fine()
    {
        var child = Sleeper();
        try
        {
            Faults.Signal(child.Id, SIGSTOP);
            Assert.True(Within(() => Faults.IsStopped(child.Id)));
            Assert.Equal('T', Faults.ProcessState(child.Id));
            Faults.Continue([child.Id]);
            Assert.True(Within(() => !Faults.IsStopped(child.Id)));
        }
        finally
        {
            End(child);
        }
        Faults.Signal(int.MaxValue, 0, ignoreGone: true);   // ESRCH is fine when asked
        var e = Assert.Throws<InvalidOperationException>(() => Faults.Signal(int.MaxValue, 0));
        Assert.Equal($"kill({int.MaxValue}, 0) failed with errno 3", e.Message);
    }

    [Fact]
    public void A_pause_handle_resumes_its_processes_once_on_dispose_or_when_its_timer_fires()
    {
        var child = Sleeper();
        try
        {
            var member = new ServiceMember("svc", "m1", 1, child.Id, "paused");
            Assert.Equal((false, true), (member.Up, member.Paused));
            Assert.Equal((true, false), ((member with { State = "up" }).Up, (member with { State = "up" }).Paused));
            Faults.Signal(child.Id, SIGSTOP);
            Assert.True(Within(() => Faults.IsStopped(child.Id)));
            var handle = new PausedMember(member, [child.Id], TimeSpan.FromMinutes(1));
            Assert.Same(member, handle.Member);
            Assert.False(handle.Resumed);
            Assert.True(Faults.IsStopped(child.Id));
            handle.Dispose();
            Assert.True(handle.Resumed);
            Assert.True(Within(() => !Faults.IsStopped(child.Id)));
            var frozen = handle.Elapsed;                           // the clock stops at the resume
            Assert.Equal(frozen, handle.Elapsed);
            handle.Dispose();                                      // a second resume does nothing

            Faults.Signal(child.Id, SIGSTOP);
            Assert.True(Within(() => Faults.IsStopped(child.Id)));
            using var timed = new PausedMember(member, [child.Id], TimeSpan.FromMilliseconds(1));
            Assert.True(Within(() => timed.Resumed));
            Assert.True(Within(() => !Faults.IsStopped(child.Id)));
        }
        finally
        {
            End(child);
        }
    }

    [Fact]
    public void Unreachable_means_transport_failures_only()
    {
        Assert.True(EtcdCluster.IsUnreachable(new HttpRequestException()));
        Assert.True(EtcdCluster.IsUnreachable(new TaskCanceledException()));
        Assert.True(EtcdCluster.IsUnreachable(new TimeoutException()));
        Assert.True(EtcdCluster.IsUnreachable(new AggregateException(new HttpRequestException(),
            new AggregateException(new TimeoutException()))));
        Assert.False(EtcdCluster.IsUnreachable(new AggregateException(new HttpRequestException(), new IOException())));
        Assert.False(EtcdCluster.IsUnreachable(new InvalidOperationException()));
        var etcdError = new EtcdException("etcd x: 500 boom", "boom");
        Assert.False(EtcdCluster.IsUnreachable(etcdError));
        Assert.Equal(("etcd x: 500 boom", "boom"), (etcdError.Message, etcdError.Body));
    }

    [Fact]
    public void An_etcd_that_nobody_answers_is_unhealthy_and_has_no_leader_and_no_members()
    {
        using var etcd = new EtcdCluster(["http://127.0.0.1:1/", "http://127.0.0.1:2"]);
        Assert.Equal(["http://127.0.0.1:1", "http://127.0.0.1:2"], etcd.Endpoints);
        Assert.Equal("etcd: http://127.0.0.1:1, http://127.0.0.1:2 does not answer", etcd.Health());
        Assert.Null(etcd.Leader());
        Assert.Equal("no etcd member answers", Assert.Throws<InvalidOperationException>(() => etcd.Members()).Message);
    }
}
