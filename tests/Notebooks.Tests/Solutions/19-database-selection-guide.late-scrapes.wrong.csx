// Plausible but wrong: a late scrape counted as one irregular interval (9 bits), forgetting that the
// interval after it is short (14 s) and that returning to 15 s is a third non-zero delta of delta.
long TimestampBits(int n, int k) => 9 + (n - 2) + 8L * ((n - 1) / k);
