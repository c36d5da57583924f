package io.objmapper.internal.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Where one object is and how it is used. The location fields never change: a move or an
 * overwrite installs a new entry, which {@linkplain #inheritUse inherits} the use of the old
 * one. The access counters are updated on every access without a lock or an allocation; the
 * heat fields only by the lifecycle, one round at a time ({@link
 * io.objmapper.internal.lifecycle.Hotness}).
 */
public final class Entry {
  private static final VarHandle ACCESSES;
  private static final VarHandle LAST_ACCESS;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      ACCESSES = l.findVarHandle(Entry.class, "accesses", long.class);
      LAST_ACCESS = l.findVarHandle(Entry.class, "lastAccessNanos", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final String name;
  private final int tierId;
  private final long size;
  private final long mtimeMillis;
  private final int flags;
  private final int homeTierId;
  @SuppressWarnings("unused") private volatile long accesses;
  @SuppressWarnings("unused") private volatile long lastAccessNanos;
  // Written by the lifecycle's rounds (one at a time), read by placement queries.
  private volatile double heat;
  private volatile long heatAtNanos;
  private volatile long foldedAccesses;

  public Entry(String name, int tierId, long size, long mtimeMillis, int flags) {
    this(name, tierId, size, mtimeMillis, flags, -1);
  }

  /**
   * An entry served from {@code tierId}; {@code homeTierId} is the persistent tier holding
   * the object's lasting copy when {@code tierId} holds a cached copy, else -1.
   */
  public Entry(String name, int tierId, long size, long mtimeMillis, int flags, int homeTierId) {
    this.name = name;
    this.tierId = tierId;
    this.size = size;
    this.mtimeMillis = mtimeMillis;
    this.flags = flags;
    this.homeTierId = homeTierId;
  }

  /** This entry with {@code previous}'s access counts and heat (the same object, moved or rewritten). */
  public Entry inheritUse(Entry previous) {
    if (previous != null && previous != this) {
      ACCESSES.setOpaque(this, previous.accesses());
      LAST_ACCESS.setOpaque(this, previous.lastAccessNanos());
      heat = previous.heat;
      heatAtNanos = previous.heatAtNanos;
      foldedAccesses = previous.foldedAccesses;
    }
    return this;
  }

  public String name() {
    return name;
  }

  public int tierId() {
    return tierId;
  }

  public long size() {
    return size;
  }

  public long mtimeMillis() {
    return mtimeMillis;
  }

  public int flags() {
    return flags;
  }

  /** The tier of the lasting copy when this entry's tier holds a cached copy; else -1. */
  public int homeTierId() {
    return homeTierId;
  }

  /** True if this entry's tier holds a cached copy of an object kept on {@link #homeTierId()}. */
  public boolean cached() {
    return homeTierId >= 0;
  }

  /** Counts one access at {@code nowNanos}. */
  public void touch(long nowNanos) {
    ACCESSES.getAndAdd(this, 1L);
    LAST_ACCESS.setOpaque(this, nowNanos);
  }

  public long accesses() {
    return (long) ACCESSES.getOpaque(this);
  }

  public long lastAccessNanos() {
    return (long) LAST_ACCESS.getOpaque(this);
  }

  /**
   * The heat at {@code nowNanos} with decay rate {@code lambdaPerNano}: the heat folded so
   * far, decayed to now, plus the accesses counted since, each taken at the last access.
   */
  public double heatAt(long nowNanos, double lambdaPerNano) {
    long pending = accesses() - foldedAccesses;
    double h = heat * decay(nowNanos - heatAtNanos, lambdaPerNano);
    if (pending > 0) {
      h += pending * decay(nowNanos - lastAccessNanos(), lambdaPerNano);
    }
    return h;
  }

  /**
   * Folds the accesses counted since the last fold into the heat (called once per round, so
   * an access is dated to within a round) and returns the heat at {@code nowNanos}.
   */
  public double foldHeat(long nowNanos, double lambdaPerNano) {
    long counted = accesses();
    double h = heat * decay(nowNanos - heatAtNanos, lambdaPerNano);
    long pending = counted - foldedAccesses;
    if (pending > 0) {
      h += pending * decay(nowNanos - lastAccessNanos(), lambdaPerNano);
    }
    heat = h;
    heatAtNanos = nowNanos;
    foldedAccesses = counted;
    return h;
  }

  private static double decay(long elapsedNanos, double lambdaPerNano) {
    return elapsedNanos <= 0 ? 1.0 : Math.exp(-elapsedNanos * lambdaPerNano);
  }

  @Override
  public String toString() {
    return "Entry{" + name + ", tier " + tierId + (homeTierId >= 0 ? " (home " + homeTierId + ")" : "") + ", "
        + size + " bytes, flags " + flags + "}";
  }
}
