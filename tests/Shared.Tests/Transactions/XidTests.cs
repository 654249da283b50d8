using SystemDesign.Transactions;

namespace SystemDesign.Tests.Transactions;

public sealed class XidTests
{
    [Fact]
    public void Comparison_is_circular_for_normal_ids()
    {
        Assert.True(Xid.Precedes(100, 200));
        Assert.True(Xid.Precedes(uint.MaxValue, 5));           // 5 came after the wrap
        Assert.False(Xid.Precedes(5, uint.MaxValue));
        Assert.True(Xid.Precedes(Xid.Frozen, 3));              // reserved ids are always older
        Assert.True(Xid.Precedes(Xid.Frozen, uint.MaxValue));
        uint now = 1000;
        Assert.True(Xid.Precedes(unchecked(now - (uint)Xid.Horizon), now));   // 2^31 − 1 back: still the past
        Assert.False(Xid.Precedes(unchecked(now - (1u << 31) - 1), now));     // 2^31 + 1 back: now the future
    }

    [Fact]
    public void Age_matches_postgres_definition()
    {
        Assert.Equal(1000, Xid.Age(2000, 1000));
        Assert.Equal(-5, Xid.Age(2000, 2005));
        Assert.Equal(int.MaxValue, Xid.Age(2000, Xid.Frozen));
        Assert.Equal(1003, Xid.Age(1000, uint.MaxValue - 2));
        Assert.Equal(int.MinValue, Xid.Age(1000, unchecked(1000u - (1u << 31))));
    }

    [Fact]
    public void Advance_skips_the_reserved_ids_when_wrapping()
    {
        Assert.Equal(Xid.FirstNormal, Xid.Advance(uint.MaxValue));
        Assert.Equal(11u, Xid.Advance(10));
        Assert.Equal(Xid.FirstNormal, Xid.Add(uint.MaxValue, 1));
        Assert.Equal(uint.MaxValue, Xid.Add(Xid.FirstNormal, Xid.Space - 4));
        Assert.Equal(4294967293L, Xid.Distance(5, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Xid.Add(3, -1));
    }

    [Fact]
    public void Limits_follow_SetTransactionIdLimit()
    {
        var l = Xid.Limits(Xid.FirstNormal);
        Assert.Equal(3u + 2147483647u, l.WrapLimit);
        Assert.Equal(2147483647L, l.WrapAge);
        Assert.Equal(2147483647L - 3_000_000, l.StopAge);
        Assert.Equal(2147483647L - 40_000_000, l.WarnAge);
        Assert.Equal(200_000_000L, l.VacAge);
        var wrapped = Xid.Limits(2147483650);      // the wrap limit lands on reserved id 1 and is moved past them
        Assert.Equal(4u, wrapped.WrapLimit);
        Assert.Throws<ArgumentException>(() => Xid.Limits(Xid.Frozen));
        Assert.Throws<ArgumentOutOfRangeException>(() => Xid.Limits(100, 10));
        Assert.Equal(TimeSpan.FromSeconds(100), Xid.TimeToConsume(1000, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => Xid.TimeToConsume(1000, 0));
    }
}
