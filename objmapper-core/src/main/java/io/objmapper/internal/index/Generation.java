package io.objmapper.internal.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.openhft.chronicle.map.ChronicleMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open map file and its sizing. A growth replaces the index's current generation by a larger
 * one; readers still inside the old one finish there, so the old map is closed (unmapped) only
 * when the last of them leaves: a reference count, starting at one for the index itself. A
 * replaced generation's file is deleted then too.
 */
final class Generation {
  private static final Logger LOG = LoggerFactory.getLogger(Generation.class);

  final ChronicleMap<String, IndexEntry> map;
  final IndexManifest manifest;
  final Path mapFile;
  /** Entries the map was declared for. */
  final long capacity;
  /** Size beyond which growth starts. */
  final long growAt;
  /** Below this many remaining extra tiers, growth starts whatever the size (names longer than declared). */
  final int tierAlarm;

  /** Set once an operation failed inside Chronicle Map for a reason other than capacity. */
  volatile boolean damaged;
  /** The map file's length, watched: a file cut short is damaged before its pages are touched. */
  final MapLength length;

  private final AtomicInteger refs = new AtomicInteger(1);
  private final CountDownLatch closed = new CountDownLatch(1);
  private volatile boolean replaced;
  /** The index file whose damaged map this was (moved aside, not deleted, once closed), or null. */
  private volatile Path damagedOf;

  Generation(ChronicleMap<String, IndexEntry> map, IndexManifest manifest, Path mapFile, long capacity,
      IndexOptions options) {
    this.map = map;
    this.manifest = manifest;
    this.mapFile = mapFile;
    this.capacity = capacity;
    this.growAt = Math.max(1, (long) (capacity * options.growAtFraction()));
    this.tierAlarm = map.remainingAutoResizes() * 3 / 4;
    this.length = MapLength.watch(mapFile, options.nanoClock().getAsLong());
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

  /** Drops a reference; the last one closes the map (and deletes its file if it was replaced). */
  void release() {
    if (refs.decrementAndGet() == 0) {
      try {
        closeMap();
        if (damagedOf != null) {
          LOG.warn("Moved damaged tier index map {} to {}", mapFile, IndexFiles.moveAside(damagedOf, mapFile));
        } else if (replaced) {
          Files.deleteIfExists(mapFile);
        }
      } catch (IOException e) {
        LOG.warn("Could not delete or move replaced index map {} (the next open deletes it): {}", mapFile,
            e.toString());
      } finally {
        closed.countDown();
      }
    }
  }

  /**
   * Unmaps the map. Chronicle Map's close of a map whose file was cut short may fault on the
   * missing pages (in compiled code an {@link InternalError}): the map is unusable either way.
   */
  private void closeMap() {
    try {
      map.close();
    } catch (RuntimeException | InternalError e) {
      LOG.warn("Closing tier index map {} failed (it is damaged): {}", mapFile, e.toString());
    } finally {
      length.close();
    }
  }

  /**
   * Marks the generation replaced by a newer one, then drops the index's own reference. The map
   * file is deleted once closed, or, if it is the damaged map of index file {@code damagedOf}
   * (null if not), moved aside for inspection.
   */
  void replaceAndRelease(Path damagedOf) {
    this.damagedOf = damagedOf;
    replaced = true;
    release();
  }

  /**
   * Waits until the map is closed (every reference released), at most {@code timeoutMillis}.
   *
   * @return false if a reference was still held then
   */
  boolean awaitClosed(long timeoutMillis) {
    boolean interrupted = false;
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    try {
      for (;;) {
        try {
          return closed.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
