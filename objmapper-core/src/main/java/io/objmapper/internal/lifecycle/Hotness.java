package io.objmapper.internal.lifecycle;

import io.objmapper.internal.store.Entry;

/**
 * Heat and score. An object's heat is the sum over its accesses of {@code 2^(-age/halfLife)}:
 * frequency and recency in one number, both decaying with the half-life. The request path
 * only counts accesses and stamps the last one ({@link Entry#touch}); each lifecycle round
 * folds the new accesses into the heat ({@link Entry#foldHeat}), dating them to the last
 * access, so an access is placed in time to within one round.
 *
 * <p>Score is {@code 1 - 2^-heat}, in [0, 1): one access now scores 0.5, two 0.75, one a
 * half-life ago 0.29.
 *
 * <p>Public for the store (another package) and for objmapper-examples'
 * lifecycle simulation ({@code examples/bench/LifecycleSimulation});
 * not API.
 */
public final class Hotness {
  private static final double LN2 = Math.log(2);
  private final double lambdaPerNano;

  public Hotness(long halfLifeNanos) {
    if (halfLifeNanos <= 0) {
      throw new IllegalArgumentException("halfLifeNanos <= 0");
    }
    this.lambdaPerNano = LN2 / halfLifeNanos;
  }

  /** Decay rate per nanosecond, for {@link Entry#heatAt} and {@link Entry#foldHeat}. */
  public double lambdaPerNano() {
    return lambdaPerNano;
  }

  /** The heat of {@code e} at {@code nowNanos}, without folding. */
  public double heat(Entry e, long nowNanos) {
    return e.heatAt(nowNanos, lambdaPerNano);
  }

  /** Folds {@code e}'s new accesses and returns its heat at {@code nowNanos}. */
  public double fold(Entry e, long nowNanos) {
    return e.foldHeat(nowNanos, lambdaPerNano);
  }

  /** The score of {@code heat}: {@code 1 - 2^-heat}. */
  public static double score(double heat) {
    return heat <= 0 ? 0 : -Math.expm1(-heat * LN2);
  }

  /** The heat whose score is {@code score} (the inverse of {@link #score}). */
  public static double heatOf(double score) {
    return score <= 0 ? 0 : -Math.log1p(-score) / LN2;
  }
}
