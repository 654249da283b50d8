namespace SystemDesign.Observability;

/// <summary>One row of the error-budget table: an SLO and its allowed downtime over three periods.</summary>
public sealed record BudgetRow(double Slo, double ThirtyDayMinutes, double AverageMonthMinutes, double YearHours);

/// <summary>Error-budget arithmetic: the budget is (1 − SLO) of the period.</summary>
public static class ErrorBudget
{
    /// <summary>Days in an average Gregorian month: 365.2425 / 12.</summary>
    public const double AverageMonthDays = 365.2425 / 12;

    /// <summary>Allowed bad minutes in a period of <paramref name="days"/> days at availability <paramref name="slo"/>.</summary>
    public static double Minutes(double slo, double days)
    {
        Guard.InRange(slo, 0, 1);
        Guard.Positive(days);
        return (1 - slo) * days * 24 * 60;
    }

    /// <summary>The budget table: 30-day window, average month, 365-day year.</summary>
    public static IReadOnlyList<BudgetRow> Table(IEnumerable<double> slos) =>
        Guard.NotNull(slos).Select(s => new BudgetRow(s, Minutes(s, 30), Minutes(s, AverageMonthDays),
            Minutes(s, 365) / 60)).ToList();

    /// <summary>
    /// Measured from the calendar rather than a formula: the mean length in days of the 4,800 months of one
    /// 400-year Gregorian cycle (starting in <paramref name="startYear"/>), walked with <see cref="DateTime"/>.
    /// </summary>
    public static double MeanCalendarMonthDays(int startYear = 2001)
    {
        Guard.InRange(startYear, 1, 9999 - 400);
        long days = 0; int months = 0;
        for (int y = startYear; y < startYear + 400; y++)
            for (int m = 1; m <= 12; m++) { days += DateTime.DaysInMonth(y, m); months++; }
        return (double)days / months;
    }

    /// <summary>Days until a budget is gone at a constant burn rate: period / burn rate.</summary>
    public static double DaysToExhaust(double burnRate, double periodDays = 30)
    {
        Guard.Positive(burnRate);
        Guard.Positive(periodDays);
        return periodDays / burnRate;
    }
}
