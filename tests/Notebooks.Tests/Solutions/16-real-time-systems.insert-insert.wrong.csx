int InsertAfter(int posA, int siteA, int posB, int siteB) => posB <= posA ? posA + 1 : posA;
