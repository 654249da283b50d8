// Floor instead of ceiling: a tree with 11 entries in leaves of 10 still gets height 1.
int Height(long rows, int fanout, int leafCapacity) => (int)Math.Floor(Math.Log(Math.Max(1.0, rows / (double)leafCapacity), fanout)) + 1;
