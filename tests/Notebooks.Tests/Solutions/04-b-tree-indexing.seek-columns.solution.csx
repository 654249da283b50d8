int SeekColumns(ColumnPredicate a, ColumnPredicate b, ColumnPredicate c)
{
    int seek = 0;
    foreach (var p in new[] { a, b, c })
    {
        if (!p.Constrained) break; // a gap ends the usable prefix
        seek++;
        if (!p.IsEquality) break;  // so does a range, after it is used
    }
    return seek;
}
