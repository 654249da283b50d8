// Plausible but wrong: treats an empty tag "{}" as a tag (hashes ""), so "{}" and "{}{x}" get the slot of "".
string HashedPart(string key)
{
    int open = key.IndexOf('{');
    if (open < 0) return key;
    int close = key.IndexOf('}', open + 1);
    if (close < 0) return key;
    return key.Substring(open + 1, close - open - 1);
}
