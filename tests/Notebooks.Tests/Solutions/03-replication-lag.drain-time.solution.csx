double DrainSeconds(double backlog, double writeRate, double replayRate) => backlog / (replayRate - writeRate);
