package io.objmapper.internal.index;

import io.objmapper.spi.ObjectNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongSupplier;
import net.openhft.chronicle.hash.ChronicleHashClosedException;
import net.openhft.chronicle.map.ChronicleMap;
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
 * file {@code F.map.N} and how it was created. Next to them ({@link IndexFiles}): {@code F.clean}
 * (written by {@link #close()} with the map's length and checksum, see {@link CleanMarker};
 * deleted by open: its absence means the last run did not stop cleanly), {@code F.lock} (held
 * while open: one process at a time), {@code F.tmp} (a manifest being written) and
 * {@code F.damaged-<UTC time>} (map files moved aside for inspection, the newest two kept). Map
 * files are never renamed while open (Chronicle Map keeps using the path it created a file at);
 * open deletes map files the manifest does not name (left by a growth that did not finish or
 * whose old map was still in use when the process stopped).
 *
 * <h2>Opening: a damaged index is a cache to rebuild</h2>
 * Chronicle Map trusts the offsets and sizes in its file; damaged bytes can make it crash the
 * JVM (SIGSEGV), in recovery as in plain use. So a map file is opened only if the last run
 * closed it cleanly and every byte is as that close left it (the marker's checksum, one
 * sequential read), and the manifest's checks pass (format, Chronicle Map version, length,
 * header checksum): {@link OpenState#CLEAN}. Otherwise (a crash, {@code kill -9}, a damaged or
 * truncated file, another version) the map is moved aside unread and the index starts empty, to
 * be rebuilt from a scan of the tier ({@link OpenState#RESET}, {@link #movedAside()}); a missing
 * index also starts empty ({@link OpenState#CREATED}). Flags kept only in the index (PINNED) do
 * not survive a rebuild. Only a failure to create a new map (disk full, no permission:
 * {@link io.objmapper.StorageException} naming the file) or the index being open elsewhere fails
 * {@code open}.
 *
 * <p>Damage found while in use (an operation failing inside Chronicle Map for a reason other
 * than capacity; an {@link InternalError}, the JVM's report of a fault on a page of the mapping
 * whose file was cut short; or the map file found shorter than it was, see {@link MapLength})
 * throws {@link IndexCorruptedException} to the reader, who asks the tier instead, and starts a
 * replacement; a map known damaged is not touched again, and a close never marks it clean. An
 * empty map takes the damaged one's place (writes wait for that switch and then go to the new
 * map), the damaged file is moved aside once its last reader left, and the listener given to
 * {@link #onReplaced} is told so that it rebuilds the index from the tier.
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
 *   locks). While a growth copies they write to both maps and wait, parked on the gate, while
 *   one segment (a few thousand entries) is copied; they wait for the switch itself only while a manifest is
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

  /** Growths or replacements a single write waits for before giving up. */
  private static final int MAX_GROWTH_WAITS = 8;

  private static final int NONE = Integer.MIN_VALUE;

  private final Path file;
  private final Path cleanMarker;
  private final IndexOptions options;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final OpenState openState;
  private final Path movedAside;
  private final IndexGrowth growth;
  private final LongSupplier nanoClock;

  /**
   * Writers hold it shared; a growth holds it exclusively while it copies one segment and to
   * switch maps, close to drain.
   */
  final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
  volatile Generation current;
  /** The map a growth copies into, which writes keep in step; set and cleared under the exclusive gate. */
  ChronicleMaps.Mirror mirror;
  private final AtomicLong size = new AtomicLong();
  final AtomicLong growths = new AtomicLong();
  private final AtomicLong replacements = new AtomicLong();
  /** Last map generation number used; each new map gets the next one, even if it is discarded. */
  final AtomicLong generations;

  volatile boolean closing; // set by IndexGrowth.stop under its lock
  private final AtomicBoolean closeCalled = new AtomicBoolean();
  private volatile boolean corrupted;
  /** False while the entries may lack files of the tier (until a reconcile after open or a replacement). */
  private volatile boolean trusted;
  private volatile Runnable replacedListener = () -> {};

  private PersistentTierIndex(Path file, IndexOptions options, FileChannel lockChannel, FileLock lock,
      IndexOpener.Opened opened) {
    this.file = file;
    this.cleanMarker = IndexFiles.cleanMarker(file);
    this.options = options;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.openState = opened.state;
    this.movedAside = opened.movedAside;
    this.trusted = opened.state.trusted();
    this.current = opened.generation;
    this.generations = new AtomicLong(opened.generation.manifest.generation);
    this.size.set(opened.generation.map.longSize());
    this.growth = new IndexGrowth(this, file, options);
    this.nanoClock = options.nanoClock();
  }

  /** {@link #open(Path, IndexOptions)} with default options, declared for {@code expectedEntries}. */
  public static PersistentTierIndex open(Path file, long expectedEntries) throws IOException {
    return open(file, IndexOptions.ofExpectedEntries(expectedEntries));
  }

  /**
   * Opens the index in {@code file}, creating or replacing it as needed; see
   * {@link #openState()} for what was found. The first open in a JVM takes about a second
   * (Chronicle Map generates and compiles code).
   *
   * @throws IOException if the index is open in another process or in this JVM
   * @throws io.objmapper.StorageException naming the map file if no new map file can be created
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
    return IndexFiles.lock(file);
  }

  /** Opens index {@code file} whose lock {@code held} was taken by {@link #lock}; releases it on failure. */
  public static PersistentTierIndex open(Path file, IndexOptions options, Held held) throws IOException {
    Objects.requireNonNull(options, "options");
    long t0 = System.nanoTime();
    Path abs = file.toAbsolutePath();
    IndexOpener.Opened opened = null;
    PersistentTierIndex index = null;
    try {
      opened = IndexOpener.openMap(abs, options);
      index = new PersistentTierIndex(abs, options, held.channel(), held.lock(), opened);
      index.logOpened(opened, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
      if (options.expectedEntries() > index.capacity()) {
        index.growth.request(false, options.expectedEntries(), "configured for " + options.expectedEntries() + " entries");
      }
      return index;
    } catch (IOException | RuntimeException | Error e) {
      if (index != null) {
        index.close();
        throw e;
      }
      if (opened != null) {
        IndexOpener.closeQuietly(opened.generation.map);
        opened.generation.length.close(); // its own descriptor of the map file
      }
      try {
        held.lock().release();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      held.channel().close();
      throw e;
    }
  }

  private void logOpened(IndexOpener.Opened opened, long ms) {
    if (opened.state == OpenState.RESET) {
      LOG.warn("Opened tier index {} in {} ms: {} ({}); {}; it is rebuilt from a scan of the tier", file, ms,
          opened.state, opened.reason, opened.movedAside == null ? "no map file to move aside"
              : "moved the map file, unread, to " + opened.movedAside);
    } else {
      LOG.info("Opened tier index {} in {} ms: {} ({}), {} entries, declared for {}",
          file, ms, opened.state, opened.reason, size(), capacity());
    }
  }

  /**
   * Fills {@code into} with the entry for {@code name}. Allocates nothing.
   *
   * @return {@code false} (and {@code into} unchanged) if the index has no entry for it
   * @throws IndexCorruptedException if the map file turned out to be damaged (a replacement is
   *     then on its way)
   */
  public boolean get(String name, IndexEntry into) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(into, "into");
    Generation g = acquireIntact();
    try {
      return g.map.getUsing(name, into) != null;
    } catch (RuntimeException e) {
      throw corrupted(g, e);
    } catch (InternalError e) {
      throw corrupted(g, new MapLength.MapAccessFault(e));
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
    Generation g = acquireIntact();
    try {
      return g.map.containsKey(name);
    } catch (RuntimeException e) {
      throw corrupted(g, e);
    } catch (InternalError e) {
      throw corrupted(g, new MapLength.MapAccessFault(e));
    } finally {
      g.release();
    }
  }

  /** Number of entries (kept as a counter: O(1)). */
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

  /** Damaged maps replaced by empty ones since open. */
  public long replacements() {
    return replacements.get();
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

  private long walk(byte[] prefix, EntryVisitor visitor) {
    Objects.requireNonNull(visitor, "visitor");
    Generation g = acquireIntact();
    try {
      // The length is looked at before each segment: a walk is long, and allocates anyway.
      return SegmentWalk.walk(g.map, ChronicleMaps.walkBound(g.capacity), prefix, visitor,
          () -> g.length.shrunk() ? g.length.truncated() : null, e -> corrupted(g, e));
    } finally {
      g.release();
    }
  }

  /**
   * Sets the entry for {@code name}, a valid object name ({@link ObjectNames#validate}).
   *
   * @return {@code true} if the name was new, {@code false} if an entry was replaced
   * @throws io.objmapper.spi.InvalidObjectNameException if {@code name} is not a valid name
   * @throws UncheckedIOException if the write failed for lack of disk space, or the index is
   *     full and could not grow
   * @throws IndexCorruptedException if the map file turned out to be damaged and could not be
   *     replaced
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
   * @throws IndexCorruptedException if the map file turned out to be damaged and could not be
   *     replaced
   */
  public boolean remove(String name) {
    Objects.requireNonNull(name, "name");
    return write((map, m) -> ChronicleMaps.remove(map, name, m)) == ChronicleMaps.REMOVED;
  }

  /** What open found: whether the entries can be trusted or need a full scan. */
  public OpenState openState() {
    return openState;
  }

  /**
   * True until a {@link #reconcile} completes if the index was not {@link OpenState#CLEAN} at
   * open, again once the file turned out to be damaged, and after its replacement until the
   * next reconcile.
   */
  public boolean needsReconciliation() {
    return corrupted || !trusted;
  }

  /**
   * Waits until a map found damaged is replaced by an empty one and the listener given to
   * {@link #onReplaced} has run (it starts the rebuild); returns at once if no map is known
   * damaged and no replacement runs. For a listing that waits for the rebuild rather than walk
   * the tier's files itself.
   */
  public void awaitReplacement() {
    for (int i = 0; i < MAX_GROWTH_WAITS; i++) {
      Generation g = current;
      IndexGrowth.Run r = g.damaged ? growth.request(true, g.capacity, "damaged") : growth.replacing();
      if (r == null) {
        if (g.damaged) {
          throw closedException();
        }
        return;
      }
      awaitRun(r);
    }
  }

  /** Where open moved an unusable map file, unread, if it did ({@link OpenState#RESET}). */
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
   * Sets what runs (on the replacing thread) each time a damaged map was replaced by an empty
   * one: the owner rebuilds the index from the tier ({@link #reconcile}).
   */
  public void onReplaced(Runnable listener) {
    this.replacedListener = Objects.requireNonNull(listener, "listener");
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
    long replacedBefore = replacements.get();
    ReconcileReport report = new Reconciler(this, files).run();
    if (replacements.get() == replacedBefore) {
      trusted = true;
    }
    return report;
  }

  /**
   * Fills an index that starts empty ({@link OpenState#needsFullScan()}) from one scan of
   * {@code files}, sized for what the scan finds, while nothing else uses it (the store calls it
   * while it opens): see {@link Rebuilder}. Unlike {@link #reconcile} (which grows the map as
   * it goes, copying every entry at each growth), the map grows at most once. Logs one line at
   * start and end and a progress line every few seconds.
   *
   * @throws IllegalStateException if the index is not empty
   * @throws IOException if the scan fails; the index then stays untrusted
   */
  public ReconcileReport rebuild(TierFiles files) throws IOException {
    if (size() != 0) {
      throw new IllegalStateException("tier index " + file + " is not empty: reconcile it instead");
    }
    long replacedBefore = replacements.get();
    ReconcileReport report = new Rebuilder(this, files, IndexFiles.rebuildSpill(file)).run();
    if (replacements.get() == replacedBefore) {
      trusted = true;
    }
    return report;
  }

  /** Entries below which an insert into the current map starts no growth. */
  long roomBeforeGrowth() {
    return current.growAt;
  }

  /** Grows the map now, if needed, until it is declared for at least {@code entries}; waits for it. */
  void ensureCapacity(long entries) {
    for (int i = 0; i < MAX_GROWTH_WAITS && current.capacity < entries; i++) {
      IndexGrowth.Run r = growth.request(false, entries, "a rebuild found " + entries * 4 / 5 + " files");
      if (r == null) {
        throw closedException();
      }
      awaitRun(r);
    }
  }

  @Override
  public String toString() {
    return "PersistentTierIndex{" + file + ", " + openState + ", size=" + size.get() + ", capacity="
        + current.capacity + '}';
  }

  /**
   * True if index {@code file} was closed cleanly last time (its manifest and clean-shutdown
   * marker exist), so that {@link #open} will most likely find it {@link OpenState#CLEAN}
   * without a rebuild; false if open will certainly start empty. Reads no map.
   */
  public static boolean closedCleanly(Path file) {
    return Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)
        && Files.isRegularFile(IndexFiles.cleanMarker(file), java.nio.file.LinkOption.NOFOLLOW_LINKS);
  }

  /**
   * Waits for running operations, cancels a running growth, closes the map, forces it to disk
   * and writes the clean-shutdown marker (or, if the file turned out to be damaged, moves it
   * aside instead). Idempotent.
   */
  @Override
  public void close() {
    close(true);
  }

  /**
   * As {@link #close()}, but without the clean-shutdown marker, so that the next open starts
   * empty and is rebuilt: for an index that may lack files of its tier (a rebuild that did not
   * finish). Idempotent; after {@link #close()} it does nothing.
   */
  public void closeIncomplete() {
    close(false);
  }

  private void close(boolean complete) {
    if (!closeCalled.compareAndSet(false, true)) {
      return;
    }
    growth.stop();
    long t0 = System.nanoTime();
    gate.writeLock().lock();
    try {
      Generation g = current;
      g.release();
      if (!g.awaitClosed(options.closeWaitMillis())) {
        // Only a walk that never ends holds on this long: a damaged map (one a forged clean
        // marker let through). Left as it is; no marker, so the next open rebuilds the index.
        LOG.error("Tier index {}: an operation on its map has not ended after {} ms (a damaged map?); "
            + "closing without a clean-shutdown marker, so the next open rebuilds it", file, options.closeWaitMillis());
        return;
      }
      if (!corrupted && cutShort(g)) {
        corrupted = true; // a clean marker would vouch for the truncated file
      }
      if (corrupted) {
        moveAside(g.mapFile);
      } else if (complete) {
        writeCleanMarker(g.mapFile);
      } else {
        LOG.info("Tier index {} closed before it held every file of its tier: the next open rebuilds it", file);
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

  // ---------------------------------------------------------------- used by Reconciler and IndexGrowth

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

  /**
   * Treats the current map as damaged by {@code cause}, as an operation that failed inside
   * Chronicle Map for a reason other than capacity does: starts its replacement.
   */
  IndexCorruptedException reportDamage(RuntimeException cause) {
    Generation g = acquire();
    try {
      return corrupted(g, cause);
    } finally {
      g.release();
    }
  }

  /** Sets the mirror under the exclusive gate. */
  void setMirror(ChronicleMaps.Mirror m) {
    gate.writeLock().lock();
    try {
      mirror = m;
    } finally {
      gate.writeLock().unlock();
    }
  }

  /** Under the exclusive gate, once an empty map replaced a damaged one. */
  void startedEmpty() {
    size.set(0);
    corrupted = false;
    trusted = false;
    replacements.incrementAndGet();
  }

  /** After a replacement, outside every lock. */
  void afterReplacement() {
    try {
      replacedListener.run();
    } catch (RuntimeException e) {
      LOG.warn("Tier index {}: the listener of a replacement failed: {}", file, e.toString(), e);
    }
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

  /**
   * {@link #acquire()} for an operation on the map: a map known damaged is not touched, and,
   * at most once per {@link IndexOptions#LENGTH_CHECK_INTERVAL_NANOS}, a map whose file was cut
   * short is found so before any of its pages is (see {@link MapLength}).
   *
   * @throws IndexCorruptedException if the map is damaged (its replacement is on its way)
   */
  private Generation acquireIntact() {
    Generation g = acquire();
    if (!g.damaged) {
      IndexCorruptedException cut = lengthCheck(g);
      if (cut == null) {
        return g;
      }
      g.release();
      throw cut;
    }
    g.release();
    throw new IndexCorruptedException(file, new IllegalStateException("map " + g.mapFile.getFileName()
        + " was found damaged; it is being replaced"));
  }

  /**
   * If a look at the length of {@code g}'s file is due and finds it cut short: {@code g} is
   * marked damaged, its replacement started, and the exception for the caller returned; else null.
   */
  private IndexCorruptedException lengthCheck(Generation g) {
    if (!g.length.due(nanoClock.getAsLong(), IndexOptions.LENGTH_CHECK_INTERVAL_NANOS) || !g.length.shrunk()) {
      return null;
    }
    return corrupted(g, g.length.truncated());
  }

  /**
   * True if the map file of {@code g}, no longer mapped, is shorter than it was while mapped:
   * it was cut short, so its entries are lost and it must not be marked clean.
   */
  private boolean cutShort(Generation g) {
    long now;
    try {
      now = Files.readAttributes(g.mapFile, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).size();
    } catch (IOException e) {
      return false; // the marker's own write fails and says so
    }
    if (now >= g.length.longest()) {
      return false;
    }
    LOG.error("Tier index map {} is {} bytes, shorter than the {} bytes it had while mapped: it was cut short "
        + "while in use; it is moved aside, not marked clean, and the next open rebuilds the index", g.mapFile, now,
        g.length.longest());
    return true;
  }

  private interface MapWrite {
    /** Writes to {@code map} keeping {@code mirror} (may be null) in step; ADDED, UPDATED, UNCHANGED or REMOVED. */
    int apply(ChronicleMap<String, IndexEntry> map, ChronicleMaps.Mirror mirror);
  }

  private int write(MapWrite op) {
    for (int waits = 0;; waits++) {
      IndexGrowth.Run waitFor;
      lockGateForWrite();
      try {
        if (closing) {
          throw closedException();
        }
        Generation g = current;
        // A damaged map gets no more writes; nor does one whose file is found cut short now.
        int result = g.damaged || lengthCheck(g) != null ? NONE : apply(op, g);
        if (result != NONE) {
          if (result == ChronicleMaps.ADDED) {
            growth.afterInsert(g, size.incrementAndGet());
          } else if (result == ChronicleMaps.REMOVED) {
            size.decrementAndGet();
          }
          return result;
        }
        if (waits >= MAX_GROWTH_WAITS) {
          if (g.damaged) {
            throw new IndexCorruptedException(file, new IOException("the damaged map could not be replaced"));
          }
          throw new UncheckedIOException(new IOException("tier index " + file + " is full after "
              + waits + " growths (" + size.get() + " entries)"));
        }
        waitFor = g.damaged ? growth.request(true, g.capacity, "damaged")
            : growth.request(false, growth.grownCapacity(g), "full");
        if (waitFor == null) {
          throw closedException();
        }
      } finally {
        gate.readLock().unlock();
      }
      awaitRun(waitFor);
    }
  }

  /** The result of {@code op} on {@code g}, or NONE if the map is full or damaged (then retried). */
  private int apply(MapWrite op, Generation g) {
    try {
      return op.apply(g.map, mirror);
    } catch (IllegalStateException e) {
      if (isFull(g, e)) {
        return NONE;
      }
      return orNoneIfDamaged(g, e);
    } catch (RuntimeException e) {
      return orNoneIfDamaged(g, e);
    } catch (InternalError e) { // a fault on a page of the mapping
      if (g.length.shrunk()) { // its file was cut short: damage
        return orNoneIfDamaged(g, new MapLength.MapAccessFault(e));
      }
      // The file is whole: the write itself faulted (an I/O error, no room on a copy-on-write
      // file system), which is a failed write, not a damaged map to rebuild.
      throw new UncheckedIOException("tier index " + file + ": a write to its map faulted",
          new IOException(e.getMessage(), e));
    }
  }

  private int orNoneIfDamaged(Generation g, RuntimeException e) {
    RuntimeException failure = failed(g, e);
    if (failure instanceof IndexCorruptedException) {
      return NONE; // the write waits for the replacement and is retried on the new map
    }
    throw failure;
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

  private static boolean isFull(Generation g, IllegalStateException e) {
    if (e instanceof ChronicleHashClosedException) {
      return false;
    }
    try {
      return g.map.remainingAutoResizes() == 0;
    } catch (RuntimeException | InternalError unreadable) {
      return false;
    }
  }

  private void awaitRun(IndexGrowth.Run run) {
    try {
      run.done.join();
    } catch (CancellationException | CompletionException e) {
      if (closing) {
        throw closedException();
      }
      // The run failed: write() asks for another one, up to MAX_GROWTH_WAITS.
    }
  }

  /**
   * What a write that failed inside Chronicle Map throws: an I/O failure (disk full while
   * allocating an overflow tier) as such, anything else as damage to the file.
   */
  private RuntimeException failed(Generation g, RuntimeException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IOException) {
        return new UncheckedIOException("tier index " + file + ": write failed", (IOException) t);
      }
    }
    return corrupted(g, e);
  }

  /** Marks {@code g} damaged and, the first time, logs it and starts its replacement. */
  IndexCorruptedException corrupted(Generation g, RuntimeException e) {
    if (e instanceof IndexCorruptedException) {
      return (IndexCorruptedException) e;
    }
    if (e instanceof ChronicleHashClosedException && closing) {
      throw closedException();
    }
    if (!g.damaged) {
      g.damaged = true;
      LOG.error("Tier index map {} is damaged; the tier answers lookups while it is replaced and rebuilt",
          g.mapFile, e);
      if (g == current) { // else a growth already replaced it
        corrupted = true;
        growth.request(true, g.capacity, "damaged: " + e);
      }
    }
    return new IndexCorruptedException(file, e);
  }

  private IllegalStateException closedException() {
    return new IllegalStateException("tier index " + file + " is closed");
  }

  private void writeCleanMarker(Path mapFile) {
    try {
      CleanMarker.write(cleanMarker, mapFile);
    } catch (IOException e) {
      LOG.warn("Could not write {}: the next open rebuilds the index: {}", cleanMarker, e.toString());
    }
  }

  /** Moves the damaged current map aside; the manifest stays, so the next open reports a reset. */
  private void moveAside(Path mapFile) {
    try {
      LOG.warn("Moved damaged tier index map {} to {}: the next open starts empty", mapFile,
          IndexFiles.moveAside(file, mapFile));
    } catch (IOException e) {
      LOG.warn("Could not move damaged tier index map {} aside; the next open moves it: {}", mapFile, e.toString());
    }
  }
}
