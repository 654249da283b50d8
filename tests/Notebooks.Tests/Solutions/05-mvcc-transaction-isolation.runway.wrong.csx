// Plausible but wrong: counts down to the wrap limit (2^31 − 1), as the "about 2 billion" headline suggests,
// so it promises 3 million XIDs that PostgreSQL will refuse to assign.
TimeSpan Runway(long age, double xidsPerSecond)
{
    long wrap = Xid.Limits(Xid.FirstNormal).WrapAge;
    return age >= wrap ? TimeSpan.Zero : TimeSpan.FromSeconds((wrap - age) / xidsPerSecond);
}
