double MeanDelay(double period, double ttl) => ttl / 2;
