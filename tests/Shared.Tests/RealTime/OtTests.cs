using SystemDesign.RealTime;
using Xunit;

namespace SystemDesign.Tests.RealTime;

public class OtTests
{
    [Fact]
    public void Text_ops_print_kind_position_character_and_site()
    {
        Assert.Equal("ins(2,'x')@1", TextOp.Insert(2, 'x', 1).ToString());
        Assert.Equal("del(3)@2", TextOp.Delete(3, 2).ToString());
        Assert.Equal("noop@4", TextOp.Noop(4).ToString());
        Assert.Equal(new TextOp(TextOpKind.Delete, 3, '\0', 2), TextOp.Delete(3, 2));
        Assert.Equal(new TextOp(TextOpKind.Noop, 0, '\0', 4), TextOp.Noop(4));
    }

    [Fact]
    public void Apply_inserts_at_both_ends_deletes_the_last_character_and_ignores_a_noop()
    {
        Assert.Equal("Xabc", Ot.Apply("abc", TextOp.Insert(0, 'X', 1)));
        Assert.Equal("abcX", Ot.Apply("abc", TextOp.Insert(3, 'X', 1)));
        Assert.Equal("bc", Ot.Apply("abc", TextOp.Delete(0, 1)));
        Assert.Equal("ab", Ot.Apply("abc", TextOp.Delete(2, 1)));
        Assert.Equal("abc", Ot.Apply("abc", TextOp.Noop(1)));
    }

    [Fact]
    public void Apply_rejects_positions_outside_the_text_naming_the_op()
    {
        Assert.Equal("text", Assert.Throws<ArgumentNullException>(() => Ot.Apply(null!, TextOp.Noop(1))).ParamName);
        Assert.Equal("op", Assert.Throws<ArgumentOutOfRangeException>(() => Ot.Apply("abc", TextOp.Insert(4, 'x', 1))).ParamName);
        Assert.Equal("op", Assert.Throws<ArgumentOutOfRangeException>(() => Ot.Apply("abc", TextOp.Insert(-1, 'x', 1))).ParamName);
        Assert.Equal("op", Assert.Throws<ArgumentOutOfRangeException>(() => Ot.Apply("abc", TextOp.Delete(3, 1))).ParamName);
        Assert.Equal("op", Assert.Throws<ArgumentOutOfRangeException>(() => Ot.Apply("abc", TextOp.Delete(-1, 1))).ParamName);
        Assert.Equal("op", Assert.Throws<ArgumentOutOfRangeException>(() => Ot.Apply("", TextOp.Delete(0, 1))).ParamName);
    }

    [Fact]
    public void A_noop_on_either_side_leaves_the_operation_unchanged()
    {
        var ins = TextOp.Insert(2, 'x', 1);
        Assert.Equal(ins, Ot.Transform(ins, TextOp.Noop(2)));
        Assert.Equal(TextOp.Noop(1), Ot.Transform(TextOp.Noop(1), TextOp.Insert(0, 'y', 2)));
        Assert.Equal(TextOp.Noop(1), Ot.Transform(TextOp.Noop(1), TextOp.Delete(0, 2)));
    }

    [Fact]
    public void An_insert_shifts_past_a_concurrent_insert_before_it_or_at_it_from_a_lower_site()
    {
        var a = TextOp.Insert(3, 'x', 2);
        Assert.Equal(a with { Pos = 4 }, Ot.Transform(a, TextOp.Insert(2, 'y', 5)));
        Assert.Equal(a with { Pos = 4 }, Ot.Transform(a, TextOp.Insert(3, 'y', 1)));
        Assert.Equal(a, Ot.Transform(a, TextOp.Insert(3, 'y', 3)));
        Assert.Equal(a, Ot.Transform(a, TextOp.Insert(3, 'y', 2))); // the tie-break is strict: an equal site does not win
        Assert.Equal(a, Ot.Transform(a, TextOp.Insert(4, 'y', 1)));
    }

    [Fact]
    public void A_delete_shifts_past_an_insert_at_or_before_it_only()
    {
        var a = TextOp.Delete(3, 2);
        Assert.Equal(a with { Pos = 4 }, Ot.Transform(a, TextOp.Insert(3, 'y', 9)));
        Assert.Equal(a with { Pos = 4 }, Ot.Transform(a, TextOp.Insert(0, 'y', 1)));
        Assert.Equal(a, Ot.Transform(a, TextOp.Insert(4, 'y', 1)));
    }

    [Fact]
    public void A_concurrent_delete_before_shifts_left_and_a_delete_of_the_same_character_becomes_a_noop()
    {
        Assert.Equal(TextOp.Insert(2, 'x', 1), Ot.Transform(TextOp.Insert(3, 'x', 1), TextOp.Delete(2, 2)));
        Assert.Equal(TextOp.Delete(2, 1), Ot.Transform(TextOp.Delete(3, 1), TextOp.Delete(2, 2)));
        Assert.Equal(TextOp.Noop(1), Ot.Transform(TextOp.Delete(3, 1), TextOp.Delete(3, 2)));
        Assert.Equal(TextOp.Insert(3, 'x', 1), Ot.Transform(TextOp.Insert(3, 'x', 1), TextOp.Delete(3, 2)));
        Assert.Equal(TextOp.Delete(3, 1), Ot.Transform(TextOp.Delete(3, 1), TextOp.Delete(4, 2)));
        Assert.Equal(TextOp.Insert(3, 'x', 1), Ot.Transform(TextOp.Insert(3, 'x', 1), TextOp.Delete(5, 2)));
    }

    [Fact]
    public void Identity_never_transforms()
    {
        var a = TextOp.Insert(3, 'x', 1);
        Assert.Equal(a, Ot.Identity(a, TextOp.Insert(0, 'y', 2)));
        Assert.Equal(a, Ot.Identity(a, TextOp.Delete(0, 2)));
    }

    [Fact]
    public void Without_a_tie_break_both_equal_inserts_shift_and_everything_else_is_the_textbook_transform()
    {
        var a = TextOp.Insert(3, 'x', 1);
        Assert.Equal(a with { Pos = 4 }, Ot.NoTieBreak(a, TextOp.Insert(3, 'y', 2)));
        Assert.Equal(a with { Pos = 4 }, Ot.NoTieBreak(a, TextOp.Insert(1, 'y', 2)));
        Assert.Equal(a, Ot.NoTieBreak(a, TextOp.Insert(4, 'y', 2)));
        Assert.Equal(a with { Pos = 2 }, Ot.NoTieBreak(a, TextOp.Delete(1, 2)));
        Assert.Equal(TextOp.Noop(1), Ot.NoTieBreak(TextOp.Delete(3, 1), TextOp.Delete(3, 2)));
        Assert.Equal(TextOp.Delete(4, 1), Ot.NoTieBreak(TextOp.Delete(3, 1), TextOp.Insert(3, 'y', 2)));
    }

    [Fact]
    public void Random_ops_are_seeded_and_an_empty_text_only_gets_inserts_at_zero()
    {
        var rng = new Random(11);
        Assert.Equal("ins(0,'l')@3 del(0)@3 ins(4,'y')@3 ins(1,'k')@3 ins(0,'f')@3 del(3)@3 ins(4,'z')@3 del(1)@3",
            string.Join(" ", Enumerable.Range(0, 8).Select(_ => Ot.RandomOp("abcd", 3, rng).ToString())));
        var empty = new Random(12);
        Assert.Equal("ins(0,'i')@3 ins(0,'d')@3 ins(0,'b')@3 ins(0,'m')@3",
            string.Join(" ", Enumerable.Range(0, 4).Select(_ => Ot.RandomOp("", 3, empty).ToString())));
    }

    [Fact]
    public void Random_ops_cover_every_valid_position_and_letter_and_nothing_else()
    {
        var rng = new Random(5);
        var ops = Enumerable.Range(0, 4000).Select(_ => Ot.RandomOp("abc", 7, rng)).ToList();
        Assert.All(ops, o => Assert.Equal(7, o.Site));
        var inserts = ops.Where(o => o.Kind == TextOpKind.Insert).ToList();
        var deletes = ops.Where(o => o.Kind == TextOpKind.Delete).ToList();
        Assert.Equal(4000, inserts.Count + deletes.Count);
        Assert.InRange(inserts.Count, 1800, 2200); // Binomial(4000, 1/2): sd 32
        Assert.Equal(new[] { 0, 1, 2, 3 }, inserts.Select(o => o.Pos).Distinct().Order());
        Assert.Equal(new[] { 0, 1, 2 }, deletes.Select(o => o.Pos).Distinct().Order());
        Assert.Equal(Enumerable.Range('a', 26).Select(c => (char)c), inserts.Select(o => o.Char).Distinct().Order());
    }

    [Fact]
    public void Random_op_guards_name_their_parameter()
    {
        Assert.Equal("text", Assert.Throws<ArgumentNullException>(() => Ot.RandomOp(null!, 1, new Random(1))).ParamName);
        Assert.Equal("rng", Assert.Throws<ArgumentNullException>(() => Ot.RandomOp("a", 1, null!)).ParamName);
    }

    [Fact]
    public void Tp1_check_counts_failures_and_keeps_the_first_counterexample()
    {
        Assert.Equal(new Tp1Result(200, 0, null), Ot.CheckTp1(Ot.Transform, 200, 5));
        Assert.Equal(new Tp1Result(200, 178,
            "\"CADBAA\" with ins(1,'z')@1 ∥ ins(5,'g')@2: site 1 gets \"CzADBgAA\", site 2 gets \"CzADBAgA\""),
            Ot.CheckTp1(Ot.Identity, 200, 5));
        Assert.Equal(new Tp1Result(200, 38,
            "\"\" with ins(0,'u')@1 ∥ ins(0,'c')@2: site 1 gets \"uc\", site 2 gets \"cu\""),
            Ot.CheckTp1(Ot.NoTieBreak, 200, 5));
    }

    [Fact]
    public void Tp1_on_empty_texts_only_sees_two_inserts_at_zero()
    {
        Assert.Equal(new Tp1Result(200, 189,
            "\"\" with ins(0,'g')@1 ∥ ins(0,'m')@2: site 1 gets \"mg\", site 2 gets \"gm\""),
            Ot.CheckTp1(Ot.Identity, 200, 5, maxLength: 0));
        Assert.Equal(0, Ot.CheckTp1(Ot.Transform, 500, 5, maxLength: 0).Failures);
    }

    [Fact]
    public void A_transform_producing_an_invalid_position_counts_as_a_failure()
    {
        var r = Ot.CheckTp1((a, _) => a with { Pos = 1000 }, 50, 3);
        Assert.Equal(50, r.Failures);
        Assert.EndsWith(": site 1 gets \"<invalid position>\", site 2 gets \"\"", r.Counterexample);
    }

    [Fact]
    public void Tp1_check_guards_name_their_parameter()
    {
        Assert.Equal("transform", Assert.Throws<ArgumentNullException>(() => Ot.CheckTp1(null!, 1, 1)).ParamName);
        Assert.Equal("cases", Assert.Throws<ArgumentOutOfRangeException>(() => Ot.CheckTp1(Ot.Transform, 10_000_001, 1)).ParamName);
        Assert.Equal("maxLength", Assert.Throws<ArgumentOutOfRangeException>(() => Ot.CheckTp1(Ot.Transform, 1, 1, -1)).ParamName);
        Assert.Equal("maxLength", Assert.Throws<ArgumentOutOfRangeException>(() => Ot.CheckTp1(Ot.Transform, 1, 1, 1001)).ParamName);
        Assert.Equal(1, Ot.CheckTp1(Ot.Transform, 1, 1, 1000).Cases);
    }
}
