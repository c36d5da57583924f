package io.objmapper.internal.index;

import io.objmapper.spi.ObjectNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import net.openhft.chronicle.hash.ChronicleHashClosedException;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import net.openhft.chronicle.map.MapSegmentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The persistent index of one tier: object name → {@link IndexEntry} (size, modification time,
 * file identity, flags), kept in a Chronicle Map file so that a restart does not have to scan
 * the tier. About 120 bytes of file per entry with 60-byte names when sized for its content,
 * memory-mapped; nothing is loaded into the heap (see {@code IndexFootprint} in the examples for
 * measurements).
 *
 * <pre>{@code
 * try (PersistentTierIndex index = PersistentTierIndex.open(dir.resolve("tier.idx"), 1_000_000)) {
 *   if (!index.openState().trusted()) {
 *     index.reconcile(DirectoryTierFiles.excluding(tierRoot, dir));
 *   }
 *   IndexEntry e = new IndexEntry();       // one per thread, reused
 *   if (index.get("/photos/2024/cat.jpg", e)) {
 *     ... e.size() ...
 *   }
 * }
 * }</pre>
 *
 * <h2>Files</h2>
 * The index file {@code F} is a small manifest ({@link IndexManifest}) naming the current map
 * file {@code F.map.N} and how it was created. Next to them: {@code F.clean} (written by
 * {@link #close()}, deleted by open: its absence means the last run did not stop cleanly),
 * {@code F.lock} (held while open: one process at a time), {@code F.tmp} (a manifest being
 * written) and {@code F.corrupt} (the last unusable map file, moved aside). Map files are never
 * renamed (Chronicle Map keeps using the path it created a file at); open deletes map files the
 * manifest does not name (left by a growth that did not finish or whose old map was still in
 * use when the process stopped).
 *
 * <h2>Opening</h2>
 * With the marker, the map is opened as it is ({@link OpenState#CLEAN}). Without it the map is
 * recovered with exclusive access ({@code recoverPersistedTo(file, true)} with the configuration
 * the manifest recorded, or {@code false}, trusting the map's own header, if another Chronicle
 * Map version wrote it), which clears segment locks a killed process left held and drops torn
 * entries ({@link OpenState#RECOVERED}). A missing index gives an empty one
 * ({@link OpenState#CREATED}); an unreadable manifest or a missing, truncated, corrupt or
 * incompatible map is moved aside and the index starts empty ({@link OpenState#RESET}). Only a
 * failure to create a new map (disk full, no permission) or the index being open elsewhere
 * fails {@code open}.
 *
 * <h2>Growth</h2>
 * Chronicle Map cannot grow a file beyond about twice its declared entries, and a put past that
 * throws. This index counts its entries; at {@link IndexOptions#growAtFraction()} of the declared
 * number (by default once it exceeds it, about half the hard limit), or when long names make
 * segments spill into overflow tiers early, a background thread creates a map
 * {@link IndexOptions#growthFactor()} times larger in {@code F.map.N+1} and copies every entry
 * into it, segment by segment, while every write goes to both maps (see {@link ChronicleMaps});
 * then, holding writers off only while it renames a manifest naming the new map over {@code F},
 * it switches to it. The old map file is deleted once its last reader has left. Readers are
 * never held off. If the old map fills up before the copy ends, the writers that hit the limit
 * wait for the switch and retry; no {@link IllegalStateException} from Chronicle reaches a
 * caller.
 *
 * <h2>Concurrency contract</h2>
 * Every method may be called from any number of threads.
 * <ul>
 *   <li>{@link #get}, {@link #contains}, {@link #size}: lock-free with respect to the index (a
 *   reference count on the current map), never wait for a growth; they may wait a few
 *   microseconds for a Chronicle segment lock held by a writer of the same segment. A get that
 *   runs during a growth reads the old map, which receives every write until the switch.
 *   Linearizable: a get that starts after a put returned sees it.</li>
 *   <li>{@link #put}, {@link #remove}: run in parallel with each other (Chronicle segment
 *   locks). While a growth copies they write to both maps and may wait for the copy of their
 *   segment (a few thousand entries); they wait for the switch itself only while a manifest is
 *   renamed, and, rarely, for the whole growth when the old map filled up before the copy
 *   finished.</li>
 *   <li>{@link #forEach}, {@link #forEachWithPrefix}: weakly consistent, like the iterators of
 *   {@link java.util.concurrent.ConcurrentHashMap}: every entry present during the whole walk is visited once;
 *   concurrent changes may or may not be seen. One segment (a few thousand entries) is copied
 *   to the heap at a time and the visitor runs outside every lock, so it may put and remove. A
 *   walk keeps the map it started on mapped until it ends, even if a growth replaced it.</li>
 *   <li>{@link #close()}: waits for running operations and walks, cancels a running growth;
 *   later calls return at once; any other call after it throws {@link IllegalStateException}.
 *   Never call it from inside a visitor (it would wait for that walk).</li>
 * </ul>
 *
 * <p>Public for the store (another package) and for objmapper-examples'
 * index footprint benchmark ({@code examples/bench/index/IndexFootprint});
 * not API.
 */
public final class PersistentTierIndex implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PersistentTierIndex.class);

  private static final String MAP_FILE_INFIX = ".map.";

  /** Inserts between two looks at the map's remaining overflow tiers. */
  private static final int TIER_CHECK_INTERVAL = 1024;
  /** Growths a single write waits for before giving up (each at least {@code growthFactor} larger). */
  private static final int MAX_GROWTH_WAITS = 8;

  private static final int NONE = Integer.MIN_VALUE;

  private final Path file;
  private final Path cleanMarker;
  private final Path manifestTmp;
  private final Path asideFile;
  private final IndexOptions options;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final OpenState openState;
  private final Path movedAside;

  /** Writers hold it shared; a growth holds it exclusively to switch maps, close to drain. */
  private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
  private volatile Generation current;
  /** The map a growth copies into, which writes keep in step; set and cleared under the exclusive gate. */
  private ChronicleMaps.Mirror mirror;
  private final AtomicLong size = new AtomicLong();
  private final AtomicLong growths = new AtomicLong();
  /** Last map generation number used; each new map gets the next one, even if it is discarded. */
  private final AtomicLong generations;

  private final Object growthLock = new Object();
  private GrowthRun growthRun; // guarded by growthLock
  private volatile boolean growing;
  /** After a failed growth, the size at which the next try starts (not on every insert). */
  private volatile long nextGrowthAttemptSize;
  private volatile boolean closing; // set under growthLock
  private volatile boolean corrupted;
  private volatile boolean reconciled;

  private PersistentTierIndex(Path file, IndexOptions options, FileChannel lockChannel, FileLock lock,
      Opened opened) {
    this.file = file;
    this.cleanMarker = sibling(file, ".clean");
    this.manifestTmp = sibling(file, ".tmp");
    this.asideFile = sibling(file, ".corrupt");
    this.options = options;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.openState = opened.state;
    this.movedAside = opened.movedAside;
    this.current = opened.generation;
    this.generations = new AtomicLong(opened.generation.manifest.generation);
    this.size.set(opened.generation.map.longSize());
  }

  /** {@link #open(Path, IndexOptions)} with default options declared for {@code expectedEntries}. */
  public static PersistentTierIndex open(Path file, long expectedEntries) throws IOException {
    return open(file, IndexOptions.ofExpectedEntries(expectedEntries));
  }

  /**
   * Opens the index in {@code file}, creating, recovering or replacing it as needed; see
   * {@link #openState()} for what was found. The first open in a JVM takes about a second
   * (Chronicle Map generates and compiles code).
   *
   * @throws IOException if the index is open in another process or in this JVM, or if no new
   *     map file can be created
   */
  public static PersistentTierIndex open(Path file, IndexOptions options) throws IOException {
    return open(file, options, lock(file));
  }

  /** The lock of an index file, held: one process (and one index in it) at a time. */
  public record Held(FileChannel channel, FileLock lock) {}

  /**
   * Takes the lock of index {@code file} (its {@code .lock} sibling), so that it can be
   * opened later (in the background) by {@link #open(Path, IndexOptions, Held)}.
   *
   * @throws io.objmapper.StoreInUseException if another process or index in this JVM holds it
   */
  public static Held lock(Path file) throws IOException {
    Path abs = file.toAbsolutePath();
    Path parent = abs.getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    FileChannel lockChannel = FileChannel.open(sibling(abs, ".lock"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
    try {
      FileLock lock = lockChannel.tryLock();
      if (lock == null) {
        throw new io.objmapper.StoreInUseException("the index " + abs + " is in use by another process");
      }
      return new Held(lockChannel, lock);
    } catch (OverlappingFileLockException e) {
      lockChannel.close();
      throw new io.objmapper.StoreInUseException("the index " + abs + " is in use by another store in this process");
    } catch (IOException | RuntimeException e) {
      lockChannel.close();
      throw e;
    }
  }

  /** Opens index {@code file} whose lock {@code held} was taken by {@link #lock}; releases it on failure. */
  public static PersistentTierIndex open(Path file, IndexOptions options, Held held) throws IOException {
    Objects.requireNonNull(options, "options");
    long t0 = System.nanoTime();
    Path abs = file.toAbsolutePath();
    FileChannel lockChannel = held.channel();
    FileLock lock = held.lock();
    Opened opened = null;
    PersistentTierIndex index = null;
    try {
      opened = openMap(abs, options);
      index = new PersistentTierIndex(abs, options, lockChannel, lock, opened);
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      if (opened.state == OpenState.RESET) {
        LOG.warn("Opened tier index {} in {} ms: {} ({}); {}; a full scan is needed", abs, ms, opened.state,
            opened.reason, opened.movedAside == null ? "no map file to move aside"
                : "moved the unusable map to " + opened.movedAside);
      } else {
        LOG.info("Opened tier index {} in {} ms: {} ({}), {} entries, declared for {}",
            abs, ms, opened.state, opened.reason, index.size(), index.capacity());
      }
      if (options.expectedEntries() > index.capacity()) {
        index.requestGrowth(options.expectedEntries(), "configured for " + options.expectedEntries() + " entries");
      }
      return index;
    } catch (IOException | RuntimeException | Error e) {
      if (index != null) {
        index.close();
        throw e;
      }
      if (opened != null) {
        closeQuietly(opened.generation.map);
      }
      if (lock != null) {
        try {
          lock.release();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      lockChannel.close();
      throw e;
    }
  }

  // ---------------------------------------------------------------- reads

  /**
   * Fills {@code into} with the entry for {@code name}. Allocates nothing.
   *
   * @return {@code false} (and {@code into} unchanged) if the index has no entry for it
   * @throws IndexCorruptedException if the map file turned out to be damaged
   */
  public boolean get(String name, IndexEntry into) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(into, "into");
    Generation g = acquire();
    try {
      return g.map.getUsing(name, into) != null;
    } catch (RuntimeException e) {
      throw corrupted(e);
    } finally {
      g.release();
    }
  }

  /** The entry for {@code name} in a new holder, or {@code null} if there is none. */
  public IndexEntry get(String name) {
    IndexEntry e = new IndexEntry();
    return get(name, e) ? e : null;
  }

  /** True if the index has an entry for {@code name}. Allocates nothing. */
  public boolean contains(String name) {
    Objects.requireNonNull(name, "name");
    Generation g = acquire();
    try {
      return g.map.containsKey(name);
    } catch (RuntimeException e) {
      throw corrupted(e);
    } finally {
      g.release();
    }
  }

  /** Number of entries (kept as a counter: no pass over the map). */
  public long size() {
    return size.get();
  }

  /** Entries the current map file is declared for; grows with the index. */
  public long capacity() {
    return current.capacity;
  }

  /** Growths completed since open. */
  public long growths() {
    return growths.get();
  }

  /**
   * Visits every entry; see the class comment for consistency. Cost: one pass over the whole
   * map (about 1M entries/s on one thread), one segment of entries on the heap at a time.
   *
   * @return the number of entries visited
   */
  public long forEach(EntryVisitor visitor) {
    return walk(null, visitor);
  }

  /**
   * Visits the entries whose name starts with {@code prefix} (for listing {@code /photos/2024/}).
   * The map is a hash table, so this is a pass over the <em>whole</em> index whatever the prefix:
   * O(entries), about 1M entries/s on one thread, though only matching names are decoded into
   * strings. Meant for administrative listing, not for the request path.
   *
   * @return the number of entries visited
   */
  public long forEachWithPrefix(String prefix, EntryVisitor visitor) {
    return walk(prefix.getBytes(StandardCharsets.UTF_8), visitor);
  }

  // ---------------------------------------------------------------- writes

  /**
   * Sets the entry for {@code name}, a valid object name ({@link ObjectNames#validate}).
   *
   * @return {@code true} if the name was new, {@code false} if an entry was replaced
   * @throws io.objmapper.spi.InvalidObjectNameException if {@code name} is not a valid name
   * @throws UncheckedIOException if the write failed for lack of disk space, or the index is
   *     full and could not grow
   * @throws IndexCorruptedException if the map file turned out to be damaged
   */
  public boolean put(String name, IndexEntry entry) {
    ObjectNames.validate(name);
    Objects.requireNonNull(entry, "entry");
    return write((map, m) -> ChronicleMaps.put(map, name, entry, m)) == ChronicleMaps.ADDED;
  }

  /**
   * Removes the entry for {@code name}.
   *
   * @return {@code true} if there was one
   * @throws IndexCorruptedException if the map file turned out to be damaged
   */
  public boolean remove(String name) {
    Objects.requireNonNull(name, "name");
    return write((map, m) -> ChronicleMaps.remove(map, name, m)) == ChronicleMaps.REMOVED;
  }

  // ---------------------------------------------------------------- state

  /** What open found: whether the entries can be trusted, need reconciliation or a full scan. */
  public OpenState openState() {
    return openState;
  }

  /**
   * True until a {@link #reconcile} completes if the index was not {@link OpenState#CLEAN} at
   * open, and again once the file turned out to be damaged.
   */
  public boolean needsReconciliation() {
    return corrupted || (openState != OpenState.CLEAN && !reconciled);
  }

  /** Where open moved an unusable index file, if it did ({@link OpenState#RESET}). */
  public Optional<Path> movedAside() {
    return Optional.ofNullable(movedAside);
  }

  /** The index file (absolute): the manifest naming the current map file. */
  public Path file() {
    return file;
  }

  /** The current map file (absolute); changes when the index grows. */
  public Path mapFile() {
    return current.mapFile;
  }

  /**
   * Makes the index match the tier's files: entries whose file vanished are dropped, files the
   * index lacks are added, changed sizes, modification times and identities are updated (flags
   * are kept). Runs while the index serves lookups and writes. Logs one line at start and end
   * and a progress line every few seconds.
   *
   * <p>An entry is dropped only after its file is looked up again ({@link TierFiles#stat}) while
   * the entry is locked, and found missing: a file the scan missed, or one created meanwhile,
   * keeps its entry. If the scan fails nothing is dropped. Unless the index was empty at the
   * start (a rebuild), the heap holds 8 bytes per scanned file while this runs.
   *
   * @throws IOException if the scan fails; entries added or updated until then stay
   */
  public ReconcileReport reconcile(TierFiles files) throws IOException {
    ReconcileReport report = new Reconciler(this, files).run();
    reconciled = true;
    return report;
  }

  @Override
  public String toString() {
    return "PersistentTierIndex{" + file + ", " + openState + ", size=" + size.get() + ", capacity="
        + current.capacity + '}';
  }

  /**
   * Waits for running operations, cancels a running growth, closes the map, forces it to disk
   * and writes the clean-shutdown marker (or, if the file turned out to be damaged, moves it
   * aside instead). Idempotent.
   */
  @Override
  public void close() {
    GrowthRun run;
    synchronized (growthLock) {
      if (closing) {
        return;
      }
      closing = true;
      run = growthRun;
    }
    long t0 = System.nanoTime();
    if (run != null) {
      run.cancelled = true;
      joinUninterruptibly(run.thread);
    }
    gate.writeLock().lock();
    try {
      Generation g = current;
      g.release();
      g.awaitClosed();
      if (corrupted) {
        moveAside();
      } else {
        writeCleanMarker();
      }
    } finally {
      gate.writeLock().unlock();
      try {
        lock.release();
        lockChannel.close();
      } catch (IOException e) {
        LOG.warn("Could not release the lock of tier index {}: {}", file, e.toString());
      }
    }
    LOG.info("Closed tier index {} in {} ms: {} entries", file,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), size.get());
  }

  // ---------------------------------------------------------------- used by Reconciler

  /** {@link ChronicleMaps#merge}: adds or updates from a scan, keeping flags. */
  int mergeScanned(String name, IndexEntry scanned) {
    IndexEntry scratch = new IndexEntry();
    return write((map, m) -> ChronicleMaps.merge(map, name, scanned, scratch, m));
  }

  /**
   * Removes {@code name} if its entry still equals {@code expected} and {@code check}, run while
   * the entry is locked, says the file is gone.
   */
  boolean removeIfGone(String name, IndexEntry expected, ChronicleMaps.FileCheck check) {
    IndexEntry scratch = new IndexEntry();
    return write((map, m) -> ChronicleMaps.removeIfGone(map, name, expected, scratch, check, m))
        == ChronicleMaps.REMOVED;
  }

  // ---------------------------------------------------------------- internals

  private Generation acquire() {
    for (;;) {
      Generation g = current;
      if (g.tryAcquire()) {
        return g;
      }
      if (closing) {
        throw closedException();
      }
      Thread.onSpinWait(); // a growth just switched maps: the next read of current sees the new one
    }
  }

  private interface MapWrite {
    /** Writes to {@code map} keeping {@code mirror} (may be null) in step; ADDED, UPDATED, UNCHANGED or REMOVED. */
    int apply(ChronicleMap<String, IndexEntry> map, ChronicleMaps.Mirror mirror);
  }

  private int write(MapWrite op) {
    for (int waits = 0;; waits++) {
      GrowthRun waitFor;
      lockGateForWrite();
      try {
        if (closing) {
          throw closedException();
        }
        Generation g = current;
        int result = NONE;
        try {
          result = op.apply(g.map, mirror);
        } catch (IllegalStateException e) {
          if (!isFull(g, e)) {
            throw failed(e);
          }
        } catch (RuntimeException e) {
          throw failed(e);
        }
        if (result != NONE) {
          if (result == ChronicleMaps.ADDED) {
            afterInsert(g);
          } else if (result == ChronicleMaps.REMOVED) {
            size.decrementAndGet();
          }
          return result;
        }
        if (waits >= MAX_GROWTH_WAITS) {
          throw new UncheckedIOException(new IOException("tier index " + file + " is full after "
              + waits + " growths (" + size.get() + " entries)"));
        }
        waitFor = requestGrowth(grownCapacity(g), "full");
        if (waitFor == null) {
          throw closedException();
        }
      } finally {
        gate.readLock().unlock();
      }
      awaitGrowth(waitFor);
    }
  }

  /**
   * Takes the gate's read lock for a write, giving up once the index is closing: close()
   * holds the write lock while it waits for walks to end, and a walk's visitor may write.
   */
  private void lockGateForWrite() {
    for (;;) {
      try {
        if (gate.readLock().tryLock(1, TimeUnit.MILLISECONDS)) {
          return;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw closedException();
      }
      if (closing) {
        throw closedException();
      }
    }
  }

  private boolean isFull(Generation g, IllegalStateException e) {
    if (e instanceof ChronicleHashClosedException) {
      return false;
    }
    try {
      return g.map.remainingAutoResizes() == 0;
    } catch (RuntimeException unreadable) {
      return false;
    }
  }

  private void afterInsert(Generation g) {
    long s = size.incrementAndGet();
    if (growing) {
      return;
    }
    if (s > g.growAt && s >= nextGrowthAttemptSize) {
      requestGrowth(grownCapacity(g), s + " entries");
    } else if (s % TIER_CHECK_INTERVAL == 0 && g.map.remainingAutoResizes() < g.tierAlarm) {
      requestGrowth(grownCapacity(g), "overflow tiers in use (names longer than declared)");
    }
  }

  private long grownCapacity(Generation g) {
    return (long) Math.ceil(g.capacity * options.growthFactor());
  }

  private void awaitGrowth(GrowthRun run) {
    try {
      run.done.join();
    } catch (CancellationException | CompletionException e) {
      if (closing) {
        throw closedException();
      }
      // The growth failed: write() asks for another one, up to MAX_GROWTH_WAITS.
    }
  }

  private static final class GrowthRun {
    final CompletableFuture<Void> done = new CompletableFuture<>();
    Thread thread;
    volatile boolean cancelled;
  }

  /** Starts a growth to at least {@code minCapacity} unless one runs; null once closing. */
  private GrowthRun requestGrowth(long minCapacity, String reason) {
    synchronized (growthLock) {
      if (closing) {
        return null;
      }
      if (growthRun != null) {
        return growthRun;
      }
      GrowthRun run = new GrowthRun();
      Thread t = new Thread(() -> grow(run, minCapacity, reason), "objmapper-index-grow-" + file.getFileName());
      t.setDaemon(true);
      run.thread = t;
      growthRun = run;
      growing = true;
      t.start();
      return run;
    }
  }

  private void grow(GrowthRun run, long minCapacity, String reason) {
    long t0 = System.nanoTime();
    Generation old = current;
    ChronicleMap<String, IndexEntry> next = null;
    Path nextFile = null;
    Throwable failure = null;
    try {
      long target = Math.max(Math.max(minCapacity, options.expectedEntries()),
          (long) Math.ceil(size.get() * options.growthFactor()));
      double averageKey = averageKeySize(old.map);
      LOG.info("Growing tier index {} ({}): {} entries, declared for {} -> {}, average name {} bytes",
          file, reason, size.get(), old.capacity, target, averageKey);
      long generation = generations.incrementAndGet();
      nextFile = mapFileOf(file, generation);
      Files.deleteIfExists(nextFile);
      next = ChronicleMaps.builder(target, averageKey).createPersistedTo(nextFile.toFile());
      IndexManifest manifest = IndexManifest.describe(nextFile, generation, target, averageKey);
      ChronicleMaps.Mirror writesDuringCopy = new ChronicleMaps.Mirror(next);
      gate.writeLock().lock();
      try {
        mirror = writesDuringCopy;
      } finally {
        gate.writeLock().unlock();
      }
      long copied = copyAll(old.map, next, run);
      gate.writeLock().lock();
      try {
        if (run.cancelled) {
          throw new CancellationException("index closing");
        }
        if (writesDuringCopy.failure() != null) {
          throw new IOException("a write during the copy could not be applied to the new map",
              writesDuringCopy.failure());
        }
        manifest.install(file, manifestTmp); // the switch: from here on a restart opens the new map
        current = new Generation(next, manifest, nextFile, target, options.growAtFraction());
        next = null;
      } finally {
        mirror = null;
        gate.writeLock().unlock();
      }
      old.replaceAndRelease();
      growths.incrementAndGet();
      nextGrowthAttemptSize = 0;
      LOG.info("Grew tier index {} in {} ms: declared for {}, {} entries copied, {} writes mirrored meanwhile",
          file, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), target, copied, writesDuringCopy.writes.sum());
    } catch (Throwable e) {
      failure = e;
      if (run.cancelled) {
        LOG.info("Growth of tier index {} cancelled by close", file);
      } else {
        nextGrowthAttemptSize = size.get() + Math.max(TIER_CHECK_INTERVAL, old.capacity / 16);
        LOG.warn("Could not grow tier index {}: {}", file, e.toString(), e);
      }
    } finally {
      if (next != null) {
        gate.writeLock().lock(); // close() joins this thread before taking the gate: no deadlock
        try {
          mirror = null; // before closing the map writes were mirrored to
        } finally {
          gate.writeLock().unlock();
        }
        discard(next, nextFile);
      }
      synchronized (growthLock) {
        growthRun = null;
        growing = false;
      }
      if (failure == null) {
        run.done.complete(null);
      } else {
        run.done.completeExceptionally(failure);
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

  private static long copyAll(ChronicleMap<String, IndexEntry> from, ChronicleMap<String, IndexEntry> to,
      GrowthRun run) {
    long copied = 0;
    for (int s = 0, n = from.segments(); s < n; s++) {
      if (run.cancelled) {
        throw new CancellationException("index closing");
      }
      copied += ChronicleMaps.copySegment(from, s, to);
    }
    return copied;
  }

  private void discard(ChronicleMap<String, IndexEntry> map, Path mapFile) {
    try {
      map.close();
      Files.deleteIfExists(mapFile);
      Files.deleteIfExists(manifestTmp);
    } catch (IOException | RuntimeException e) {
      LOG.warn("Could not delete {}: {}", mapFile, e.toString());
    }
  }

  private long walk(byte[] prefix, EntryVisitor visitor) {
    Objects.requireNonNull(visitor, "visitor");
    Generation g = acquire();
    try {
      ChronicleMap<String, IndexEntry> map = g.map;
      SegmentBuffer buf = new SegmentBuffer();
      IndexEntry holder = new IndexEntry();
      long visited = 0;
      for (int s = 0, n = map.segments(); s < n; s++) {
        buf.clear();
        try (MapSegmentContext<String, IndexEntry, ?> c = map.segmentContext(s)) {
          c.forEachSegmentEntry(e -> {
            Data<String> key = e.key();
            if (prefix == null || startsWith(key, prefix)) {
              buf.add(key.getUsing(null), e.value().getUsing(holder));
            }
          });
        } catch (RuntimeException e) {
          throw corrupted(e);
        }
        for (int i = 0; i < buf.count; i++) {
          visited++;
          if (!visitor.visit(buf.names[i], buf.entry(i, holder))) {
            return visited;
          }
        }
      }
      return visited;
    } finally {
      g.release();
    }
  }

  private static boolean startsWith(Data<String> key, byte[] prefix) {
    if (key.size() < prefix.length) {
      return false;
    }
    long offset = key.offset();
    for (int i = 0; i < prefix.length; i++) {
      if (key.bytes().readByte(offset + i) != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  /** One segment's matching entries, copied out so that visitors run outside the segment lock. */
  private static final class SegmentBuffer {
    String[] names = new String[64];
    long[] sizes = new long[64];
    long[] mtimes = new long[64];
    int[] fileKeys = new int[64];
    int[] flags = new int[64];
    int count;

    void clear() {
      Arrays.fill(names, 0, count, null);
      count = 0;
    }

    void add(String name, IndexEntry e) {
      if (count == names.length) {
        int n = count * 2;
        names = Arrays.copyOf(names, n);
        sizes = Arrays.copyOf(sizes, n);
        mtimes = Arrays.copyOf(mtimes, n);
        fileKeys = Arrays.copyOf(fileKeys, n);
        flags = Arrays.copyOf(flags, n);
      }
      names[count] = name;
      sizes[count] = e.size();
      mtimes[count] = e.mtimeMillis();
      fileKeys[count] = e.fileKeyHash();
      flags[count] = e.flags();
      count++;
    }

    IndexEntry entry(int i, IndexEntry into) {
      return into.set(sizes[i], mtimes[i], fileKeys[i], flags[i]);
    }
  }

  /**
   * What a write that failed inside Chronicle Map throws: an I/O failure (disk full while
   * allocating an overflow tier) as such, anything else as damage to the file.
   */
  private RuntimeException failed(RuntimeException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IOException) {
        return new UncheckedIOException("tier index " + file + ": write failed", (IOException) t);
      }
    }
    return corrupted(e);
  }

  private IndexCorruptedException corrupted(RuntimeException e) {
    if (e instanceof IndexCorruptedException) {
      return (IndexCorruptedException) e;
    }
    if (!corrupted) {
      corrupted = true;
      LOG.error("Tier index {} is damaged; it will be moved aside on close and the next open starts empty", file, e);
    }
    return new IndexCorruptedException(file, e);
  }

  private IllegalStateException closedException() {
    return new IllegalStateException("tier index " + file + " is closed");
  }

  private void writeCleanMarker() {
    try {
      try (FileChannel ch = FileChannel.open(current.mapFile, StandardOpenOption.WRITE)) {
        ch.force(true); // pages written through the mapping reach the disk before the marker does
      }
      Files.write(cleanMarker, "clean\n".getBytes(StandardCharsets.US_ASCII));
      try (FileChannel ch = FileChannel.open(cleanMarker, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
    } catch (IOException e) {
      LOG.warn("Could not write {}: the next open will recover the index: {}", cleanMarker, e.toString());
    }
  }

  /** Moves the damaged current map aside; the manifest stays, so the next open reports a reset. */
  private void moveAside() {
    try {
      Files.move(current.mapFile, asideFile, StandardCopyOption.REPLACE_EXISTING);
      LOG.warn("Moved damaged tier index map {} to {}: the next open starts empty", current.mapFile, asideFile);
    } catch (IOException e) {
      LOG.warn("Could not move damaged tier index map {} aside; the next open will recover it: {}",
          current.mapFile, e.toString());
    }
  }

  private static void joinUninterruptibly(Thread t) {
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

  static Path sibling(Path file, String suffix) {
    return file.resolveSibling(file.getFileName() + suffix);
  }

  /** The map file of generation {@code generation}. */
  static Path mapFileOf(Path file, long generation) {
    return sibling(file, MAP_FILE_INFIX + generation);
  }

  /**
   * Deletes the map files of {@code file} other than {@code keep} (may be null): left by a growth
   * that did not finish, or replaced while a reader still used them when the process stopped.
   */
  private static void deleteOtherMaps(Path file, Path keep) throws IOException {
    String prefix = file.getFileName() + MAP_FILE_INFIX;
    try (DirectoryStream<Path> maps = Files.newDirectoryStream(file.getParent(),
        p -> p.getFileName().toString().startsWith(prefix))) {
      for (Path p : maps) {
        if (!p.equals(keep)) {
          LOG.info("Deleting {}: not the current map of tier index {}", p, file);
          Files.deleteIfExists(p);
        }
      }
    }
  }

  // ---------------------------------------------------------------- opening

  private static final class Opened {
    final Generation generation;
    final OpenState state;
    final String reason;
    final Path movedAside;

    Opened(Generation generation, OpenState state, String reason, Path movedAside) {
      this.generation = generation;
      this.state = state;
      this.reason = reason;
      this.movedAside = movedAside;
    }
  }

  private static Opened openMap(Path file, IndexOptions options) throws IOException {
    Path marker = sibling(file, ".clean");
    Files.deleteIfExists(sibling(file, ".tmp"));
    boolean clean = Files.exists(marker);
    if (!Files.exists(file)) {
      deleteOtherMaps(file, null);
      Files.deleteIfExists(marker);
      return create(file, options, 0, OpenState.CREATED, "no index file", null);
    }
    IndexManifest manifest;
    try {
      manifest = IndexManifest.read(file);
    } catch (IOException e) {
      deleteOtherMaps(file, null);
      Files.deleteIfExists(marker);
      return create(file, options, 0, OpenState.RESET, e.getMessage(), null);
    }
    Path mapFile = manifest.mapPath(file);
    deleteOtherMaps(file, mapFile);
    String problem = precheck(mapFile, manifest);
    if (problem == null) {
      ChronicleMap<String, IndexEntry> map = null;
      OpenState state = OpenState.RECOVERED;
      String how;
      ChronicleMapBuilder<String, IndexEntry> builder =
          ChronicleMaps.builder(manifest.entries, manifest.averageKeySize);
      try {
        if (clean) {
          map = builder.createPersistedTo(mapFile.toFile());
          state = OpenState.CLEAN;
          how = "closed cleanly";
        } else if (manifest.allowsSameConfigRecovery()) {
          map = builder.recoverPersistedTo(mapFile.toFile(), true);
          how = "not closed cleanly, recovered";
        } else {
          map = builder.recoverPersistedTo(mapFile.toFile(), false);
          how = "not closed cleanly, written by Chronicle Map " + manifest.chronicleVersion
              + ", recovered with the configuration in its header";
        }
      } catch (IOException | RuntimeException | InternalError e) {
        map = null;
        how = null;
        problem = e.toString();
      }
      if (map != null) {
        try {
          Files.deleteIfExists(marker); // from now on a crash must lead to recovery
        } catch (IOException e) {
          closeQuietly(map);
          throw e;
        }
        Generation g = new Generation(map, manifest, mapFile, manifest.entries, options.growAtFraction());
        return new Opened(g, state, how, null);
      }
    }
    Path aside = null;
    if (Files.exists(mapFile)) {
      aside = sibling(file, ".corrupt");
      Files.move(mapFile, aside, StandardCopyOption.REPLACE_EXISTING);
    }
    Files.deleteIfExists(marker);
    return create(file, options, manifest.generation, OpenState.RESET, problem, aside);
  }

  /** Why the map file cannot be opened without even trying, or null. */
  private static String precheck(Path mapFile, IndexManifest manifest) throws IOException {
    if (manifest.format != IndexManifest.FORMAT) {
      return "format " + manifest.format + ", expected " + IndexManifest.FORMAT;
    }
    return manifest.problemWith(mapFile);
  }

  /** Creates an empty map of the generation after {@code lastGeneration} and installs its manifest. */
  private static Opened create(Path file, IndexOptions options, long lastGeneration, OpenState state, String reason,
      Path aside) throws IOException {
    long generation = lastGeneration + 1;
    Path mapFile = mapFileOf(file, generation);
    long entries = options.expectedEntries();
    double averageKey = options.averageNameBytes();
    Files.deleteIfExists(mapFile);
    ChronicleMap<String, IndexEntry> map =
        ChronicleMaps.builder(entries, averageKey).createPersistedTo(mapFile.toFile());
    try {
      IndexManifest manifest = IndexManifest.describe(mapFile, generation, entries, averageKey);
      manifest.install(file, sibling(file, ".tmp"));
      Generation g = new Generation(map, manifest, mapFile, entries, options.growAtFraction());
      return new Opened(g, state, reason, aside);
    } catch (IOException | RuntimeException e) {
      closeQuietly(map);
      Files.deleteIfExists(mapFile);
      throw e;
    }
  }

  private static void closeQuietly(ChronicleMap<?, ?> map) {
    try {
      map.close();
    } catch (RuntimeException e) {
      LOG.debug("Closing a map that failed to open: {}", e.toString());
    }
  }
}
