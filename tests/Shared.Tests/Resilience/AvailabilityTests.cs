using SystemDesign.Resilience;
using static SystemDesign.Tests.GuardAssert;

namespace SystemDesign.Tests.Resilience;

public class AvailabilityTests
{
    [Fact]
    public void A_serial_chain_is_up_only_when_every_hop_is()
    {
        Assert.Equal(0.9 * 0.8 * 0.5, Availability.Serial(new[] { 0.9, 0.8, 0.5 }), 12);
        Assert.Equal(0.7, Availability.Serial(new[] { 0.7 }), 12);
        Assert.Equal(1.0, Availability.Serial(new[] { 1.0, 1.0 }));
        Assert.Equal(0.0, Availability.Serial(new[] { 1.0, 0.0 }));
    }

    [Fact]
    public void Retries_multiply_the_chance_of_failing_every_attempt()
    {
        Assert.Equal(0.999, Availability.WithRetries(0.9, 2), 12);
        Assert.Equal(0.9, Availability.WithRetries(0.9, 0), 12);
        Assert.Equal(1 - 0.5 * 0.5, Availability.WithRetries(0.5, 1), 12);
        Assert.Equal(0.0, Availability.WithRetries(0, 100));
        Assert.Equal(1.0, Availability.WithRetries(1, 0));
    }

    [Fact]
    public void Nested_retries_rerun_everything_below_and_the_front_is_not_retried()
    {
        // s2 = 1 − (1 − 0.8)², s1 = 1 − (1 − 0.9·s2)³, answer = 0.99·s1.
        double s2 = 1 - 0.2 * 0.2, s1 = 1 - Math.Pow(1 - 0.9 * s2, 3);
        Assert.Equal(0.99 * s1, Availability.Nested(new[] { 0.99, 0.9, 0.8 }, new[] { 0, 2, 1 }), 12);
        // The front's own retry count is ignored.
        Assert.Equal(0.99 * s1, Availability.Nested(new[] { 0.99, 0.9, 0.8 }, new[] { 7, 2, 1 }), 12);
        // Without retries it is the serial product.
        Assert.Equal(0.99 * 0.9 * 0.8, Availability.Nested(new[] { 0.99, 0.9, 0.8 }, new[] { 0, 0, 0 }), 12);
        Assert.Equal(0.6, Availability.Nested(new[] { 0.6 }, new[] { 3 }), 12);
        // Two hops: the retry of hop 1 counts.
        Assert.Equal(0.5 * (1 - 0.3 * 0.3), Availability.Nested(new[] { 0.5, 0.7 }, new[] { 0, 1 }), 12);
    }

    [Fact]
    public void Simulating_a_healthy_chain_answers_all_with_one_call_per_hop()
    {
        var r = Availability.Simulate(new[] { 1.0, 1.0, 1.0 }, new[] { 0, 3, 3 }, false, 100, seed: 1);
        Assert.Equal(new ChainOutcome(100, 100, 0, 3.0), r);
        Assert.Equal(1.0, r.FullShare);
        Assert.Equal(1.0, r.AnsweredShare);
        var one = Availability.Simulate(new[] { 1.0 }, new[] { 5 }, true, 10, seed: 1);
        Assert.Equal(new ChainOutcome(10, 10, 0, 1.0), one);
    }

    [Fact]
    public void Every_retry_of_a_call_reruns_the_hops_below_it()
    {
        // Hop 2 always fails: each of hop 1's 3 attempts makes 1 + 4 calls (hop 2 tried 4 times); plus the front.
        var r = Availability.Simulate(new[] { 1.0, 1.0, 0.0 }, new[] { 9, 2, 3 }, false, 50, seed: 2);
        Assert.Equal(new ChainOutcome(50, 0, 0, 16.0), r);
        Assert.Equal(0.0, r.FullShare);
        Assert.Equal(0.0, r.AnsweredShare);
    }

    [Fact]
    public void A_fallback_answers_degraded_when_the_call_below_the_front_fails()
    {
        var r = Availability.Simulate(new[] { 1.0, 0.0 }, new[] { 0, 2 }, true, 40, seed: 3);
        Assert.Equal(new ChainOutcome(40, 0, 40, 4.0), r);
        Assert.Equal(0.0, r.FullShare);
        Assert.Equal(1.0, r.AnsweredShare);
    }

    [Fact]
    public void A_front_that_is_down_fails_even_with_a_fallback()
    {
        var r = Availability.Simulate(new[] { 0.0, 1.0 }, new[] { 0, 2 }, true, 30, seed: 4);
        Assert.Equal(new ChainOutcome(30, 0, 0, 1.0), r);
    }

    [Fact]
    public void A_single_hop_that_is_half_up_answers_about_half_and_never_falls_back()
    {
        var r = Availability.Simulate(new[] { 0.5 }, new[] { 0 }, true, 10_000, seed: 5);
        Assert.Equal(0, r.Degraded);
        Assert.Equal(1.0, r.CallsPerRequest);
        Assert.InRange(r.FullShare, 0.5 - 4 * 0.005, 0.5 + 4 * 0.005);
    }

    [Fact]
    public void Simulated_availability_matches_the_nested_closed_form()
    {
        var up = new[] { 0.99, 0.9, 0.8 };
        var retries = new[] { 0, 2, 1 };
        const int n = 100_000;
        double model = Availability.Nested(up, retries), se = Math.Sqrt(model * (1 - model) / n);
        var r = Availability.Simulate(up, retries, false, n, seed: 6);
        Assert.InRange(r.FullShare, model - 5 * se, model + 5 * se);
        Assert.Equal(0, r.Degraded);
        // Expected calls: 1 + 0.99·E[calls into hop 1]; each attempt at hop 1 costs 1 + 0.9·E[calls into hop 2].
        double c2 = 1 + 0.2, p2 = 1 - 0.2 * 0.2;                 // hop 2: up to 2 attempts
        double perAttempt1 = 1 + 0.9 * c2, fail1 = 1 - 0.9 * p2;  // an attempt at hop 1 fails with fail1
        double c1 = perAttempt1 * (1 + fail1 + fail1 * fail1);
        double calls = 1 + 0.99 * c1;
        Assert.InRange(r.CallsPerRequest, calls - 0.02, calls + 0.02);
        var fb = Availability.Simulate(up, retries, true, n, seed: 6);
        Assert.Equal(r.Full, fb.Full);
        Assert.InRange(fb.AnsweredShare, 0.99 - 5 * Math.Sqrt(0.99 * 0.01 / n), 0.99 + 5 * Math.Sqrt(0.99 * 0.01 / n));
        Assert.Equal(n - r.Full - fb.Degraded, (int)Math.Round((1 - fb.AnsweredShare) * n));
    }

    [Fact]
    public void Outcome_shares_are_over_all_requests()
    {
        var o = new ChainOutcome(8, 2, 4, 1.5);
        Assert.Equal(0.25, o.FullShare);
        Assert.Equal(0.75, o.AnsweredShare);
    }

    [Fact]
    public void Serial_guards_its_arguments()
    {
        Null("up", () => Availability.Serial(null!));
        Invalid("up", () => Availability.Serial(Array.Empty<double>()));
        OutOfRange("up", () => Availability.Serial(new[] { 0.5, 1.5 }));
        OutOfRange("up", () => Availability.Serial(new[] { -0.1 }));
    }

    [Fact]
    public void WithRetries_guards_its_arguments()
    {
        OutOfRange("up", () => Availability.WithRetries(-0.01, 1));
        OutOfRange("up", () => Availability.WithRetries(1.01, 1));
        OutOfRange("retries", () => Availability.WithRetries(0.5, -1));
        OutOfRange("retries", () => Availability.WithRetries(0.5, 101));
    }

    [Fact]
    public void Nested_guards_its_arguments()
    {
        Null("up", () => Availability.Nested(null!, new[] { 0 }));
        Invalid("up", () => Availability.Nested(Array.Empty<double>(), Array.Empty<int>()));
        Null("retries", () => Availability.Nested(new[] { 0.5 }, null!));
        Invalid("retries", () => Availability.Nested(new[] { 0.5, 0.5 }, new[] { 0 }), "one retry count per hop");
        OutOfRange("up", () => Availability.Nested(new[] { 1.5, 0.5 }, new[] { 0, 0 }));
        OutOfRange("up", () => Availability.Nested(new[] { 0.5, 0.5, -1 }, new[] { 0, 0, 0 }));
    }

    [Fact]
    public void Simulate_guards_its_arguments()
    {
        Null("up", () => Availability.Simulate(null!, new[] { 0 }, false, 10, 1));
        Invalid("up", () => Availability.Simulate(Array.Empty<double>(), Array.Empty<int>(), false, 10, 1));
        Null("retries", () => Availability.Simulate(new[] { 0.5 }, null!, false, 10, 1));
        Invalid("retries", () => Availability.Simulate(new[] { 0.5 }, new[] { 0, 0 }, false, 10, 1),
            "one retry count per hop");
        OutOfRange("up", () => Availability.Simulate(new[] { 0.5, 1.1 }, new[] { 0, 0 }, false, 10, 1));
        OutOfRange("retries", () => Availability.Simulate(new[] { 0.5, 0.5 }, new[] { 0, -1 }, false, 10, 1));
        OutOfRange("retries", () => Availability.Simulate(new[] { 0.5, 0.5 }, new[] { 0, 101 }, false, 10, 1));
        OutOfRange("requests", () => Availability.Simulate(new[] { 0.5 }, new[] { 0 }, false, 0, 1));
    }
}
