package io.objmapper;

import io.objmapper.spi.ObjectStat;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The copies staged from remote tiers that must be checked against their remote version
 * before they are served once they are older than the remote tier's {@code revalidate_ms}
 * (bounded staleness when other nodes write the same bucket). A copy is forgotten when the
 * store writes, deletes or moves the object itself: the store's own change is the truth then.
 *
 * <p>{@link #due} is what the request path calls: no allocation, no lock, and nothing but an
 * emptiness check when no copy is registered.
 */
final class StagedCopies {
  /**
   * One staged copy.
   *
   * @param remote the remote tier the copy came from
   * @param local the local tier that holds it
   * @param remoteStat the remote version it is a copy of (an S3 ETag as its file key)
   * @param periodNanos how old the last check may get before the next
   */
  static final class Copy {
    final int remote;
    final int local;
    final ObjectStat remoteStat;
    final long periodNanos;
    private volatile long checkedNanos;

    Copy(int remote, int local, ObjectStat remoteStat, long periodNanos, long checkedNanos) {
      this.remote = remote;
      this.local = local;
      this.remoteStat = remoteStat;
      this.periodNanos = periodNanos;
      this.checkedNanos = checkedNanos;
    }

    void checked(long nowNanos) {
      checkedNanos = nowNanos;
    }

    boolean due(long nowNanos) {
      return nowNanos - checkedNanos >= periodNanos;
    }
  }

  private final ConcurrentHashMap<String, Copy> copies = new ConcurrentHashMap<>();

  /** Registers the copy of {@code name} just staged (replacing an earlier one). */
  void staged(String name, Copy copy) {
    copies.put(name, copy);
  }

  /** The registered copy of {@code name}, or null. */
  Copy get(String name) {
    return copies.isEmpty() ? null : copies.get(name);
  }

  /** True if {@code name} is a staged copy whose last check is older than its period. */
  boolean due(String name, long nowNanos) {
    if (copies.isEmpty()) {
      return false;
    }
    Copy c = copies.get(name);
    return c != null && c.due(nowNanos);
  }

  /** Forgets {@code name}'s copy (the store changed the object itself). */
  void forget(String name) {
    if (!copies.isEmpty()) {
      copies.remove(name);
    }
  }

  /** Forgets {@code copy} if it is still the registered one; true if it was. */
  boolean forget(String name, Copy copy) {
    return copies.remove(name, copy);
  }
}
