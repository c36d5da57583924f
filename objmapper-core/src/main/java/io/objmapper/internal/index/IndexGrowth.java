package io.objmapper.internal.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.MapSegmentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background runs that replace an index's map by a new one, one at a time: a growth (a
 * larger map, every entry copied while writes are mirrored, see {@link PersistentTierIndex}) or,
 * once the map turned out to be damaged, a replacement (an empty map of the same size; the
 * damaged one is moved aside when its last reader leaves, and the index is rebuilt from the tier).
 */
final class IndexGrowth {
  private static final Logger LOG = LoggerFactory.getLogger(IndexGrowth.class);

  /** Inserts between two looks at the map's remaining overflow tiers. */
  static final int TIER_CHECK_INTERVAL = 1024;

  private final PersistentTierIndex index;
  private final Path file;
  private final IndexOptions options;

  private final Object lock = new Object();
  private Run run; // guarded by lock
  private volatile boolean running;
  /** After a failed growth, the size at which the next try starts (not on every insert). */
  private volatile long nextAttemptSize;

  IndexGrowth(PersistentTierIndex index, Path file, IndexOptions options) {
    this.index = index;
    this.file = file;
    this.options = options;
  }

  /** One run; {@link #done} completes when its switch happened or it failed. */
  static final class Run {
    final CompletableFuture<Void> done = new CompletableFuture<>();
    final boolean replace;
    Thread thread;
    volatile boolean cancelled;

    Run(boolean replace) {
      this.replace = replace;
    }
  }

  /** True while a run is in progress (writes then skip their growth checks). */
  boolean running() {
    return running;
  }

  /** The replacement in progress, or null. */
  Run replacing() {
    synchronized (lock) {
      return run != null && run.replace ? run : null;
    }
  }

  /** Called after each insert that brought the size to {@code s}. */
  void afterInsert(Generation g, long s) {
    if (running) {
      return;
    }
    if (s > g.growAt && s >= nextAttemptSize) {
      request(false, grownCapacity(g), s + " entries");
    } else if (s % TIER_CHECK_INTERVAL == 0 && remainingAutoResizes(g) < g.tierAlarm) {
      request(false, grownCapacity(g), "overflow tiers in use (names longer than declared)");
    }
  }

  /** The overflow tiers {@code g}'s map may still add; a map that fails to say is damaged (and reported so). */
  private int remainingAutoResizes(Generation g) {
    try {
      return g.map.remainingAutoResizes();
    } catch (RuntimeException e) {
      index.corrupted(g, e);
    } catch (InternalError e) {
      index.corrupted(g, new MapLength.MapAccessFault(e));
    }
    return Integer.MAX_VALUE; // no growth: a replacement is on its way
  }

  long grownCapacity(Generation g) {
    return (long) Math.ceil(g.capacity * options.growthFactor());
  }

  /**
   * Starts a run unless one is in progress (then returns that one); null once closing. A
   * replacement of a generation that is no longer current completes at once.
   */
  Run request(boolean replace, long minCapacity, String reason) {
    synchronized (lock) {
      if (index.closing) {
        return null;
      }
      if (run != null) {
        return run;
      }
      Run r = new Run(replace);
      Generation from = index.current;
      Thread t = new Thread(() -> execute(r, from, minCapacity, reason),
          (replace ? "objmapper-index-replace-" : "objmapper-index-grow-") + file.getFileName());
      t.setDaemon(true);
      r.thread = t;
      run = r;
      running = true;
      t.start();
      return r;
    }
  }

  /** Marks the index closing, cancels a running run and waits for its thread. */
  void stop() {
    Run r;
    synchronized (lock) {
      index.closing = true;
      r = run;
    }
    if (r != null) {
      r.cancelled = true;
      joinUninterruptibly(r.thread);
    }
  }

  private void execute(Run r, Generation from, long minCapacity, String reason) {
    Throwable failure = null;
    try {
      if (r.replace) {
        replace(r, from, reason);
      } else {
        grow(r, from, minCapacity, reason);
      }
    } catch (Throwable e) {
      failure = e;
      if (r.cancelled) {
        LOG.info("{} of tier index {} cancelled by close", r.replace ? "Replacement" : "Growth", file);
      } else {
        nextAttemptSize = index.size() + Math.max(TIER_CHECK_INTERVAL, from.capacity / 16);
        LOG.warn("Could not {} tier index {}: {}", r.replace ? "replace the damaged" : "grow", file, e.toString(), e);
      }
    } finally {
      synchronized (lock) {
        run = null;
        running = false;
      }
      if (failure == null) {
        r.done.complete(null);
      } else {
        r.done.completeExceptionally(failure);
      }
    }
    Generation now = index.current;
    if (now.damaged && !r.replace) {
      request(true, now.capacity, "damaged (found during a growth)"); // no write may come to ask
    }
  }

  private void grow(Run r, Generation old, long minCapacity, String reason) throws IOException {
    long t0 = System.nanoTime();
    long target = Math.max(Math.max(minCapacity, options.expectedEntries()),
        (long) Math.ceil(index.size() * options.growthFactor()));
    double averageKey;
    try {
      checkLength(old);
      averageKey = averageKeySize(old.map);
    } catch (MapLength.MapTruncatedException e) {
      throw index.corrupted(old, e);
    } catch (InternalError e) {
      throw index.corrupted(old, new MapLength.MapAccessFault(e));
    }
    LOG.info("Growing tier index {} ({}): {} entries, declared for {} -> {}, average name {} bytes",
        file, reason, index.size(), old.capacity, target, averageKey);
    long generation = index.generations.incrementAndGet();
    Path nextFile = IndexFiles.mapFileOf(file, generation);
    ChronicleMap<String, IndexEntry> next = IndexOpener.createMap(nextFile, target, averageKey);
    ChronicleMaps.Mirror writesDuringCopy = new ChronicleMaps.Mirror(next);
    boolean switched = false;
    try {
      IndexManifest manifest = IndexManifest.describe(nextFile, generation, target, averageKey);
      index.setMirror(writesDuringCopy);
      long copied;
      try {
        copied = copyAll(old, ChronicleMaps.walkBound(old.capacity), next, r, index.gate.writeLock());
      } catch (ChronicleMaps.EndlessWalkException | MapLength.MapTruncatedException e) {
        index.corrupted(old, e); // the map copied from is damaged: replaced, not grown again and again
        throw e;
      } catch (InternalError e) { // a fault on a page of a mapping: the old map's if its file was cut short
        if (old.length.shrunk()) {
          throw index.corrupted(old, new MapLength.MapAccessFault(e));
        }
        // Else the new map's writes faulted (an I/O error, no room on a copy-on-write file
        // system): the old map is intact and stays; the growth is abandoned and tried again.
        throw new IOException("a fault writing the new map " + nextFile + ": " + e.getMessage(), e);
      }
      index.gate.writeLock().lock();
      try {
        if (r.cancelled) {
          throw new CancellationException("index closing");
        }
        if (writesDuringCopy.failure() != null) {
          throw new IOException("a write during the copy could not be applied to the new map",
              writesDuringCopy.failure());
        }
        manifest.install(file, IndexFiles.manifestTmp(file)); // the switch: a restart opens the new map
        index.current = new Generation(next, manifest, nextFile, target, options);
        index.mirror = null;
        switched = true;
      } finally {
        index.gate.writeLock().unlock();
      }
      old.replaceAndRelease(null);
      index.growths.incrementAndGet();
      nextAttemptSize = 0;
      LOG.info("Grew tier index {} in {} ms: declared for {}, {} entries copied, {} writes mirrored meanwhile",
          file, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), target, copied, writesDuringCopy.writes.sum());
    } finally {
      if (!switched) {
        index.setMirror(null); // before closing the map writes were mirrored to
        discard(next, nextFile);
      }
    }
  }

  private void replace(Run r, Generation damaged, String reason) throws IOException {
    if (index.current != damaged) {
      return; // already replaced
    }
    long entries = Math.max(options.expectedEntries(), damaged.capacity);
    double averageKey = damaged.manifest.averageKeySize;
    long generation = index.generations.incrementAndGet();
    Path nextFile = IndexFiles.mapFileOf(file, generation);
    LOG.warn("Replacing damaged tier index map {} ({}) by an empty one, {}; the tier's files answer until it"
        + " is rebuilt", damaged.mapFile, reason, nextFile.getFileName());
    ChronicleMap<String, IndexEntry> next = IndexOpener.createMap(nextFile, entries, averageKey);
    boolean switched = false;
    try {
      IndexManifest manifest = IndexManifest.describe(nextFile, generation, entries, averageKey);
      index.gate.writeLock().lock();
      try {
        if (r.cancelled) {
          throw new CancellationException("index closing");
        }
        manifest.install(file, IndexFiles.manifestTmp(file));
        index.current = new Generation(next, manifest, nextFile, entries, options);
        index.startedEmpty();
        switched = true;
      } finally {
        index.gate.writeLock().unlock();
      }
      damaged.replaceAndRelease(file);
      index.afterReplacement();
    } finally {
      if (!switched) {
        discard(next, nextFile);
      }
    }
  }

  /** Average UTF-8 length of up to 1,000 names from the first segments (a hash-random sample). */
  private double averageKeySize(ChronicleMap<String, IndexEntry> map) {
    long[] countAndBytes = new long[2];
    for (int s = 0, n = map.segments(); s < n && countAndBytes[0] < 1_000; s++) {
      try (MapSegmentContext<String, IndexEntry, ?> c = map.segmentContext(s)) {
        c.forEachSegmentEntryWhile(e -> {
          countAndBytes[0]++;
          countAndBytes[1] += e.key().size();
          return countAndBytes[0] < 1_000;
        });
      }
    }
    if (countAndBytes[0] < 100) {
      return options.averageNameBytes();
    }
    return Math.ceil((double) countAndBytes[1] / countAndBytes[0]);
  }

  /**
   * Copies every segment, each under {@code exclusive} (the index's gate): writers wait for
   * the copy of a segment parked on the gate, not spinning on Chronicle Map's segment lock,
   * which on a machine with fewer cores than writers starved the copy (a growth of 50,000
   * entries under four importing threads on two cores took 1.1 s, with 260 writes in that
   * time, and the spinning was 6 % of the import's CPU).
   */
  private static long copyAll(Generation old, long bound, ChronicleMap<String, IndexEntry> to, Run r,
      Lock exclusive) {
    ChronicleMap<String, IndexEntry> from = old.map;
    long copied = 0;
    for (int s = 0, n = from.segments(); s < n; s++) {
      if (r.cancelled) {
        throw new CancellationException("index closing");
      }
      exclusive.lock();
      try {
        checkLength(old);
        copied += ChronicleMaps.copySegment(from, s, to, bound - copied);
      } finally {
        exclusive.unlock();
      }
    }
    return copied;
  }

  /** Throws if {@code g}'s map file was found cut short (see {@link MapLength}). */
  private static void checkLength(Generation g) {
    if (g.length.shrunk()) {
      throw g.length.truncated();
    }
  }

  private void discard(ChronicleMap<String, IndexEntry> map, Path mapFile) {
    try {
      map.close();
      Files.deleteIfExists(mapFile);
      Files.deleteIfExists(IndexFiles.manifestTmp(file));
    } catch (IOException | RuntimeException e) {
      LOG.warn("Could not delete {}: {}", mapFile, e.toString());
    }
  }

  static void joinUninterruptibly(Thread t) {
    boolean interrupted = false;
    for (;;) {
      try {
        t.join();
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
