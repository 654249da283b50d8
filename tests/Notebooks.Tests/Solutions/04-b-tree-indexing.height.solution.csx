int Height(long rows, int fanout, int leafCapacity)
{
    long pages = Math.Max(1, (rows + leafCapacity - 1) / leafCapacity); // leaves
    int height = 1;
    while (pages > 1)
    {
        pages = (pages + fanout - 1) / fanout; // one level up: ⌈pages / f⌉
        height++;
    }
    return height;
}
