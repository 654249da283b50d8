int FailuresToOpen(double ratio, int minCalls, int healthy) =>
    Math.Max(minCalls - healthy, (int)Math.Ceiling(ratio * healthy));
