package io.objmapper.internal.index;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import net.openhft.chronicle.map.ChronicleMap;

/**
 * One open map file and its sizing. A growth replaces the index's current generation by a larger
 * one; readers still inside the old one finish there, so the old map is closed (unmapped) only
 * when the last of them leaves: a reference count, starting at one for the index itself.
 */
final class Generation {
  final ChronicleMap<String, IndexEntry> map;
  final IndexMeta meta;
  /** Entries the map was declared for. */
  final long capacity;
  /** Size at which growth starts. */
  final long growAt;
  /** Below this many remaining extra tiers, growth starts whatever the size (names longer than declared). */
  final int tierAlarm;

  private final AtomicInteger refs = new AtomicInteger(1);
  private final CountDownLatch closed = new CountDownLatch(1);

  Generation(ChronicleMap<String, IndexEntry> map, IndexMeta meta, long capacity, double growAtFraction) {
    this.map = map;
    this.meta = meta;
    this.capacity = capacity;
    this.growAt = Math.max(1, (long) (capacity * growAtFraction));
    this.tierAlarm = map.remainingAutoResizes() * 3 / 4;
  }

  /** Takes a reference; false if the generation is already released by everyone. */
  boolean tryAcquire() {
    for (;;) {
      int r = refs.get();
      if (r == 0) {
        return false;
      }
      if (refs.compareAndSet(r, r + 1)) {
        return true;
      }
    }
  }

  /** Drops a reference; the last one closes the map. */
  void release() {
    if (refs.decrementAndGet() == 0) {
      try {
        map.close();
      } finally {
        closed.countDown();
      }
    }
  }

  /** Waits until the map is closed (every reference released). */
  void awaitClosed() {
    boolean interrupted = false;
    for (;;) {
      try {
        closed.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
