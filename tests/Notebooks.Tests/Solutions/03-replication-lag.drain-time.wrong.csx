// Forgets that the primary keeps writing while the replica catches up.
double DrainSeconds(double backlog, double writeRate, double replayRate) => backlog / replayRate;
