// Plausible but wrong: treats every new enum value as breaking, even in a request (old clients never send it).
bool[] Breaking() => new[] { true, true, true, false, true };   // { a, b, c, d, e }
