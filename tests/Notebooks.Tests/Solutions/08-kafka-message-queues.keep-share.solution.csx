// h mod before = h mod after = r needs r < min(before, after), and then h ≡ r (mod lcm): one h per residue
// in every period of lcm(before, after).
double KeepShare(int before, int after)
{
    long Gcd(long x, long y) => y == 0 ? x : Gcd(y, x % y);
    long lcm = (long)before / Gcd(before, after) * after;
    return (double)Math.Min(before, after) / lcm;
}
