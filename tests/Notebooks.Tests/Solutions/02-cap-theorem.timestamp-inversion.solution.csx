// s₂ ≤ s₁ ⇔ e₁ − e₂ ≥ gap, with e₁ − e₂ triangular on [−2ε, 2ε]: P = (1 − gap/2ε)² / 2.
double InversionChance(double epsilon, double gap)
    => gap >= 2 * epsilon ? 0 : Math.Pow(1 - gap / (2 * epsilon), 2) / 2;
