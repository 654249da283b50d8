// Redis's rule: the first '{', then the first '}' after it; a non-empty text between them is the tag.
string HashedPart(string key)
{
    int open = key.IndexOf('{');
    if (open < 0) return key;
    int close = key.IndexOf('}', open + 1);
    if (close < 0 || close == open + 1) return key;
    return key.Substring(open + 1, close - open - 1);
}
