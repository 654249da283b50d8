using SystemDesign.DistributedTransactions;
using SystemDesign.Notebook;

namespace SystemDesign.Tests.DistributedTransactions;

public class TravelSagaExactTests
{
    private static (string, SagaPhase, double, double)[] Bars(SagaRun run) =>
        run.Timeline.Select(e => (e.Step, e.Phase, e.StartMs, e.EndMs)).ToArray();

    [Fact]
    public void A_successful_booking_runs_the_steps_back_to_back_and_holds_one_booking_per_service()
    {
        var run = TravelSaga.Run(TravelSaga.Booking, null);
        Assert.Equal(new[]
        {
            ("Flight", SagaPhase.Forward, 0.0, 120.0), ("Hotel", SagaPhase.Forward, 120.0, 210.0),
            ("Payment", SagaPhase.Forward, 210.0, 360.0), ("Confirm", SagaPhase.Forward, 360.0, 400.0),
        }, Bars(run));
        Assert.Equal(400.0, run.TotalMs);
        Assert.Null(run.FailedAt);
        Assert.Equal(new Dictionary<string, int> { ["Flight"] = 1, ["Hotel"] = 1, ["Payment"] = 1, ["Confirm"] = 1 }, run.HeldAtEnd);
    }

    [Fact]
    public void A_failed_payment_runs_the_compensations_after_the_failed_step_newest_first()
    {
        var run = TravelSaga.Run(TravelSaga.Booking, 2, "trip-42");
        Assert.Equal(new[]
        {
            ("Flight", SagaPhase.Forward, 0.0, 120.0), ("Hotel", SagaPhase.Forward, 120.0, 210.0),
            ("Payment", SagaPhase.Failed, 210.0, 360.0),
            ("Hotel", SagaPhase.Compensation, 360.0, 420.0), ("Flight", SagaPhase.Compensation, 420.0, 500.0),
        }, Bars(run));
        Assert.Equal((false, (int?)2, 500.0), (run.Completed, run.FailedAt, run.TotalMs));
        Assert.Equal(new[] { "Hotel", "Flight" }, run.CompensationOrder);
        Assert.Equal(new Dictionary<string, int> { ["Flight"] = 0, ["Hotel"] = 0, ["Payment"] = 0, ["Confirm"] = 0 }, run.HeldAtEnd);
    }

    [Fact]
    public void A_first_step_failure_has_nothing_to_compensate()
    {
        var run = TravelSaga.Run(TravelSaga.Booking, 0);
        Assert.Equal(new[] { ("Flight", SagaPhase.Failed, 0.0, 120.0) }, Bars(run));
        Assert.Equal((0, 120.0, (int?)0), (run.Held, run.TotalMs, run.FailedAt));
    }

    [Fact]
    public void The_timeline_series_puts_each_run_on_its_steps_row_and_draws_compensations_as_theory()
    {
        var run = TravelSaga.Run(TravelSaga.Booking, 2);
        var series = TravelSaga.TimelineSeries(run, TravelSaga.Booking);
        Assert.Equal(new[] { "Flight: done", "Hotel: done", "Payment: FAILED", "Hotel: compensated", "Flight: compensated" },
            series.Select(s => s.Name));
        Assert.Equal(new[] { 0.0, 1, 2, 1, 0 }, series.Select(s => s.Y[0]));
        Assert.All(series, s => Assert.Equal(s.Y[0], s.Y[1]));
        Assert.Equal(new[] { 360.0, 420 }, series[3].X);
        Assert.Equal(new[] { 210.0, 360 }, series[2].X);
        Assert.Equal(new[] { SeriesStyle.LinesAndMarkers, SeriesStyle.LinesAndMarkers, SeriesStyle.LinesAndMarkers, SeriesStyle.Theory, SeriesStyle.Theory },
            series.Select(s => s.Style));
    }

    [Fact]
    public void Every_argument_is_checked()
    {
        var ok = TravelSaga.Booking;
        Assert.Equal("steps", Assert.Throws<ArgumentNullException>(() => TravelSaga.Run(null!, null)).ParamName);
        Assert.Equal("sagaId", Assert.Throws<ArgumentException>(() => TravelSaga.Run(ok, null, "")).ParamName);
        Assert.Equal("sagaId", Assert.Throws<ArgumentNullException>(() => TravelSaga.Run(ok, null, null!)).ParamName);
        Assert.Equal("failAt", Assert.Throws<ArgumentOutOfRangeException>(() => TravelSaga.Run(ok, -1)).ParamName);
        Assert.Equal("steps", Assert.Throws<ArgumentException>(() => TravelSaga.Run(new[] { new SagaStep("", 1, 1) }, null)).ParamName);
        Assert.Equal("steps", Assert.Throws<ArgumentOutOfRangeException>(() => TravelSaga.Run(new[] { new SagaStep("A", 0, 1) }, null)).ParamName);
        Assert.Equal("steps", Assert.Throws<ArgumentOutOfRangeException>(() => TravelSaga.Run(new[] { new SagaStep("A", 1, 0) }, null)).ParamName);
        // the last step may be the failing one
        Assert.Equal(3, TravelSaga.Run(ok, 3).FailedAt);
        var run = TravelSaga.Run(ok, null);
        Assert.Equal("run", Assert.Throws<ArgumentNullException>(() => TravelSaga.TimelineSeries(null!, ok)).ParamName);
        Assert.Equal("steps", Assert.Throws<ArgumentNullException>(() => TravelSaga.TimelineSeries(run, null!)).ParamName);
    }
}
