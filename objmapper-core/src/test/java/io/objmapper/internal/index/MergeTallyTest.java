package io.objmapper.internal.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MergeTallyTest {
  @Test
  void mergesAreCountedByWhatTheyDid() {
    MergeTally t = new MergeTally(System.nanoTime());
    t.count(ChronicleMaps.ADDED);
    t.count(ChronicleMaps.ADDED);
    t.count(ChronicleMaps.UPDATED);
    t.count(ChronicleMaps.UNCHANGED);
    assertThat(new long[] {t.added, t.updated, t.unchanged}).containsExactly(2, 1, 1);
  }

  @Test
  void progressIsLookedAtOncePer4096ItemsAndThenNotAgainAtOnce() {
    MergeTally t = new MergeTally(System.nanoTime() - TimeUnit.SECONDS.toNanos(60)); // a walk started long ago
    assertThat(t.progressDue(4095)).as("not on a 4,096 boundary: the clock is not read").isFalse();
    assertThat(t.progressDue(8192)).as("on a boundary, long after the start").isTrue();
    assertThat(t.progressDue(12288)).as("just told").isFalse();
  }
}
