int InsertAfter(int posA, int siteA, int posB, int siteB) =>
    posB < posA || (posB == posA && siteB < siteA) ? posA + 1 : posA;
