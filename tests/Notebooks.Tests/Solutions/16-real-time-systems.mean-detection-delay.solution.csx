double MeanDelay(double period, double ttl) => ttl - period / 2;
