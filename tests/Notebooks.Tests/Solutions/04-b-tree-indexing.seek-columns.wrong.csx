// Counts the constrained leading columns, forgetting that a range ends the usable prefix.
int SeekColumns(ColumnPredicate a, ColumnPredicate b, ColumnPredicate c) =>
    !a.Constrained ? 0 : !b.Constrained ? 1 : !c.Constrained ? 2 : 3;
