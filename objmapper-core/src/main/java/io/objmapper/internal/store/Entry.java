package io.objmapper.internal.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Where one object is and how it is used. The location fields never change: a move or an
 * overwrite installs a new entry. The access counters are updated on every access without a
 * lock or an allocation.
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
  @SuppressWarnings("unused") private volatile long accesses;
  @SuppressWarnings("unused") private volatile long lastAccessNanos;

  public Entry(String name, int tierId, long size, long mtimeMillis, int flags) {
    this.name = name;
    this.tierId = tierId;
    this.size = size;
    this.mtimeMillis = mtimeMillis;
    this.flags = flags;
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

  @Override
  public String toString() {
    return "Entry{" + name + ", tier " + tierId + ", " + size + " bytes, flags " + flags + "}";
  }
}
