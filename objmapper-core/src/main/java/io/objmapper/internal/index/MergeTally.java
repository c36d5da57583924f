package io.objmapper.internal.index;

import java.util.concurrent.TimeUnit;

/**
 * What a walk of a tier did to its index ({@link Rebuilder}, {@link Reconciler}): entries
 * counted by what merging them did ({@link ChronicleMaps#ADDED}, {@link ChronicleMaps#UPDATED},
 * else unchanged), and when it is time to tell how far the walk got. One walk, one thread.
 */
final class MergeTally {
  private static final long PROGRESS_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(5);

  long added;
  long updated;
  long unchanged;
  private long lastProgress;

  /** A tally for a walk that started at {@code startNanos} ({@link System#nanoTime()}). */
  MergeTally(long startNanos) {
    this.lastProgress = startNanos;
  }

  void count(int mergeResult) {
    if (mergeResult == ChronicleMaps.ADDED) {
      added++;
    } else if (mergeResult == ChronicleMaps.UPDATED) {
      updated++; // a name the layout reports twice, or one written meanwhile
    } else {
      unchanged++;
    }
  }

  /**
   * True if progress is due: looked at once per 4,096 {@code items} (the clock is not read
   * per file), then at most once per 5 s.
   */
  boolean progressDue(long items) {
    if ((items & 4095) != 0) {
      return false;
    }
    long now = System.nanoTime();
    if (now - lastProgress < PROGRESS_INTERVAL_NANOS) {
      return false;
    }
    lastProgress = now;
    return true;
  }
}
