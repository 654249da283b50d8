namespace SystemDesign.Consistency;

/// <summary>
/// A distribution of delays (network, disk, replication) in milliseconds: something to sample for simulations
/// and, where it has one, an exact CDF and quantile so that simulated figures can be checked against theory.
/// </summary>
public abstract class Delay
{
    public abstract double Sample(Random rng);

    public abstract double Cdf(double x);

    public abstract double Quantile(double p);

    /// <summary>Log-normal: the usual shape of service and network latency (a body plus a long right tail).</summary>
    /// <param name="median">the median in ms (e^μ).</param>
    /// <param name="sigma">σ of the underlying normal; 0.5 gives p99 ≈ 3.2 × median.</param>
    public static Delay LogNormal(double median, double sigma) => new LogNormalDelay(Guard.Positive(median), Guard.Positive(sigma));

    /// <summary>Exponential (memoryless): the one case where probabilistically bounded staleness has a closed form.</summary>
    public static Delay Exponential(double mean) => new ExponentialDelay(Guard.Positive(mean));

    /// <summary>Uniform on [min, max].</summary>
    public static Delay Uniform(double min, double max)
    {
        Guard.NonNegative(min);
        Guard.That(max >= min, $"max must be at least min = {min}; got {max}.", nameof(max));
        return new UniformDelay(min, max);
    }

    /// <summary>The standard normal quantile Φ⁻¹(p) (Acklam's rational approximation, relative error below 1.2e-9).</summary>
    public static double NormalQuantile(double p)
    {
        Guard.OpenUnit(p);
        double[] a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        double[] b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        double[] c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        double[] d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        const double low = 0.02425;
        if (p < low)
        {
            double q = Math.Sqrt(-2 * Math.Log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        if (p > 1 - low)
        {
            double q = Math.Sqrt(-2 * Math.Log(1 - p));
            return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        double u = p - 0.5, r = u * u;
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * u / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }

    /// <summary>The standard normal CDF Φ(x), by bisection on <see cref="NormalQuantile"/> (accurate to 1e-12 in p).</summary>
    public static double NormalCdf(double x)
    {
        Guard.That(!double.IsNaN(x), "x must be a number", nameof(x));
        if (x < -8) return 0;
        if (x > 8) return 1;
        double lo = 1e-16, hi = 1 - 1e-16;
        for (int i = 0; i < 60; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (NormalQuantile(mid) < x) lo = mid; else hi = mid;
        }
        return 0.5 * (lo + hi);
    }

    private sealed class LogNormalDelay(double median, double sigma) : Delay
    {
        public override double Sample(Random rng)
        {
            // Box–Muller: two uniforms give one standard normal.
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            double z = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
            return median * Math.Exp(sigma * z);
        }

        public override double Cdf(double x) => x <= 0 ? 0 : NormalCdf(Math.Log(x / median) / sigma);
        public override double Quantile(double p) => median * Math.Exp(sigma * NormalQuantile(p));
        public override string ToString() => $"lognormal(median {median} ms, σ {sigma})";
    }

    private sealed class ExponentialDelay(double mean) : Delay
    {
        public override double Sample(Random rng) => -mean * Math.Log(1.0 - rng.NextDouble());
        public override double Cdf(double x) => x <= 0 ? 0 : 1 - Math.Exp(-x / mean);
        public override double Quantile(double p) => -mean * Math.Log(1 - Guard.OpenUnit(p));
        public override string ToString() => $"exponential(mean {mean} ms)";
    }

    private sealed class UniformDelay(double min, double max) : Delay
    {
        public override double Sample(Random rng) => min + (max - min) * rng.NextDouble();
        public override double Cdf(double x) => x <= min ? 0 : x >= max ? 1 : (x - min) / (max - min);
        public override double Quantile(double p) => min + (max - min) * Guard.InRange(p, 0, 1);
        public override string ToString() => $"uniform({min}–{max} ms)";
    }
}
