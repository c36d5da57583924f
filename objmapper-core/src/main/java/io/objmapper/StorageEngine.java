package io.objmapper;

import io.objmapper.internal.config.ObjMapperConfig;
import io.objmapper.internal.fdcache.FdCache;
import io.objmapper.internal.fdcache.OpenFile;
import io.objmapper.internal.lifecycle.Hotness;
import io.objmapper.internal.lifecycle.MigrationJournal;
import io.objmapper.internal.lifecycle.MigrationStep;
import io.objmapper.internal.lifecycle.Planner;
import io.objmapper.internal.log.LogText;
import io.objmapper.internal.log.WarnLimiter;
import io.objmapper.internal.store.Entry;
import io.objmapper.internal.store.GlobalIndex;
import io.objmapper.internal.store.IndexRecord;
import io.objmapper.internal.store.TierIndex;
import io.objmapper.internal.store.TierIndexes;
import io.objmapper.server.FileObject;
import io.objmapper.server.ObjectServer;
import io.objmapper.server.RequestHandler;
import io.objmapper.server.ServedObject;
import io.objmapper.spi.ObjectNames;
import io.objmapper.spi.ObjectStat;
import io.objmapper.spi.Tier;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import io.objmapper.spi.TierProviders;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store behind {@link ObjMapper}: tiers, their indexes, the global index and the
 * descriptor cache; {@link #handler()} is what its servers ask.
 *
 * <p>Lookup order (the fast, medium and slow paths): cached descriptor → global index →
 * per-tier indexes, fastest tier first → asking each tier. Writers of one name serialize on
 * a striped lock; readers take no lock.
 */
final class StorageEngine implements ObjMapper {
  private static final Logger log = LoggerFactory.getLogger(StorageEngine.class);
  /** Stat failures come from what clients name: a few lines a second per tier, the rest counted. */
  private static final WarnLimiter STAT_WARNINGS = WarnLimiter.perSecond();
  private static final int STRIPES = 256;

  private final Tier[] tiers;
  private final TierConfig[] configs;
  private final TierIndex[] indexes;
  /** Tier ids, fastest (lowest perf factor) first. */
  private final int[] bySpeed;
  private final GlobalIndex global;
  private final FdCache fds;
  private final LongSupplier clock;
  private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
  private final ObjMapperConfig config;
  private final LongAdder lookups = new LongAdder();
  private final LongAdder notFound = new LongAdder();
  private final Object closeLock = new Object();
  private final java.util.concurrent.locks.ReentrantReadWriteLock writers =
      new java.util.concurrent.locks.ReentrantReadWriteLock();
  private volatile boolean closed;

  // ---- lifecycle
  private final LifecyclePolicy policy;
  private final Hotness hotness;
  /** Moves between tiers that survive a restart; null without a persistent local writable tier. */
  private final MigrationJournal journal;
  private final Consumer<MigrationStep> steps;
  /** Bytes promised to writes and moves in progress, per tier (not yet in the tier's usedBytes). */
  private final AtomicLongArray reserved;
  private final ReentrantLock roundLock = new ReentrantLock();
  private ScheduledExecutorService lifecycleTimer;
  /** The threads of a round's moves (made when a round first has two); round lock held. */
  private java.util.concurrent.ExecutorService migrators;
  private long lastRoundNanos;
  /** Requests per second between the last two rounds. */
  private double requestRate;
  /** Tiers being brought down to their fill target, over as many rounds as it takes. */
  private Set<Integer> draining = Set.of();
  /** When the store opened: until a half-life later, objects not used since are not known to be cold. */
  private final long openedNanos;
  private long lastRoundLookups;
  private final LongAdder rounds = new LongAdder();
  private final LongAdder promotions = new LongAdder();
  private final LongAdder demotions = new LongAdder();
  private final LongAdder lifecycleEvictions = new LongAdder();
  private final LongAdder manualMoves = new LongAdder();
  private final LongAdder bytesMoved = new LongAdder();
  private final LongAdder moveFailures = new LongAdder();
  private final LongAdder busyRounds = new LongAdder();

  private StorageEngine(ObjMapper.Builder b, Tier[] tiers, TierIndex[] indexes, MigrationJournal journal) {
    this.tiers = tiers;
    this.indexes = indexes;
    this.journal = journal;
    this.policy = b.lifecycle;
    this.hotness = new Hotness(TimeUnit.MILLISECONDS.toNanos(b.lifecycle.hotnessHalfLifeMillis()));
    this.steps = b.migrationSteps;
    this.reserved = new AtomicLongArray(tiers.length);
    this.configs = new TierConfig[tiers.length];
    for (int i = 0; i < tiers.length; i++) {
      configs[i] = tiers[i].config();
    }
    this.bySpeed = IntStream.range(0, tiers.length).boxed()
        .sorted(Comparator.comparingDouble((Integer i) -> configs[i].perfFactor()).thenComparingInt(i -> i))
        .mapToInt(Integer::intValue).toArray();
    this.global = new GlobalIndex(b.globalIndexEntries);
    this.fds = new FdCache(Math.max(1, (long) Math.floor(b.maxOpenFds * b.fdEvictThreshold)), b.revalidateMillis,
        b.nanoClock);
    this.clock = b.nanoClock;
    this.config = b.config;
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new ReentrantLock();
    }
    this.lastRoundNanos = clock.getAsLong();
    this.openedNanos = lastRoundNanos;
  }

  /** Opens tiers and indexes; closes what it opened if anything fails. */
  static StorageEngine open(ObjMapper.Builder b) throws IOException {
    TierProviders providers = b.providers != null ? b.providers : TierProviders.installed();
    List<TierConfig> list = b.tiers;
    Tier[] tiers = new Tier[list.size()];
    TierIndex[] indexes = new TierIndex[list.size()];
    Set<String> names = new java.util.HashSet<>();
    MigrationJournal journal = null;
    java.util.concurrent.CompletableFuture<Void> filesSettled = new java.util.concurrent.CompletableFuture<>();
    try {
      for (int i = 0; i < list.size(); i++) {
        TierConfig c = list.get(i);
        if (!names.add(c.name())) {
          throw new IllegalArgumentException("two tiers are named \"" + c.name() + "\"");
        }
        tiers[i] = providers.open(c);
        indexes[i] = TierIndexes.open(tiers[i], b.persistIndexes,
            b.expectedObjectsByTier.getOrDefault(c.name(), b.expectedObjects), filesSettled);
        log.debug("tier {} ({}, {}) open: {} objects, {} bytes", c.name(), c.type(),
            tiers[i].config().has(TierFlag.PERSISTENT) ? "persistent" : "volatile", tiers[i].objectCount(),
            tiers[i].usedBytes());
      }
      Path journalFile = journalFile(tiers);
      if (journalFile != null) {
        journal = MigrationJournal.open(journalFile, list.stream().map(TierConfig::name).toList());
      }
      StorageEngine e = new StorageEngine(b, tiers, indexes, journal);
      e.finishCutShortMoves();
      e.dropStaleVolatileCopies();
      filesSettled.complete(null); // the indexes may now be reconciled with the files
      e.startLifecycle(b.backgroundRounds);
      // The one line of the store's start (each tier logs its own open); nothing is logged per
      // request at INFO.
      log.info("store open: {} tiers {}, max_open_fds {}", tiers.length,
          Arrays.stream(e.configs).map(TierConfig::name).toList(), b.maxOpenFds);
      return e;
    } catch (IOException | RuntimeException e) {
      filesSettled.completeExceptionally(e);
      closeQuietly(journal);
      for (int i = 0; i < tiers.length; i++) {
        closeQuietly(indexes[i]);
        closeQuietly(tiers[i]);
      }
      throw e;
    }
  }

  /**
   * Objects left on a volatile tier by an earlier run: a copy of an object that a
   * persistent tier holds is dropped (the persistent one is the truth; a read-only tier's
   * copy is only unindexed); the rest stays indexed as EPHEMERAL (see {@link TierIndexes}),
   * so it can never reach a persistent tier.
   */
  private void dropStaleVolatileCopies() throws IOException {
    for (int t = 0; t < tiers.length; t++) {
      if (persistent(t) || !tiers[t].isLocal()) {
        continue;
      }
      List<String> found = new ArrayList<>();
      indexes[t].forEach("/", (name, r) -> found.add(name));
      int dropped = 0;
      for (String name : found) {
        for (int p = 0; p < tiers.length; p++) {
          if (p != t && persistent(p) && tiers[p].stat(name) != null) {
            if (configs[t].has(TierFlag.WRITABLE)) {
              tiers[t].delete(name);
            }
            // On a read-only tier the copy stays on disk; without its record the persistent
            // tier's copy is the one found.
            indexes[t].remove(name);
            dropped++;
            break;
          }
        }
      }
      if (!found.isEmpty()) {
        log.info("tier {}: {} objects left by an earlier run, {} of them stale copies dropped",
            configs[t].name(), found.size(), dropped);
      }
    }
  }

  // ---- the request path -------------------------------------------------------------------

  /** What a server asks: shared, reference-counted descriptors, nothing allocated on a hit. */
  RequestHandler handler() {
    return handler;
  }

  private final RequestHandler handler = new RequestHandler() {
    @Override
    public ServedObject acquire(String uri) {
      return StorageEngine.this.acquire(uri);
    }

    @Override
    public boolean mayBlock(String uri) {
      return !fds.isCached(uri);
    }

    /**
     * The C server's write mode: the object, created empty (through put) if missing, open
     * for reading and writing. What the client writes through the descriptor changes the
     * file behind the store's back: the descriptor cache notices it at its next
     * revalidation, and the tier's counts at its next scan.
     */
    @Override
    public ServedObject acquireWritable(String uri) {
      ObjectNames.validate(uri);
      if (!exists(uri)) {
        put(uri, new byte[0]);
      }
      Entry e = locate(uri);
      if (e != null && e.cached()) {
        e = dropCacheForWriting(e);
      }
      if (e == null || !tiers[e.tierId()].isLocal()) {
        throw new ObjectNotFoundException("no object " + uri);
      }
      fds.invalidate(uri);
      Path p = tiers[e.tierId()].path(uri);
      try {
        java.io.RandomAccessFile file = new java.io.RandomAccessFile(p.toFile(), "rw");
        return FileObject.of(file, Math.floorDiv(e.mtimeMillis(), 1000), e.tierId());
      } catch (IOException ex) {
        throw new StorageException("cannot open " + uri + " for writing: " + ex.getMessage(), ex);
      }
    }

    @Override
    public void delete(String uri) {
      if (!StorageEngine.this.delete(uri)) {
        throw new ObjectNotFoundException("no object " + uri);
      }
    }
  };

  /** Writes go to an object's lasting copy: its cached copy is dropped first. */
  private Entry dropCacheForWriting(Entry seen) {
    enterWrite();
    ReentrantLock lock = stripe(seen.name());
    lock.lock();
    try {
      Entry e = locate(seen.name());
      if (e != null && e.cached()) {
        relocate(e, e.homeTierId(), null);
        e = locate(seen.name());
      }
      return e;
    } finally {
      lock.unlock();
      writers.readLock().unlock();
    }
  }

  OpenFile acquire(String uri) {
    lookups.increment();
    OpenFile f = fds.acquireCached(uri);
    if (f == null) {
      f = acquireSlow(uri);
    }
    ((Entry) f.owner()).touch(clock.getAsLong());
    return f;
  }

  private OpenFile acquireSlow(String uri) {
    checkOpen();
    ObjectNames.validate(uri);
    OpenFile f = fds.acquire(uri, this::locateForOpen);
    if (f == null) {
      notFound.increment();
      throw new ObjectNotFoundException("no object " + uri);
    }
    return f;
  }

  private FdCache.Located locateForOpen(String name) {
    Entry e = staged(name, locate(name));
    if (e == null) {
      return null;
    }
    checkReadable(e.tierId());
    Path p = tiers[e.tierId()].path(name);
    ObjectStat s = FdCache.stat(p);
    if (s == null || !sameVersion(e, s)) {
      Entry current = staged(name, reconcile(name, e));
      if (current == null) {
        return null;
      }
      if (current != e || s == null) {
        e = current;
        checkReadable(e.tierId());
        p = tiers[e.tierId()].path(name);
        s = FdCache.stat(p);
        if (s == null) {
          return null;
        }
      }
    }
    return new FdCache.Located(e.tierId(), p, s, e);
  }

  /** {@code e}, or for an object on a remote tier its copy staged on a local tier. */
  private Entry staged(String name, Entry e) {
    return e == null || tiers[e.tierId()].isLocal() ? e : stage(name, e.tierId(), e.flags());
  }

  private void checkReadable(int t) {
    if (!configs[t].has(TierFlag.READABLE)) {
      throw new TierRuleException("tier " + configs[t].name() + " is not readable");
    }
  }

  private static boolean sameVersion(Entry e, ObjectStat s) {
    return e.size() == s.size() && e.mtimeMillis() == s.mtimeMillis();
  }

  /**
   * The entry of {@code name} once its file was found missing or other than the indexes say
   * (changed behind the store's back, or by a write racing this lookup): the records of a
   * vanished file are dropped and those of a replaced one refreshed, so stat, exists and list
   * agree with what open finds. This runs under the name's stripe lock, so it cannot undo a
   * concurrent write; if a writer holds the lock, it updates the indexes itself, and this only
   * looks past a vanished file without waiting for it.
   */
  private Entry reconcile(String name, Entry seen) {
    ReentrantLock lock = stripe(name);
    if (!lock.tryLock()) {
      if (tiers[seen.tierId()].isLocal() && statQuietly(seen.tierId(), name) == null) {
        global.remove(seen);
        return locateOnTiers(name);
      }
      return seen;
    }
    try {
      for (int round = 0; round <= tiers.length; round++) {
        Entry e = locate(name);
        if (e == null || !tiers[e.tierId()].isLocal()) {
          return e;
        }
        int t = e.tierId();
        ObjectStat s;
        try {
          s = tiers[t].stat(name);
        } catch (IOException ex) {
          warnCannotStat(t, name, ex);
          return e;
        }
        if (s == null) {
          global.remove(e);
          indexes[t].remove(name);
        } else if (!sameVersion(e, s)) {
          // Flags come from the tier's index (a racing put may have installed an outdated entry).
          IndexRecord r = indexes[t].get(name);
          int flags = r != null ? r.flags() : e.flags();
          Entry fresh = new Entry(name, t, s.size(), s.mtimeMillis(), flags);
          indexes[t].put(name, IndexRecord.of(s, flags));
          global.put(fresh);
          return fresh;
        } else {
          return e;
        }
      }
      return null;
    } finally {
      lock.unlock();
    }
  }

  /** The entry of {@code name}: global index, then tier indexes and tiers; null if none. */
  private Entry locate(String name) {
    Entry e = global.get(name);
    if (e != null) {
      return e;
    }
    return locateOnTiers(name);
  }

  private Entry locateOnTiers(String name) {
    for (int t : bySpeed) {
      IndexRecord r = indexes[t].get(name);
      if (r != null) {
        return global.putIfAbsent(new Entry(name, t, r.size(), r.mtimeMillis(), r.flags(), homeOf(name, t, r.flags())));
      }
    }
    // Not indexed: ask the tiers (a file put there behind the index, or an index rebuilding).
    for (int t : bySpeed) {
      if (!tiers[t].isLocal()) {
        continue;
      }
      ObjectStat s = statQuietly(t, name);
      if (s != null) {
        Entry e = indexFound(t, name, s);
        if (e != null) {
          return e;
        }
      }
    }
    for (int t : bySpeed) {
      if (!tiers[t].isLocal() && statQuietly(t, name) != null) {
        return stage(name, t, 0);
      }
    }
    return null;
  }

  /**
   * For a copy of {@code name} on tier {@code t} with {@code flags}: the persistent tier
   * holding its lasting copy if {@code t} is volatile and the object is not EPHEMERAL (the
   * copy on {@code t} is then a cached one); else -1.
   */
  private int homeOf(String name, int t, int flags) {
    if (persistent(t) || ObjectFlag.EPHEMERAL.in(flags)) {
      return -1;
    }
    for (int p : bySpeed) {
      if (p != t && persistent(p) && indexes[p].get(name) != null) {
        return p;
      }
    }
    return -1;
  }

  /**
   * Indexes object {@code name}, found on local tier {@code t} (with {@code seen}) by asking
   * the tier. The records are written under the name's stripe lock from what the tier holds
   * then, so a write that raced this lookup is never overwritten with the older version's
   * size or flags. If a writer holds the lock, it indexes what it writes, and this only
   * answers the lookup. Null if the object left the tier meanwhile and no writer indexed it.
   */
  private Entry indexFound(int t, String name, ObjectStat seen) {
    int flags = persistent(t) ? 0 : ObjectFlag.EPHEMERAL.bit();
    if (!indexes[t].ready()) {
      // The tier's index is still opening: answer from the tier, index nothing (the index
      // file already knows the object, or the reconciliation will add it).
      return new Entry(name, t, seen.size(), seen.mtimeMillis(), flags);
    }
    ReentrantLock lock = stripe(name);
    if (!lock.tryLock()) {
      return new Entry(name, t, seen.size(), seen.mtimeMillis(), flags);
    }
    try {
      IndexRecord written = indexes[t].get(name);
      if (written != null) {
        Entry e = new Entry(name, t, written.size(), written.mtimeMillis(), written.flags());
        global.put(e);
        return e;
      }
      ObjectStat now = statQuietly(t, name);
      if (now == null) {
        return global.get(name);
      }
      indexes[t].put(name, IndexRecord.of(now, flags));
      Entry e = new Entry(name, t, now.size(), now.mtimeMillis(), flags);
      global.put(e);
      return e;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Copies an object of a remote tier onto the fastest local tier that may hold it, keeping
   * its {@code flags}.
   */
  private Entry stage(String name, int remote, int flags) {
    int target = -1;
    for (int t : bySpeed) {
      if (tiers[t].isLocal() && configs[t].has(TierFlag.WRITABLE)
          && (persistent(t) || !persistent(remote) || noPersistentLocalTier())) {
        target = t;
        break;
      }
    }
    if (target < 0) {
      throw new TierRuleException("object " + name + " is on remote tier " + configs[remote].name()
          + " and no local writable tier can stage it");
    }
    ReentrantLock lock = stripe(name);
    lock.lock();
    try (InputStream in = tiers[remote].openStream(name)) {
      ObjectStat s = tiers[target].write(name, in);
      indexes[target].put(name, IndexRecord.of(s, flags));
      Entry e = new Entry(name, target, s.size(), s.mtimeMillis(), flags);
      global.put(e);
      log.debug("staged {} from {} onto {}", LogText.name(name), configs[remote].name(), configs[target].name());
      return e;
    } catch (IOException e) {
      throw new StorageException("cannot stage " + name + ": " + e.getMessage(), e);
    } finally {
      lock.unlock();
    }
  }

  private boolean noPersistentLocalTier() {
    for (int t = 0; t < tiers.length; t++) {
      if (persistent(t) && tiers[t].isLocal()) {
        return false;
      }
    }
    return true;
  }

  // ---- the API ----------------------------------------------------------------------------

  @Override
  public ObjectLease open(String name) {
    OpenFile f = acquire(name);
    return new ObjectLease(f, configs[f.tierId()].name());
  }

  @Override
  public Optional<ObjectInfo> stat(String name) {
    checkOpen();
    ObjectNames.validate(name);
    lookups.increment();
    Entry e = locate(name);
    if (e != null && tiers[e.tierId()].isLocal()) {
      ObjectStat s = statQuietly(e.tierId(), name);
      if (s == null || !sameVersion(e, s)) {
        e = reconcile(name, e);
      }
    }
    if (e == null) {
      notFound.increment();
      return Optional.empty();
    }
    return Optional.of(info(e));
  }

  @Override
  public boolean exists(String name) {
    return stat(name).isPresent();
  }

  @Override
  public ObjectInfo put(String name, byte[] data, ObjectFlag... flags) {
    return write(name, data.length, flags, (t, stream) -> tiers[t].write(name, data));
  }

  @Override
  public ObjectInfo put(String name, InputStream data, ObjectFlag... flags) {
    // The length is not known before the end: the stream may fill the room left on the
    // chosen tier and no more (it cannot be read again to try the next tier).
    return write(name, -1, flags, (t, stream) -> tiers[t].write(name, stream.wrap(data)));
  }

  @Override
  public ObjectInfo put(String name, Path file, ObjectFlag... flags) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      return write(name, size, flags, (t, stream) -> tiers[t].write(name, ch, 0, size));
    } catch (NoSuchFileException e) {
      throw new StorageException("no such file: " + file, e);
    } catch (IOException e) {
      throw new StorageException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private interface TierWrite {
    /** Writes to tier {@code t}; a source stream goes through {@code stream}, which reserves what it yields. */
    ObjectStat to(int t, StreamRoom stream) throws IOException;
  }

  /**
   * The room a stream of unknown length takes on its tier: it reserves the bytes it yields
   * as they come (after the credit of the version it replaces), and fails once the tier has
   * no room left for them.
   */
  private final class StreamRoom {
    private final int tier;
    private long credit;
    private long held;

    StreamRoom(int tier, long credit) {
      this.tier = tier;
      this.credit = credit;
    }

    InputStream wrap(InputStream in) {
      return configs[tier].capacityBytes() == TierConfig.UNLIMITED ? in : new FilterInputStream(in) {
        @Override
        public int read() throws IOException {
          int b = super.read();
          if (b >= 0) {
            take(1);
          }
          return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          int n = super.read(b, off, len);
          if (n > 0) {
            take(n);
          }
          return n;
        }
      };
    }

    private void take(long n) throws RoomExceeded {
      long fromCredit = Math.min(credit, n);
      credit -= fromCredit;
      long rest = n - fromCredit;
      if (rest > 0) {
        if (!tryReserve(tier, rest)) {
          throw new RoomExceeded();
        }
        held += rest;
      }
    }

    void release() {
      unreserve(tier, held);
      held = 0;
    }
  }

  /** Thrown through the tier's write, which then leaves nothing behind. */
  private static final class RoomExceeded extends IOException {
    private static final long serialVersionUID = 1L;

    RoomExceeded() {
      super("the object outgrew the room left on the tier");
    }
  }

  private ObjectInfo write(String name, long size, ObjectFlag[] flags, TierWrite w) {
    ObjectNames.validate(name);
    int mask = ObjectFlag.mask(flags);
    enterWrite();
    ReentrantLock lock = stripe(name);
    lock.lock();
    int target = -1;
    long promised = 0;
    StreamRoom stream = null;
    try {
      target = placement(name, mask, size);
      if (size >= 0) {
        promised = Math.max(0, size - sizeOn(target, name));
      } else {
        stream = new StreamRoom(target, sizeOn(target, name));
      }
      ObjectStat s;
      try {
        s = w.to(target, stream);
      } catch (RoomExceeded e) {
        throw new CapacityException("object " + name + " outgrew the room left on tier " + configs[target].name());
      } catch (IOException e) {
        throw new StorageException("cannot store " + name + " on " + configs[target].name() + ": " + e.getMessage(), e);
      }
      Entry e = new Entry(name, target, s.size(), s.mtimeMillis(), mask).inheritUse(global.peek(name));
      e.touch(clock.getAsLong()); // a write counts as a use
      boolean indexed = false;
      try {
        indexes[target].put(name, IndexRecord.of(s, mask));
        // An overwrite leaves no older copy (nor cached copy) on another tier.
        for (int t = 0; t < tiers.length; t++) {
          if (t != target) {
            removeFrom(t, name);
          }
        }
        global.put(e);
        indexed = true;
      } catch (RuntimeException ex) {
        throw ex instanceof ObjMapperException ? ex
            : new StorageException("stored " + name + " but could not index it: " + ex.getMessage(), ex);
      } finally {
        if (!indexed) {
          global.remove(name); // the new version is on disk: never serve the old one from memory
        }
        fds.invalidate(name);
      }
      return info(e);
    } finally {
      if (stream != null) {
        stream.release();
      }
      if (target >= 0) {
        unreserve(target, promised);
      }
      lock.unlock();
      writers.readLock().unlock();
    }
  }

  /**
   * The tier a new object goes to: the fastest writable one its flags allow with room for
   * it ({@code size < 0}, a stream: with any room left). For a known size, the room is
   * reserved on the tier returned (release {@code size - sizeOn(t, name)} when done).
   */
  private int placement(String name, int mask, long size) {
    boolean ephemeral = ObjectFlag.EPHEMERAL.in(mask);
    boolean anyPersistent = false;
    for (int t = 0; t < tiers.length; t++) {
      anyPersistent |= persistent(t) && configs[t].has(TierFlag.WRITABLE);
    }
    int candidates = 0;
    for (int t : bySpeed) {
      if (!configs[t].has(TierFlag.WRITABLE)) {
        continue;
      }
      if (ephemeral ? persistent(t) || !tiers[t].isLocal() : anyPersistent && !persistent(t)) {
        continue;
      }
      candidates++;
      long old = sizeOn(t, name);
      if (size < 0 ? old > 0 || free(t) > 0 : tryReserve(t, Math.max(0, size - old))) {
        return t;
      }
    }
    if (candidates == 0) {
      throw new TierRuleException(ephemeral
          ? "EPHEMERAL object " + name + " needs a volatile writable tier; there is none"
          : "no writable tier for " + name);
    }
    throw new CapacityException("object " + name + " of " + size + " bytes fits on no tier");
  }

  /** Bytes the version of {@code name} on tier {@code t} takes (0 if none): a write there frees them. */
  private long sizeOn(int t, String name) {
    IndexRecord old = indexes[t].get(name);
    return old == null ? 0 : old.size();
  }

  /** Bytes tier {@code t} has left, less what is promised; {@link Long#MAX_VALUE} if it has no capacity set. */
  private long free(int t) {
    long capacity = configs[t].capacityBytes();
    if (capacity == TierConfig.UNLIMITED) {
      return Long.MAX_VALUE;
    }
    return capacity - tiers[t].usedBytes() - reserved.get(t);
  }

  /**
   * Promises {@code n} bytes of tier {@code t} to a write or move in progress, if it has
   * them: concurrent writers never overfill a tier. Release with {@link #unreserve} once the
   * bytes are in the tier's {@code usedBytes} (or were never written).
   */
  private boolean tryReserve(int t, long n) {
    if (n <= 0 || configs[t].capacityBytes() == TierConfig.UNLIMITED) {
      return true;
    }
    while (true) {
      long r = reserved.get(t);
      if (configs[t].capacityBytes() - tiers[t].usedBytes() - r < n) {
        return false;
      }
      if (reserved.compareAndSet(t, r, r + n)) {
        return true;
      }
    }
  }

  private void unreserve(int t, long n) {
    if (n > 0 && configs[t].capacityBytes() != TierConfig.UNLIMITED) {
      reserved.addAndGet(t, -n);
    }
  }

  @Override
  public boolean delete(String name) {
    ObjectNames.validate(name);
    enterWrite();
    ReentrantLock lock = stripe(name);
    lock.lock();
    try {
      for (int t = 0; t < tiers.length; t++) {
        if (!configs[t].has(TierFlag.WRITABLE) && statQuietly(t, name) != null) {
          throw new TierRuleException("object " + name + " is on tier " + configs[t].name()
              + ", which is not writable: it cannot be deleted");
        }
      }
      boolean found = false;
      try {
        for (int t = 0; t < tiers.length; t++) {
          found |= removeFrom(t, name);
        }
      } finally {
        global.remove(name);
        fds.invalidate(name);
      }
      return found;
    } finally {
      lock.unlock();
      writers.readLock().unlock();
    }
  }

  /**
   * Writers (put, delete, move) hold the read side of {@link #writers}; {@link #close()}
   * takes the write side, so it never closes indexes and tiers under a write in progress.
   */
  private void enterWrite() {
    writers.readLock().lock();
    if (closed) {
      writers.readLock().unlock();
      throw new IllegalStateException("closed");
    }
  }

  private boolean removeFrom(int t, String name) {
    boolean indexed = indexes[t].remove(name);
    if (!configs[t].has(TierFlag.WRITABLE)) {
      return indexed;
    }
    try {
      return tiers[t].delete(name) || indexed;
    } catch (IOException e) {
      throw new StorageException("cannot delete " + name + " from " + configs[t].name() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public List<ObjectInfo> list(String prefix) {
    checkOpen();
    TreeMap<String, ObjectInfo> found = new TreeMap<>();
    for (int i = bySpeed.length - 1; i >= 0; i--) { // faster tiers overwrite slower ones
      int t = bySpeed[i];
      indexes[t].forEach(prefix, (name, r) ->
          found.put(name, ObjectInfo.of(name, r.size(), r.mtimeMillis(), configs[t].name(), t, r.flags())));
    }
    return new ArrayList<>(found.values());
  }

  @Override
  public ObjectInfo move(String name, String tierName) {
    ObjectNames.validate(name);
    int target = tierId(tierName);
    enterWrite();
    ReentrantLock lock = stripe(name);
    lock.lock();
    try {
      Entry e = locate(name);
      if (e == null) {
        throw new ObjectNotFoundException("no object " + name);
      }
      if (e.tierId() != target) {
        relocate(e, target, null);
        manualMoves.increment();
      }
      return info(locate(name));
    } finally {
      lock.unlock();
      writers.readLock().unlock();
    }
  }

  /**
   * Makes tier {@code target} serve object {@code e}, under the lifecycle's rules; the
   * caller holds the name's stripe lock and the writers' read lock. What happens depends on
   * the copies:
   * <ul>
   *   <li>a cached copy moving to its home tier: the cached copy is dropped (written back
   *       first if it changed);
   *   <li>a persistent object onto a volatile tier: a cached copy is made there, the
   *       persistent copy stays (a cached copy moves: the old one is dropped);
   *   <li>otherwise a move: copy (synced), index the target, switch the global entry, then
   *       unindex and delete the source. The move is in the {@link MigrationJournal} first
   *       (when the store has a persistent local tier to keep it on), so a restart after a
   *       crash finishes or undoes it.
   * </ul>
   * Readers never wait: a lease on the source keeps reading it (a deleted file stays
   * readable through descriptors open on it), and a lookup during the move finds one copy
   * or the other.
   *
   * @return bytes copied
   * @throws TierRuleException if the rules forbid the move
   * @throws CapacityException if the target has no room; nothing changed
   */
  /**
   * A move already in the journal (registered with its round's other moves, one sync for
   * all); the move that finds it takes its {@code seq} and sets it to 0.
   */
  private static final class JournalSlot {
    final int from;
    final int to;
    long seq;

    JournalSlot(long seq, int from, int to) {
      this.seq = seq;
      this.from = from;
      this.to = to;
    }
  }

  private long relocate(Entry e, int target, JournalSlot slot) {
    String name = e.name();
    int src = e.tierId();
    boolean ephemeral = ObjectFlag.EPHEMERAL.in(e.flags());
    if (e.cached() && target == e.homeTierId()) {
      return dropCachedCopy(e);
    }
    if (ephemeral && persistent(target)) {
      throw new TierRuleException("EPHEMERAL object " + name + " may not move to persistent tier "
          + configs[target].name());
    }
    if (!configs[target].has(TierFlag.WRITABLE)) {
      throw new TierRuleException("tier " + configs[target].name() + " is not writable");
    }
    if (!configs[target].has(TierFlag.MIGRATION_DST)) {
      throw new TierRuleException("tier " + configs[target].name() + " does not take migrations (no migration_dst)");
    }
    if (!configs[src].has(TierFlag.MIGRATION_SRC)) {
      throw new TierRuleException("object " + name + " is on tier " + configs[src].name()
          + ", which does not give migrations (no migration_src)");
    }
    // A persistent object onto a volatile tier: a cached copy above its lasting one.
    boolean cacheCopy = !persistent(target) && !ephemeral;
    int home = e.cached() ? e.homeTierId() : src;
    if (cacheCopy && !persistent(home)) {
      throw new TierRuleException("object " + name + " has no persistent copy to cache on " + configs[target].name());
    }
    // Moving the lasting copy of a cached object: copy from its home, drop the cache too.
    int from = e.cached() && !cacheCopy ? home : src;
    if (!cacheCopy && !configs[from].has(TierFlag.WRITABLE)) {
      throw new TierRuleException("object " + name + " is on tier " + configs[from].name()
          + ", which is not writable: it cannot give up its copy");
    }
    long promise = Math.max(0, e.size() - sizeOn(target, name));
    if (!tryReserve(target, promise)) {
      throw new CapacityException("object " + name + " of " + e.size() + " bytes does not fit on tier "
          + configs[target].name());
    }
    boolean journaled = journal != null && !cacheCopy;
    long seq = 0;
    ObjectStat s = null;
    boolean switched = false;
    try {
      if (slot != null && slot.seq != 0 && journaled && slot.from == from && slot.to == target) {
        seq = slot.seq; // registered with the round's moves: synced already
        slot.seq = 0;
      } else if (journaled) {
        seq = journal.begin(name, from, target);
      }
      if (slot != null && slot.seq != 0) {
        // Registered as another move than the one made now (the object changed since the
        // plan): its record must not outlive a crash before this copy begins.
        journal.end(slot.seq, true);
        slot.seq = 0;
      }
      if (journaled) {
        steps.accept(MigrationStep.JOURNALED);
      }
      s = copy(name, from, target);
      steps.accept(MigrationStep.COPIED);
      indexes[target].put(name, IndexRecord.of(s, e.flags()));
      Entry moved = new Entry(name, target, s.size(), s.mtimeMillis(), e.flags(), cacheCopy ? home : -1).inheritUse(e);
      global.put(moved);
      fds.invalidate(name);
      switched = true;
      steps.accept(MigrationStep.SWITCHED);
      if (!cacheCopy) {
        removeCopy(from, name);
      }
      if (src != from || (cacheCopy && e.cached())) {
        removeCopy(src, name); // the cached copy left behind
      }
      if (journaled) {
        journal.end(seq);
        steps.accept(MigrationStep.DONE);
      }
      bytesMoved.add(s.size());
      log.debug("moved {} from {} to {}{}", LogText.name(name), configs[from].name(), configs[target].name(),
          cacheCopy ? " (cached copy)" : "");
      return s.size();
    } catch (IOException | RuntimeException ex) {
      if (!switched) {
        undoCopy(name, target, s, e);
        endQuietly(journaled, seq);
      }
      if (ex instanceof ObjMapperException oe) {
        throw oe;
      }
      throw new StorageException("cannot move " + name + " to " + configs[target].name() + ": " + ex.getMessage(), ex);
    } finally {
      unreserve(target, promise);
    }
  }

  /** Unindexes and deletes the copy of {@code name} on tier {@code t} (after a move switched away from it). */
  private void removeCopy(int t, String name) {
    indexes[t].remove(name);
    steps.accept(MigrationStep.SOURCE_UNINDEXED);
    if (configs[t].has(TierFlag.WRITABLE)) {
      try {
        tiers[t].delete(name);
      } catch (IOException ex) {
        throw new StorageException("moved " + name + " but could not delete the copy on " + configs[t].name() + ": "
            + ex.getMessage(), ex);
      }
    }
    steps.accept(MigrationStep.SOURCE_REMOVED);
  }

  /** After a failed move: removes the copy it made on the target and serves {@code e} again. */
  private void undoCopy(String name, int target, ObjectStat copied, Entry e) {
    if (copied == null) {
      return; // the tier's write leaves nothing behind when it fails
    }
    try {
      indexes[target].remove(name);
      tiers[target].delete(name);
    } catch (IOException | RuntimeException ex) {
      log.warn("tier {}: cannot remove the copy of {} a failed move left: {}", configs[target].name(),
          LogText.name(name), LogText.error(ex));
    }
    global.put(e);
    fds.invalidate(name);
  }

  private void endQuietly(boolean journaled, long seq) {
    if (journaled) {
      try {
        journal.end(seq);
      } catch (IOException ex) {
        log.warn("migration journal: {}", ex.toString());
      }
    }
  }

  /**
   * Drops the cached copy {@code e} so that its home tier serves the object; if the cached
   * copy changed (written through a descriptor), it is written back to the home first.
   *
   * @return bytes written back
   */
  private long dropCachedCopy(Entry e) {
    String name = e.name();
    int cache = e.tierId();
    int home = e.homeTierId();
    long written = 0;
    ObjectStat now = statQuietly(cache, name);
    IndexRecord homeRecord = indexes[home].get(name);
    ObjectStat homeStat = statQuietly(home, name);
    if (homeStat == null || (now != null && !sameVersion(e, now))) {
      if (now == null) {
        throw new StorageException("object " + name + " lost both its cached copy on " + configs[cache].name()
            + " and its copy on " + configs[home].name(), null);
      }
      try {
        homeStat = copy(name, cache, home);
      } catch (IOException ex) {
        throw new StorageException("cannot write " + name + " back to " + configs[home].name() + ": "
            + ex.getMessage(), ex);
      }
      written = homeStat.size();
      homeRecord = IndexRecord.of(homeStat, e.flags());
      indexes[home].put(name, homeRecord);
    }
    Entry served = new Entry(name, home, homeStat.size(), homeStat.mtimeMillis(),
        homeRecord != null ? homeRecord.flags() : e.flags()).inheritUse(e);
    global.put(served);
    fds.invalidate(name);
    removeCopy(cache, name);
    bytesMoved.add(written);
    log.debug("dropped the cached copy of {} on {}{}", LogText.name(name), configs[cache].name(),
        written > 0 ? " (written back)" : "");
    return written;
  }

  /**
   * Copies object {@code name} from tier {@code source} to tier {@code target}: a local
   * source through its file channel (the tier's write copies channel to channel, synced),
   * a remote one through its stream.
   */
  private ObjectStat copy(String name, int source, int target) throws IOException {
    if (tiers[source].isLocal()) {
      try (FileChannel in = tiers[source].openRead(name)) {
        return tiers[target].write(name, in, 0, in.size());
      }
    }
    try (InputStream in = tiers[source].openStream(name)) {
      return tiers[target].write(name, in);
    }
  }

  // ---- lifecycle --------------------------------------------------------------------------

  private static Path journalFile(Tier[] tiers) {
    for (Tier t : tiers) {
      TierConfig c = t.config();
      if (c.has(TierFlag.PERSISTENT) && c.has(TierFlag.WRITABLE) && t.isLocal() && c.root().isPresent()) {
        return c.root().get().resolve(ObjectNames.RESERVED_PREFIX + "_migrations");
      }
    }
    return null;
  }

  /**
   * Resolves the moves the previous run left unfinished (in the journal): if the target has
   * the copy (a tier's copy is complete once it has the name), the move is finished: the
   * target indexed, the source's copy unindexed and deleted; otherwise it is undone: the
   * target unindexed, the source kept. Either way one copy is left.
   */
  private void finishCutShortMoves() throws IOException {
    if (journal == null || journal.pending().isEmpty()) {
      return;
    }
    int finished = 0;
    int undone = 0;
    for (MigrationJournal.Pending p : journal.pending()) {
      String name = p.name();
      ObjectStat at = statQuietly(p.to(), name);
      ObjectStat was = statQuietly(p.from(), name);
      IndexRecord fromRecord = indexes[p.from()].get(name);
      IndexRecord toRecord = indexes[p.to()].get(name);
      int flags = fromRecord != null ? fromRecord.flags() : toRecord != null ? toRecord.flags()
          : persistent(p.to()) ? 0 : ObjectFlag.EPHEMERAL.bit();
      if (at != null) {
        indexes[p.to()].put(name, IndexRecord.of(at, flags));
        indexes[p.from()].remove(name);
        if (was != null && configs[p.from()].has(TierFlag.WRITABLE)) {
          tiers[p.from()].delete(name);
        }
        finished++;
      } else {
        indexes[p.to()].remove(name);
        if (was != null && fromRecord == null) {
          indexes[p.from()].put(name, IndexRecord.of(was, flags));
        }
        undone++;
      }
      log.info("move of {} from {} to {} cut short by the end of the last run: {}", LogText.name(name),
          configs[p.from()].name(), configs[p.to()].name(), at != null ? "finished" : "undone");
    }
    journal.restart();
    log.info("migration journal: {} moves finished, {} undone", finished, undone);
  }

  private void startLifecycle(boolean background) {
    if (!background || policy.intervalMillis() == 0) {
      return;
    }
    lifecycleTimer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "objmapper-lifecycle");
      t.setDaemon(true);
      return t;
    });
    lifecycleTimer.scheduleWithFixedDelay(() -> {
      try {
        runLifecycle();
      } catch (IllegalStateException closing) {
        // the store is closing
      } catch (RuntimeException ex) {
        log.warn("lifecycle round failed: {}", ex.toString(), ex);
      }
    }, policy.intervalMillis(), policy.intervalMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public MigrationRound runLifecycle() {
    roundLock.lock();
    try {
      checkOpen();
      long started = clock.getAsLong();
      int allowed = allowedMoves(started);
      double lambda = hotness.lambdaPerNano();
      double hotHeat = Hotness.heatOf(policy.hotThreshold());
      List<Planner.Copy> hot = new ArrayList<>();
      global.forEach(e -> {
        double h = e.foldHeat(started, lambda);
        if (h > hotHeat && !ObjectFlag.PINNED.in(e.flags())) {
          hot.add(copyOf(e, e.tierId(), h, e.homeTierId()));
        }
      });
      List<Planner.TierView> views = new ArrayList<>();
      List<List<Planner.Copy>> residents = new ArrayList<>();
      for (int t : bySpeed) {
        views.add(new Planner.TierView(t, persistent(t), tiers[t].isLocal(), configs[t].has(TierFlag.WRITABLE),
            configs[t].has(TierFlag.MIGRATION_SRC), configs[t].has(TierFlag.MIGRATION_DST), configs[t].capacityBytes(),
            tiers[t].usedBytes() + reserved.get(t)));
        residents.add(mayLeave(t) ? residentsOf(t, started, lambda) : List.of());
      }
      Planner planner = new Planner(policy, views, allowed, draining);
      List<Planner.Move> moves = planner.plan(residents, hot);
      draining = planner.draining();
      java.util.Map<String, JournalSlot> slots = registerMoves(moves);
      Tally tally = new Tally();
      // Moves that make room first, then the promotions that may need it. Within each group the
      // moves run on two threads while the store is quiet (one move's syncs overlap another's
      // copy), on one while requests come faster than a quarter of the busy rate: a second
      // mover would take the CPU the requests need.
      int threads = requestRate < policy.busyRequestsPerSecond() / 4.0 ? MIGRATION_THREADS : 1;
      List<Planner.Move> down = new ArrayList<>();
      List<Planner.Move> up = new ArrayList<>();
      for (Planner.Move m : moves) {
        (m.kind() == Planner.Kind.PROMOTE ? up : down).add(m);
      }
      carryOutAll(down, slots, tally, threads);
      carryOutAll(up, slots, tally, threads);
      for (JournalSlot slot : slots.values()) {
        endUnused(slot); // moves not reached (the store is closing)
      }
      int promoted = tally.promoted.get();
      int demoted = tally.demoted.get();
      int evicted = tally.evicted.get();
      int failed = tally.failed.get();
      long bytes = tally.bytes.get();
      long nanos = clock.getAsLong() - started;
      rounds.increment();
      promotions.add(promoted);
      demotions.add(demoted);
      lifecycleEvictions.add(evicted);
      moveFailures.add(failed);
      MigrationRound round = new MigrationRound(promoted, demoted, evicted, bytes, failed, allowed, threads, nanos);
      if (!moves.isEmpty()) {
        log.info("lifecycle round: {} promoted, {} demoted, {} evicted, {} bytes moved, {} failed in {} ms"
            + " ({} requests/s, at most {} moves on {} threads); tiers {}", promoted, demoted, evicted, bytes, failed,
            nanos / 1_000_000, Math.round(requestRate), allowed, threads, usageSummary());
      } else {
        log.debug("lifecycle round: nothing to move (at most {} moves); tiers {}", allowed, usageSummary());
      }
      return round;
    } finally {
      roundLock.unlock();
    }
  }

  /** What a round's moves did, counted from the threads that made them. */
  private static final class Tally {
    final java.util.concurrent.atomic.AtomicInteger promoted = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger demoted = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger evicted = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicLong bytes = new java.util.concurrent.atomic.AtomicLong();
  }

  /** Moves made at once by a round on a quiet store: two overlap one's syncs with the other's copy. */
  private static final int MIGRATION_THREADS = 2;

  /** Carries out {@code moves} on up to {@code threads} threads and waits for them all. */
  private void carryOutAll(List<Planner.Move> moves, java.util.Map<String, JournalSlot> slots, Tally tally,
      int threads) {
    if (moves.size() <= 1 || threads <= 1) {
      moves.forEach(m -> carryOutCounted(m, slots.get(m.name()), tally));
      return;
    }
    if (migrators == null) {
      migrators = Executors.newFixedThreadPool(MIGRATION_THREADS, r -> {
        Thread t = new Thread(r, "objmapper-migrate");
        t.setDaemon(true);
        return t;
      });
    }
    java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    Runnable worker = () -> {
      for (int i; (i = next.getAndIncrement()) < moves.size(); ) {
        Planner.Move m = moves.get(i);
        carryOutCounted(m, slots.get(m.name()), tally);
      }
    };
    List<java.util.concurrent.Future<?>> running = new ArrayList<>();
    for (int w = 0; w < Math.min(threads, MIGRATION_THREADS); w++) {
      running.add(migrators.submit(worker));
    }
    for (java.util.concurrent.Future<?> f : running) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while moving objects", e);
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException("a move failed unexpectedly", e.getCause());
      }
    }
  }

  private void carryOutCounted(Planner.Move m, JournalSlot slot, Tally tally) {
    if (closed) {
      return;
    }
    try {
      long n = carryOut(m, slot);
      if (n < 0) {
        return; // the object changed since the plan
      }
      tally.bytes.addAndGet(n);
      switch (m.kind()) {
        case PROMOTE -> tally.promoted.incrementAndGet();
        case DEMOTE -> tally.demoted.incrementAndGet();
        case EVICT -> tally.evicted.incrementAndGet();
      }
    } catch (CapacityException ex) {
      // The room the plan counted on went meanwhile (a write took it, or the object grew):
      // the object stays where it is; the next round plans with what is there then.
      log.debug("lifecycle: {} stays on {}: {}", LogText.name(m.name()), configs[m.from()].name(),
          LogText.cut(ex.getMessage(), LogText.MAX_ERROR_CHARS));
    } catch (ObjMapperException | IllegalStateException ex) {
      if (closed) {
        return;
      }
      tally.failed.incrementAndGet();
      log.warn("lifecycle: cannot move {} from {} to {}: {}", LogText.name(m.name()), configs[m.from()].name(),
          m.to() < 0 ? "nowhere (delete)" : configs[m.to()].name(), LogText.cut(ex.getMessage(), LogText.MAX_ERROR_CHARS));
    } finally {
      endUnused(slot);
    }
  }

  /**
   * Puts the round's moves that delete their source in the journal at once (one sync), so
   * that each does not sync on its own.
   */
  private java.util.Map<String, JournalSlot> registerMoves(List<Planner.Move> moves) {
    java.util.Map<String, JournalSlot> slots = new java.util.HashMap<>();
    if (journal == null) {
      return slots;
    }
    List<MigrationJournal.Pending> real = new ArrayList<>();
    for (Planner.Move m : moves) {
      if (m.to() >= 0 && !m.keepSource() && !m.dropCache()) {
        real.add(new MigrationJournal.Pending(m.name(), m.from(), m.to()));
      }
    }
    if (real.isEmpty()) {
      return slots;
    }
    try {
      long[] seqs = journal.beginAll(real);
      for (int i = 0; i < seqs.length; i++) {
        MigrationJournal.Pending p = real.get(i);
        slots.put(p.name(), new JournalSlot(seqs[i], p.from(), p.to()));
      }
    } catch (IOException ex) {
      log.warn("migration journal: cannot register the round's moves, each registers itself: {}", ex.toString());
    }
    return slots;
  }

  /** Ends a registered move that was not made (synced: see {@link MigrationJournal#beginAll}). */
  private void endUnused(JournalSlot slot) {
    if (slot != null && slot.seq != 0) {
      try {
        journal.end(slot.seq, true);
      } catch (IOException ex) {
        log.warn("migration journal: {}", ex.toString());
      }
      slot.seq = 0;
    }
  }

  /** The batch size, scaled down by the request rate since the last round when it is above the busy rate. */
  private int allowedMoves(long now) {
    long requests = lookups.sum();
    double secs = (now - lastRoundNanos) / 1e9;
    double rate = secs > 0 ? (requests - lastRoundLookups) / secs : 0;
    requestRate = rate;
    lastRoundNanos = now;
    lastRoundLookups = requests;
    int batch = policy.migrationBatchSize();
    if (rate <= policy.busyRequestsPerSecond()) {
      return batch;
    }
    busyRounds.increment();
    return (int) Math.max(1, Math.floor(batch * policy.busyRequestsPerSecond() / rate));
  }

  /** True if the lifecycle may take objects off tier {@code t}: its residents are worth listing. */
  private boolean mayLeave(int t) {
    if (!tiers[t].isLocal()) {
      return false;
    }
    if (!persistent(t)) {
      return true; // cached copies may be dropped, ephemeral objects moved or evicted
    }
    if (!configs[t].has(TierFlag.MIGRATION_SRC)) {
      return false;
    }
    for (int d = 0; d < tiers.length; d++) {
      if (d != t && configs[d].perfFactor() >= configs[t].perfFactor() && configs[d].has(TierFlag.MIGRATION_DST)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The copies on tier {@code t} with their heat. Heat lives in memory only: an object not
   * used since the store opened has none, which means "unused lately" once the store has
   * been open for a half-life, and "not known" before (after a restart the hot set must not
   * be demoted for want of history; a stat or a placement query is not a use).
   */
  private List<Planner.Copy> residentsOf(int t, long now, double lambda) {
    boolean settled = now - openedNanos >= TimeUnit.MILLISECONDS.toNanos(policy.hotnessHalfLifeMillis());
    List<Planner.Copy> out = new ArrayList<>();
    indexes[t].forEach("/", (name, r) -> {
      Entry g = global.peek(name);
      double h = g != null ? g.heatAt(now, lambda) : 0;
      int home = g != null && g.tierId() == t ? g.homeTierId() : homeOf(name, t, r.flags());
      out.add(new Planner.Copy(name, t, r.size(), ObjectFlag.PINNED.in(r.flags()),
          ObjectFlag.EPHEMERAL.in(r.flags()), h, home, settled || (g != null && g.accesses() > 0)));
    });
    return out;
  }

  private static Planner.Copy copyOf(Entry e, int tier, double heat, int home) {
    return new Planner.Copy(e.name(), tier, e.size(), ObjectFlag.PINNED.in(e.flags()),
        ObjectFlag.EPHEMERAL.in(e.flags()), heat, home);
  }

  /**
   * Carries out a planned move if the object is still where the plan saw it.
   *
   * @return bytes copied, or -1 if the object moved, changed or went since the plan
   */
  private long carryOut(Planner.Move m, JournalSlot slot) {
    enterWrite();
    ReentrantLock lock = stripe(m.name());
    lock.lock();
    try {
      Entry e = locate(m.name());
      if (e == null || e.tierId() != m.from() || ObjectFlag.PINNED.in(e.flags())) {
        return -1;
      }
      if (m.to() < 0) {
        return evictForGood(e);
      }
      return relocate(e, m.to(), slot);
    } finally {
      lock.unlock();
      writers.readLock().unlock();
    }
  }

  /** Deletes {@code e} from every tier (eviction from the last tier of a store with no persistent tier). */
  private long evictForGood(Entry e) {
    try {
      for (int t = 0; t < tiers.length; t++) {
        removeFrom(t, e.name());
      }
    } finally {
      global.remove(e.name());
      fds.invalidate(e.name());
    }
    log.debug("evicted {} from {}: no tier below it", LogText.name(e.name()), configs[e.tierId()].name());
    return 0;
  }

  private String usageSummary() {
    StringBuilder b = new StringBuilder("[");
    for (int t = 0; t < tiers.length; t++) {
      if (t > 0) {
        b.append(", ");
      }
      b.append(configs[t].name()).append(' ').append(tiers[t].objectCount()).append(" objects ")
          .append(tiers[t].usedBytes());
      if (configs[t].capacityBytes() != TierConfig.UNLIMITED) {
        b.append('/').append(configs[t].capacityBytes());
      }
      b.append(" bytes");
    }
    return b.append(']').toString();
  }

  @Override
  public Optional<Placement> placement(String name) {
    checkOpen();
    ObjectNames.validate(name);
    Entry e = locate(name);
    if (e == null) {
      return Optional.empty();
    }
    double heat = e.heatAt(clock.getAsLong(), hotness.lambdaPerNano());
    double score = Hotness.score(heat);
    int t = e.tierId();
    String home = configs[e.cached() ? e.homeTierId() : t].name();
    return Optional.of(new Placement(name, configs[t].name(), t, home, score, heat, e.accesses(),
        reason(e, score)));
  }

  private String reason(Entry e, double score) {
    int t = e.tierId();
    String s = String.format(java.util.Locale.ROOT, "%.2f", score);
    StringBuilder r = new StringBuilder();
    boolean settled = clock.getAsLong() - openedNanos >= TimeUnit.MILLISECONDS.toNanos(policy.hotnessHalfLifeMillis());
    if (ObjectFlag.PINNED.in(e.flags())) {
      r.append("pinned: the policy never moves it");
    } else if (e.accesses() == 0 && !settled) {
      r.append("not used since the store opened: its heat is not known yet, so it is not demoted as cold")
          .append(" before a half-life has passed");
    } else if (score > policy.hotThreshold()) {
      int up = -1;
      for (int u : bySpeed) {
        if (configs[u].perfFactor() >= configs[t].perfFactor()) {
          break;
        }
        if (configs[u].has(TierFlag.MIGRATION_DST) && configs[u].has(TierFlag.WRITABLE) && tiers[u].isLocal()
            && configs[t].has(TierFlag.MIGRATION_SRC) && !(ObjectFlag.EPHEMERAL.in(e.flags()) && persistent(u))) {
          up = u;
          break;
        }
      }
      r.append("hot (").append(s).append(" > ").append(fmt(policy.hotThreshold())).append(')')
          .append(up >= 0 ? ": moves up to " + configs[up].name() + " when it has room"
              : ", on the fastest tier it may use");
    } else if (score < policy.coldThreshold()) {
      r.append("cold (").append(s).append(" < ").append(fmt(policy.coldThreshold())).append(')')
          .append(e.cached() ? ": its cached copy is dropped next round" : "");
    } else {
      r.append("warm (").append(s).append(" between ").append(fmt(policy.coldThreshold())).append(" and ")
          .append(fmt(policy.hotThreshold())).append("): stays");
    }
    if (e.cached()) {
      r.append("; a cached copy of the one on ").append(configs[e.homeTierId()].name());
    }
    if (ObjectFlag.EPHEMERAL.in(e.flags())) {
      r.append("; EPHEMERAL: volatile tiers only");
    }
    return r.toString();
  }

  private static String fmt(double v) {
    return String.format(java.util.Locale.ROOT, "%.2f", v);
  }

  @Override
  public ObjMapperStats stats() {
    List<ObjMapperStats.TierStats> ts = new ArrayList<>(tiers.length);
    for (int t = 0; t < tiers.length; t++) {
      ts.add(new ObjMapperStats.TierStats(configs[t].name(), t, configs[t].type(), persistent(t),
          tiers[t].objectCount(), tiers[t].usedBytes(), configs[t].capacityBytes()));
    }
    ObjMapperStats.Lifecycle lc = new ObjMapperStats.Lifecycle(rounds.sum(), promotions.sum(), demotions.sum(),
        lifecycleEvictions.sum(), manualMoves.sum(), bytesMoved.sum(), moveFailures.sum(), busyRounds.sum());
    return new ObjMapperStats(lookups.sum(), global.hits(), global.misses(), notFound.sum(), fds.hits(),
        fds.misses(), fds.opens(), fds.evictions(), fds.staleDetected(), fds.size(), ts, lc);
  }

  @Override
  public List<TierConfig> tiers() {
    return List.of(configs);
  }

  @Override
  public ObjectServer.Builder server() {
    ObjectServer.Builder b = ObjectServer.builder(handler);
    if (config != null) {
      config.configure(b);
    }
    return b;
  }

  // ---- C-compatible writes ----------------------------------------------------------------

  // ---- helpers ----------------------------------------------------------------------------

  private ObjectInfo info(Entry e) {
    return ObjectInfo.of(e.name(), e.size(), e.mtimeMillis(), configs[e.tierId()].name(), e.tierId(), e.flags());
  }

  private int tierId(String name) {
    for (int t = 0; t < configs.length; t++) {
      if (configs[t].name().equals(name)) {
        return t;
      }
    }
    throw new TierRuleException("no tier named \"" + name + "\"; tiers: "
        + Arrays.stream(configs).map(TierConfig::name).toList());
  }

  private boolean persistent(int t) {
    return configs[t].has(TierFlag.PERSISTENT);
  }

  private void warnCannotStat(int t, String name, IOException e) {
    long suppressed = STAT_WARNINGS.acquire(configs[t].name());
    if (suppressed >= 0) {
      log.warn("tier {}: cannot stat {}: {}{}", configs[t].name(), LogText.name(name), LogText.error(e),
          LogText.suppressed(suppressed));
    }
  }

  private ObjectStat statQuietly(int t, String name) {
    try {
      return tiers[t].stat(name);
    } catch (IOException e) {
      warnCannotStat(t, name, e);
      return null;
    }
  }

  private ReentrantLock stripe(String name) {
    int h = name.hashCode();
    return stripes[(h ^ (h >>> 16)) & (STRIPES - 1)];
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("closed");
    }
  }

  @Override
  public void close() {
    synchronized (closeLock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    if (lifecycleTimer != null) {
      lifecycleTimer.shutdown(); // a round in progress stops at its next move
    }
    writers.writeLock().lock(); // waits for puts, deletes and moves in progress
    writers.writeLock().unlock();
    roundLock.lock(); // and for the round to notice
    try {
      if (migrators != null) {
        migrators.shutdown();
      }
    } finally {
      roundLock.unlock();
    }
    fds.invalidateAll();
    closeQuietly(journal);
    for (int t = 0; t < tiers.length; t++) {
      closeQuietly(indexes[t]);
      closeQuietly(tiers[t]);
    }
    log.info("store closed after {} lookups (descriptor cache hit rate {})", lookups.sum(),
        String.format(java.util.Locale.ROOT, "%.3f", fds.hitRate()));
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception e) {
        log.warn("close failed: {}", e.toString());
      }
    }
  }
}
