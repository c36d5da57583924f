package io.objmapper;

import io.objmapper.spi.TierConfig;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The room on each tier: its capacity less what it holds and less the bytes promised to
 * writes and moves in progress (not yet in the tier's {@code usedBytes}). Concurrent writers
 * never overfill a tier.
 */
final class TierSpace {
  private final TierSet set;
  private final AtomicLongArray reserved;

  TierSpace(TierSet set) {
    this.set = set;
    this.reserved = new AtomicLongArray(set.size());
  }

  private long capacity(int t) {
    return set.configs[t].capacityBytes();
  }

  boolean bounded(int t) {
    return capacity(t) != TierConfig.UNLIMITED;
  }

  /** Bytes tier {@code t} has left, less what is promised; {@link Long#MAX_VALUE} if it has no capacity set. */
  long free(int t) {
    if (!bounded(t)) {
      return Long.MAX_VALUE;
    }
    return capacity(t) - set.tiers[t].usedBytes() - reserved.get(t);
  }

  /** Bytes tier {@code t} holds plus those promised to it. */
  long usedAndPromised(int t) {
    return set.tiers[t].usedBytes() + reserved.get(t);
  }

  /**
   * Promises {@code n} bytes of tier {@code t} to a write or move in progress, if it has
   * them. Release with {@link #unreserve} once the bytes are in the tier's
   * {@code usedBytes} (or were never written).
   */
  boolean tryReserve(int t, long n) {
    if (n <= 0 || !bounded(t)) {
      return true;
    }
    while (true) {
      long r = reserved.get(t);
      if (capacity(t) - set.tiers[t].usedBytes() - r < n) {
        return false;
      }
      if (reserved.compareAndSet(t, r, r + n)) {
        return true;
      }
    }
  }

  void unreserve(int t, long n) {
    if (n > 0 && bounded(t)) {
      reserved.addAndGet(t, -n);
    }
  }
}
