package io.objmapper.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The pieces of {@link LifecycleSimulation} that its numbers rest on. */
class LifecycleSimulationPiecesTest {
  @Test
  void zipfProbabilitiesSumToOneAndFallWithRank() {
    Zipf zipf = new Zipf(1000, 0.99);
    double sum = 0;
    for (int k = 1; k <= 1000; k++) {
      sum += zipf.pmf(k);
      if (k > 1) {
        assertThat(zipf.pmf(k)).isLessThan(zipf.pmf(k - 1));
      }
    }
    assertThat(sum).isCloseTo(1.0, within(1e-9));
    assertThat(zipf.pmf(1) / zipf.pmf(2)).isCloseTo(Math.pow(2, 0.99), within(1e-9));
  }

  @Test
  void oracleShareOfTheIssuesWorkloadIsAboutEightyPercent() {
    Zipf zipf = new Zipf(100_000, 0.99);
    assertThat(zipf.topShare(10_000)).isCloseTo(0.8001, within(1e-4));
    assertThat(zipf.topShare(0)).isZero();
    assertThat(zipf.topShare(100_000)).isEqualTo(1.0);
  }

  @Test
  void zipfSamplesFollowThePmf() {
    Zipf zipf = new Zipf(100, 0.99);
    Random random = new Random(7);
    int n = 1_000_000;
    int[] counts = new int[101];
    for (int i = 0; i < n; i++) {
      int k = zipf.sample(random);
      assertThat(k).isBetween(1, 100);
      counts[k]++;
    }
    for (int k : new int[] {1, 2, 10, 100}) {
      double p = zipf.pmf(k);
      double sigma = Math.sqrt(n * p * (1 - p));
      assertThat((double) counts[k]).isCloseTo(n * p, within(5 * sigma));
    }
  }

  @Test
  void zipfSamplesDependOnlyOnTheSeed() {
    Zipf zipf = new Zipf(100_000, 0.99);
    Random a = new Random(42);
    Random b = new Random(42);
    for (int i = 0; i < 1000; i++) {
      assertThat(zipf.sample(a)).isEqualTo(zipf.sample(b));
    }
  }

  @Test
  void permutationHoldsEveryIndexOnce() {
    int[] p = LifecycleSimulation.permutation(1000, new Random(1));
    int[] sorted = p.clone();
    Arrays.sort(sorted);
    for (int i = 0; i < sorted.length; i++) {
      assertThat(sorted[i]).isEqualTo(i);
    }
    assertThat(p).isNotEqualTo(sorted);
  }

  @Test
  void convergenceIsTheFirstRoundFromWhichTheWindowedShareStaysNearTheTarget() {
    double[] shares = {0.1, 0.2, 0.5, 0.79, 0.8, 0.8, 0.81, 0.8, 0.8};
    // Windows of 2 ending at round 5 (0.79, 0.8) and later all stay within 0.01 of 0.8.
    assertThat(LifecycleSimulation.roundsToConverge(shares, 0.8, 0.01, 2)).isEqualTo(5);
    assertThat(LifecycleSimulation.roundsToConverge(shares, 0.9, 0.01, 2)).isEqualTo(-1);
  }
}
