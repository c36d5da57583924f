package io.objmapper.examples.bench;

import java.util.Arrays;
import java.util.Random;

/**
 * Zipf's law over ranks {@code 1..n}: rank {@code k} has probability
 * {@code k^-s / H(n, s)}. Sampled by inverting the cumulative distribution (a binary search
 * in a table of {@code n} doubles), so a draw costs one {@code nextDouble} and
 * {@code log2(n)} comparisons and the sequence depends only on the {@link Random}'s seed.
 */
final class Zipf {
  private final double[] cumulative;
  private final double exponent;

  Zipf(int n, double exponent) {
    if (n < 1) {
      throw new IllegalArgumentException("n < 1");
    }
    if (!(exponent >= 0)) {
      throw new IllegalArgumentException("exponent < 0");
    }
    this.exponent = exponent;
    cumulative = new double[n];
    double sum = 0;
    for (int k = 1; k <= n; k++) {
      sum += Math.pow(k, -exponent);
      cumulative[k - 1] = sum;
    }
    for (int i = 0; i < n; i++) {
      cumulative[i] /= sum;
    }
    cumulative[n - 1] = 1.0;
  }

  int n() {
    return cumulative.length;
  }

  double exponent() {
    return exponent;
  }

  /** The probability of rank {@code k} (1-based). */
  double pmf(int k) {
    return cumulative[k - 1] - (k == 1 ? 0 : cumulative[k - 2]);
  }

  /** The probability that a draw is one of the {@code k} most popular ranks: what an oracle holding them serves. */
  double topShare(int k) {
    if (k <= 0) {
      return 0;
    }
    return cumulative[Math.min(k, cumulative.length) - 1];
  }

  /** A rank in {@code 1..n}. */
  int sample(Random random) {
    double u = random.nextDouble();
    int i = Arrays.binarySearch(cumulative, u);
    // Rank k takes u in [cumulative[k - 2], cumulative[k - 1]): the first entry above u. Not
    // found, binarySearch returns -(that entry's index) - 1; found, u is the start of the next rank.
    int index = i >= 0 ? i + 1 : -i - 1;
    return index + 1;
  }
}
