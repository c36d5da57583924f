package io.objmapper;

import io.objmapper.spi.dir.DirectoryTier;
import java.io.IOException;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Objects handed out through writable descriptors (the C-compatible write mode), with the
 * size their tier counts for them: what a client writes through such a descriptor changes the
 * file behind the tier's back. {@link #settleAll} (each stats snapshot) and {@link #settle}
 * (before the store writes or deletes the name) count the files at their size now. At most
 * {@value #MAX_NAMES} names are followed; beyond that, and for writes after the last
 * settling, the tier's next open scans (a tier that handed out a writable descriptor saves no
 * counts at close).
 */
final class WrittenThrough {
  private static final Logger log = LoggerFactory.getLogger(WrittenThrough.class);
  static final int MAX_NAMES = 100_000;

  /** name → {tier, counted size}; each array is its own lock. */
  private final ConcurrentHashMap<String, long[]> names = new ConcurrentHashMap<>();
  private final TierSet set;

  WrittenThrough(TierSet set) {
    this.set = set;
  }

  /** {@code name} on tier {@code t}, counted at {@code size}, is now open for writing by a client. */
  void handedOut(String name, int t, long size) {
    // A name already followed (a client writing the same object again) allocates nothing.
    if (!names.containsKey(name) && set.tiers[t] instanceof DirectoryTier && names.size() < MAX_NAMES) {
      names.putIfAbsent(name, new long[] {t, size});
    }
  }

  /** Counts {@code name} at its size now and stops following it (the store is about to write it). */
  void settle(String name) {
    long[] e = names.remove(name);
    if (e != null) {
      recount(name, e);
    }
  }

  /** Counts every followed name at its size now. */
  void settleAll() {
    names.forEach((name, e) -> {
      if (recount(name, e) < 0) {
        names.remove(name, e);
      }
    });
  }

  private long recount(String name, long[] e) {
    synchronized (e) {
      if (e[1] < 0) {
        return -1;
      }
      try {
        long now = ((DirectoryTier) set.tiers[(int) e[0]]).recount(name, e[1]);
        e[1] = now;
        return now;
      } catch (IOException | RuntimeException ex) {
        log.debug("cannot recount {} on {}: {}", name, set.name((int) e[0]), ex.toString());
        return 0;
      }
    }
  }
}
