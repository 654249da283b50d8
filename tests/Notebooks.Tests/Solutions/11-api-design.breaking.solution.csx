bool[] Breaking() => new[] { true, true, false, false, true };   // { a, b, c, d, e }
