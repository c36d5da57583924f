package io.objmapper.internal.fdcache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.objmapper.spi.ObjectStat;
import java.io.FileInputStream;
import java.io.IOException;
import io.objmapper.spi.LocalFiles;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The bounded cache of open descriptors (Caffeine, W-TinyLFU), keyed by object name.
 *
 * <p>A hit costs a Caffeine read and a CAS on the entry's reference count. An evicted or
 * invalidated entry gives up the cache's reference; its descriptor closes when the last
 * reader releases it, never under a reader. A cached entry older than the revalidation
 * interval is checked against the file (file key, size, mtime) before it is served again,
 * so a file replaced or deleted behind the cache is noticed; changes made through the
 * engine invalidate the entry at once.
 */
public final class FdCache {
  /** What the slow path needs to open a file. */
  public interface Opener {
    /**
     * Locates and stats object {@code name}; returns {@code null} if there is none. The
     * stat must be taken before the file is opened.
     */
    Located locate(String name);
  }

  /**
   * Where an object is: tier id, the tier's files (which open it safely), the stat of the
   * version to open, an attachment for {@link OpenFile#owner()}, and a read-only description
   * of that version opened already (a copy just written: then it is not opened again), or
   * null.
   */
  public record Located(int tierId, LocalFiles files, ObjectStat stat, Object owner, FileInputStream opened) {
    public Located(int tierId, LocalFiles files, ObjectStat stat, Object owner) {
      this(tierId, files, stat, owner, null);
    }
  }

  /** Invalidation counters, striped by name: an open caches only if its stripe's is unchanged. */
  private static final int EPOCH_STRIPES = 64;

  private final Cache<String, OpenFile> cache;
  private final AtomicLongArray epochs = new AtomicLongArray(EPOCH_STRIPES);
  private final long revalidateNanos;
  private final LongSupplier nanoClock;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder opens = new LongAdder();
  private final LongAdder evictions = new LongAdder();
  private final LongAdder stale = new LongAdder();

  /**
   * @param maxOpenFds most descriptors the cache keeps open (readers may hold more a while)
   * @param revalidateMillis how old a cached entry may get before it is checked against the file
   * @param nanoClock the clock ({@code System::nanoTime} outside tests)
   */
  public FdCache(long maxOpenFds, long revalidateMillis, LongSupplier nanoClock) {
    if (maxOpenFds < 1) {
      throw new IllegalArgumentException("maxOpenFds < 1");
    }
    if (revalidateMillis < 0) {
      throw new IllegalArgumentException("revalidateMillis < 0");
    }
    this.revalidateNanos = TimeUnit.MILLISECONDS.toNanos(revalidateMillis);
    this.nanoClock = nanoClock;
    this.cache = Caffeine.newBuilder()
        .maximumSize(maxOpenFds)
        .executor(Runnable::run) // give up the cache's reference at once, not later on a pool
        .removalListener((String k, OpenFile v, RemovalCause cause) -> {
          if (v != null) {
            if (cause.wasEvicted()) {
              evictions.increment();
            }
            v.release();
          }
        })
        .build();
  }

  /**
   * The fast path: a cached, still valid descriptor with a reader's reference taken, or
   * {@code null} (then call {@link #acquire(String, Opener)}).
   */
  public OpenFile acquireCached(String name) {
    OpenFile f = cache.getIfPresent(name);
    if (f != null && fresh(f) && f.tryAcquire()) {
      hits.increment();
      return f;
    }
    return null;
  }

  /**
   * A descriptor of object {@code name} with a reader's reference taken, opened through
   * {@code opener} if it is not cached; {@code null} if there is no such object.
   */
  public OpenFile acquire(String name, Opener opener) {
    for (int attempt = 0; attempt < 8; attempt++) {
      OpenFile f = cache.getIfPresent(name);
      if (f != null && fresh(f) && f.tryAcquire()) {
        hits.increment();
        return f;
      }
      int stripe = stripe(name);
      long epoch = epochs.get(stripe);
      Located loc = opener.locate(name);
      if (loc == null) {
        return null;
      }
      // The open checks the version on the descriptor: none if it vanished or was replaced
      // (or turned into a link, FIFO or device) between the stat and the open: look again.
      OpenFile opened = loc.opened() != null
          ? OpenFile.of(name, loc.tierId(), loc.files(), loc.stat(), loc.opened(), loc.owner(), nanoClock.getAsLong())
          : OpenFile.open(name, loc.tierId(), loc.files(), loc.stat(), loc.owner(), nanoClock.getAsLong());
      if (opened == null) {
        continue;
      }
      opens.increment();
      opened.tryAcquire(); // the caller's reference; the cache keeps the first
      // Cached only if no invalidation began since the lookup: one that did may be for a
      // version newer than the one opened. The check and the insert are one step, so no
      // reader can find the descriptor in between; an invalidation that comes after removes
      // it as usual. A replaced entry reaches the removal listener, which releases it.
      OpenFile cached = cache.asMap().compute(name, (k, old) -> epochs.get(stripe) == epoch ? opened : old);
      if (cached != opened) {
        opened.release(); // the cache's reference: the caller may still read it (it was current during the call)
      }
      misses.increment();
      return opened;
    }
    String message = "object " + name + " keeps changing while being opened";
    throw new java.io.UncheckedIOException(message, new IOException(message));
  }

  /**
   * Drops the cached descriptor of {@code name} (readers holding it keep it), and keeps an
   * open of {@code name} already under way from caching what it opens. Call it after the
   * file was replaced or deleted.
   */
  public void invalidate(String name) {
    epochs.incrementAndGet(stripe(name));
    cache.invalidate(name);
  }

  /** Drops every cached descriptor. */
  public void invalidateAll() {
    for (int i = 0; i < EPOCH_STRIPES; i++) {
      epochs.incrementAndGet(i);
    }
    cache.invalidateAll();
    cache.cleanUp();
  }

  /** True if a descriptor of {@code name} is cached (no reference taken). */
  public boolean isCached(String name) {
    return cache.getIfPresent(name) != null;
  }

  private static int stripe(String name) {
    int h = name.hashCode();
    return (h ^ (h >>> 16)) & (EPOCH_STRIPES - 1);
  }

  private boolean fresh(OpenFile f) {
    long now = nanoClock.getAsLong();
    if (now - f.checkedAtNanos < revalidateNanos) {
      return true;
    }
    ObjectStat current = stat(f.path());
    if (f.stat().equals(current)) {
      f.checkedAtNanos = now;
      return true;
    }
    stale.increment();
    cache.asMap().remove(f.name(), f);
    return false;
  }

  /**
   * The stat of the regular file at {@code path} now, or {@code null} if there is none.
   *
   * @throws java.io.UncheckedIOException if access to it is refused (EACCES): the file may
   *     well be there, so it is not reported missing
   */
  public static ObjectStat stat(Path path) {
    try {
      // A link is no object (the tier's open refuses it): a file replaced by one is stale.
      BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!a.isRegularFile()) {
        return null;
      }
      return new ObjectStat(a.size(), a.lastModifiedTime().toMillis(), a.fileKey());
    } catch (NoSuchFileException e) {
      return null;
    } catch (java.nio.file.AccessDeniedException e) {
      throw new java.io.UncheckedIOException("cannot stat " + path + ": permission denied", e);
    } catch (IOException e) {
      return null;
    }
  }

  /** Acquires served by a cached descriptor. */
  public long hits() {
    return hits.sum();
  }

  /**
   * Acquires that had to open the file: one per acquire, however often it had to look again;
   * a lookup of a missing object counts neither as a hit nor as a miss.
   */
  public long misses() {
    return misses.sum();
  }

  public long opens() {
    return opens.sum();
  }

  public long evictions() {
    return evictions.sum();
  }

  /** Cached entries found replaced or deleted behind the cache. */
  public long staleDetected() {
    return stale.sum();
  }

  /** Descriptors the cache holds now. */
  public long size() {
    cache.cleanUp();
    return cache.estimatedSize();
  }

  /** Hits / (hits + misses), or 0 before any lookup. */
  public double hitRate() {
    long h = hits.sum();
    long m = misses.sum();
    return h + m == 0 ? 0 : (double) h / (h + m);
  }
}
