TimeSpan Runway(long age, double xidsPerSecond)
{
    long stop = Xid.Limits(Xid.FirstNormal).StopAge;   // 3 million XIDs before the wrap limit
    return age >= stop ? TimeSpan.Zero : TimeSpan.FromSeconds((stop - age) / xidsPerSecond);
}
