package io.objmapper.internal.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.concurrent.atomic.LongAdder;

/**
 * The in-heap global index: object name → {@link Entry} (tier, size, mtime, flags, access
 * count, last access) for the objects in use. Bounded (Caffeine), so a store of ten
 * million objects keeps only its working set in the heap; the per-tier indexes hold the
 * rest. Reads are lock-free.
 */
public final class GlobalIndex {
  private final Cache<String, Entry> cache;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();

  public GlobalIndex(long maxEntries) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries < 1");
    }
    this.cache = Caffeine.newBuilder().maximumSize(maxEntries).executor(Runnable::run).build();
  }

  /** The entry of {@code name}, or {@code null}; counts a hit or a miss. */
  public Entry get(String name) {
    Entry e = cache.getIfPresent(name);
    if (e != null) {
      hits.increment();
    } else {
      misses.increment();
    }
    return e;
  }

  /** The entry of {@code name}, or {@code null}, counting nothing (for the lifecycle). */
  public Entry peek(String name) {
    return cache.asMap().get(name);
  }

  /** Visits every entry (weakly consistent: entries added or removed meanwhile may be missed). */
  public void forEach(java.util.function.Consumer<Entry> visitor) {
    cache.asMap().values().forEach(visitor);
  }

  /**
   * Installs {@code e} unless an entry of its name is there; returns the entry installed.
   * For readers that found {@code e} in the per-tier indexes: a writer's entry, installed
   * meanwhile under its lock, is newer and wins.
   */
  public Entry putIfAbsent(Entry e) {
    Entry there = cache.asMap().putIfAbsent(e.name(), e);
    return there != null ? there : e;
  }

  public void put(Entry e) {
    cache.put(e.name(), e);
  }

  public void remove(String name) {
    cache.invalidate(name);
  }

  /** Removes {@code e} only if it is still the entry of its name. */
  public void remove(Entry e) {
    cache.asMap().remove(e.name(), e);
  }

  public long hits() {
    return hits.sum();
  }

  public long misses() {
    return misses.sum();
  }

  public long size() {
    return cache.estimatedSize();
  }
}
