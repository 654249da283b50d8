namespace SystemDesign.Search;

/// <summary>
/// The Porter (1980) suffix-stripping stemmer, as in Porter's own reference implementation (the variant Lucene's
/// PorterStemFilter uses: "bli" → "ble" and "logi" → "log" in step 2). Words of one or two letters are unchanged.
/// </summary>
public static class PorterStemmer
{
    /// <summary>The stem of a lower-case word.</summary>
    public static string Stem(string word)
    {
        Guard.NotNull(word, nameof(word));
        if (word.Length <= 2) return word;
        var s = new State(word);
        s.Step1(); s.Step2(); s.Step3(); s.Step4(); s.Step5(); s.Step6();
        return new string(s.B, 0, s.K + 1);
    }

    private sealed class State
    {
        public char[] B;
        public int K, J;

        public State(string w)
        {
            B = new char[w.Length + 8];
            w.CopyTo(0, B, 0, w.Length);
            K = w.Length - 1;
        }

        private bool Cons(int i) => B[i] switch
        {
            'a' or 'e' or 'i' or 'o' or 'u' => false,
            'y' => i == 0 || !Cons(i - 1),
            _ => true,
        };

        /// <summary>The number of vowel-consonant sequences in B[0..J].</summary>
        private int M()
        {
            int n = 0, i = 0;
            while (true) { if (i > J) return n; if (!Cons(i)) break; i++; }
            i++;
            while (true)
            {
                while (true) { if (i > J) return n; if (Cons(i)) break; i++; }
                i++; n++;
                while (true) { if (i > J) return n; if (!Cons(i)) break; i++; }
                i++;
            }
        }

        private bool VowelInStem()
        {
            for (int i = 0; i <= J; i++) if (!Cons(i)) return true;
            return false;
        }

        private bool DoubleC(int j) => j >= 1 && B[j] == B[j - 1] && Cons(j);

        private bool Cvc(int i) => i >= 2 && Cons(i) && !Cons(i - 1) && Cons(i - 2)
                                   && B[i] is not ('w' or 'x' or 'y');

        private bool Ends(string s)
        {
            int l = s.Length, o = K - l + 1;
            if (o < 0) return false;
            for (int i = 0; i < l; i++) if (B[o + i] != s[i]) return false;
            J = K - l;
            return true;
        }

        private void SetTo(string s)
        {
            for (int i = 0; i < s.Length; i++) B[J + 1 + i] = s[i];
            K = J + s.Length;
        }

        private void R(string s) { if (M() > 0) SetTo(s); }

        public void Step1()
        {
            if (B[K] == 's')
            {
                if (Ends("sses")) K -= 2;
                else if (Ends("ies")) SetTo("i");
                else if (B[K - 1] != 's') K--;
            }
            if (Ends("eed")) { if (M() > 0) K--; }
            else if ((Ends("ed") || Ends("ing")) && VowelInStem())
            {
                K = J;
                if (Ends("at")) SetTo("ate");
                else if (Ends("bl")) SetTo("ble");
                else if (Ends("iz")) SetTo("ize");
                else if (DoubleC(K)) { K--; if (B[K] is 'l' or 's' or 'z') K++; }
                else if (M() == 1 && Cvc(K)) SetTo("e");
            }
        }

        public void Step2()
        {
            if (Ends("y") && VowelInStem()) B[K] = 'i';
        }

        private bool Try(params string[] pairs)
        {
            for (int i = 0; i < pairs.Length; i += 2)
                if (Ends(pairs[i])) { R(pairs[i + 1]); return true; }
            return false;
        }

        public void Step3()
        {
            if (K == 0) return;
            _ = B[K - 1] switch
            {
                'a' => Try("ational", "ate", "tional", "tion"),
                'c' => Try("enci", "ence", "anci", "ance"),
                'e' => Try("izer", "ize"),
                'l' => Try("bli", "ble", "alli", "al", "entli", "ent", "eli", "e", "ousli", "ous"),
                'o' => Try("ization", "ize", "ation", "ate", "ator", "ate"),
                's' => Try("alism", "al", "iveness", "ive", "fulness", "ful", "ousness", "ous"),
                't' => Try("aliti", "al", "iviti", "ive", "biliti", "ble"),
                'g' => Try("logi", "log"),
                _ => false,
            };
        }

        public void Step4()
        {
            _ = B[K] switch
            {
                'e' => Try("icate", "ic", "ative", "", "alize", "al"),
                'i' => Try("iciti", "ic"),
                'l' => Try("ical", "ic", "ful", ""),
                's' => Try("ness", ""),
                _ => false,
            };
        }

        public void Step5()
        {
            if (K == 0) return;
            bool found = B[K - 1] switch
            {
                'a' => Ends("al"),
                'c' => Ends("ance") || Ends("ence"),
                'e' => Ends("er"),
                'i' => Ends("ic"),
                'l' => Ends("able") || Ends("ible"),
                'n' => Ends("ant") || Ends("ement") || Ends("ment") || Ends("ent"),
                'o' => (Ends("ion") && J >= 0 && B[J] is 's' or 't') || Ends("ou"),
                's' => Ends("ism"),
                't' => Ends("ate") || Ends("iti"),
                'u' => Ends("ous"),
                'v' => Ends("ive"),
                'z' => Ends("ize"),
                _ => false,
            };
            if (found && M() > 1) K = J;
        }

        public void Step6()
        {
            J = K;
            if (B[K] == 'e')
            {
                int a = M();
                if (a > 1 || a == 1 && !Cvc(K - 1)) K--;
            }
            if (B[K] == 'l' && DoubleC(K) && M() > 1) K--;
        }
    }
}
