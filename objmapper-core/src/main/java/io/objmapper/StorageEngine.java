package io.objmapper;

import io.objmapper.internal.config.ObjMapperConfig;
import io.objmapper.internal.fdcache.FdCache;
import io.objmapper.internal.fdcache.OpenFile;
import io.objmapper.internal.lifecycle.Hotness;
import io.objmapper.internal.lifecycle.LifecycleRunner;
import io.objmapper.internal.lifecycle.MigrationJournal;
import io.objmapper.internal.serving.StoreAccess;
import io.objmapper.internal.store.Entry;
import io.objmapper.internal.store.GlobalIndex;
import io.objmapper.internal.store.TierIndex;
import io.objmapper.internal.store.TierIndexes;
import io.objmapper.spi.LocalFiles;
import io.objmapper.spi.ObjectNames;
import io.objmapper.spi.Tier;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import io.objmapper.spi.TierProviders;
import io.objmapper.spi.dir.DirectoryTier;
import io.objmapper.spi.dir.SourceFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store behind {@link ObjMapper}: a front that opens the tiers and wires the rooms that
 * do the work, each one job:
 * <ul>
 *   <li>{@link TierSet}: the tiers, their indexes and predicates;
 *   <li>{@link ReadPath}: lookup → shared descriptor (the request path);
 *   <li>{@link Writes} and {@link TierSpace}: puts, deletes and the room on each tier;
 *   <li>{@link Mover}: every move between tiers (by hand, by the lifecycle, cached copies);
 *   <li>{@link LifecycleRunner} (seeing the store through {@link LifecycleView}): rounds;
 *   <li>{@link Placements}: where an object is and why;
 *   <li>{@link Recovery}: what is put right at open.
 * </ul>
 * It offers servers {@link StoreAccess} without knowing them.
 */
final class StorageEngine implements ObjMapper, StoreAccess {
  private static final Logger log = LoggerFactory.getLogger(StorageEngine.class);

  private final TierSet set;
  private final FdCache fds;
  private final GlobalIndex global;
  /** Most passes a listing makes over the tier indexes ({@link #list}). */
  private static final int LIST_PASSES = 4;
  private final NameLocks locks = new NameLocks();
  private final ObjMapperConfig config;
  private final ReadPath read;
  private final Writes writes;
  private final Mover mover;
  private final Placements placements;
  private final LifecycleRunner lifecycle;

  private final StagedCopies staged;

  private StorageEngine(ObjMapper.Builder b, TierSet set, MigrationJournal journal, StagedJournal stagedJournal) {
    this.set = set;
    this.config = b.config;
    this.global = new GlobalIndex(b.globalIndexEntries);
    this.fds = new FdCache(Math.max(1, (long) Math.floor(b.maxOpenFds * b.fdEvictThreshold)), b.revalidateMillis,
        b.nanoClock);
    TierSpace space = new TierSpace(set);
    Hotness hotness = new Hotness(TimeUnit.MILLISECONDS.toNanos(b.lifecycle.hotnessHalfLifeMillis()));
    this.staged = new StagedCopies(stagedJournal);
    this.read = new ReadPath(set, space, global, fds, locks, b.nanoClock, staged);
    this.writes = new Writes(set, space, global, fds, locks, b.nanoClock, staged);
    this.mover = new Mover(set, space, global, fds, locks, read, writes, staged, journal, b.migrationSteps);
    this.placements = new Placements(set, read, b.lifecycle, hotness, b.nanoClock, b.nanoClock.getAsLong());
    this.lifecycle = new LifecycleRunner(b.lifecycle, hotness,
        new LifecycleView(set, space, global, read, mover, locks, placements), b.nanoClock);
  }

  /**
   * {@code e}, which tier {@code i}'s provider threw (an unknown type, options it refuses), as
   * the configuration problem it is when the tier is a backend of the configuration file:
   * pointing at the backend's {@code type} or {@code options} in the file. Else {@code e}.
   */
  private static IllegalArgumentException fromConfigFile(ObjMapper.Builder b, int i, TierConfig c,
      IllegalArgumentException e) {
    if (b.configFile == null || b.config == null || i >= b.config.backends().size()
        || e instanceof ConfigurationException) {
      return e;
    }
    String at = "backends[" + i + "]";
    String key = e instanceof io.objmapper.spi.UnknownTierTypeException ? at + ".type"
        : c.options().isEmpty() ? at : at + ".options";
    return io.objmapper.internal.config.ObjMapperConfig.problemIn(b.configFile, key, e.getMessage(), e);
  }

  /** Opens tiers and indexes; closes what it opened if anything fails. */
  static StorageEngine open(ObjMapper.Builder b) throws IOException {
    TierProviders providers = b.providers != null ? b.providers : TierProviders.installed();
    List<TierConfig> list = b.tiers;
    Tier[] tiers = new Tier[list.size()];
    TierIndex[] indexes = new TierIndex[list.size()];
    Set<String> names = new HashSet<>();
    MigrationJournal journal = null;
    StagedJournal stagedJournal = null;
    CompletableFuture<Void> filesSettled = new CompletableFuture<>();
    try {
      for (int i = 0; i < list.size(); i++) {
        TierConfig c = list.get(i);
        if (!names.add(c.name())) {
          throw new IllegalArgumentException("two tiers are named \"" + c.name() + "\"");
        }
        try {
          tiers[i] = providers.open(c);
        } catch (IllegalArgumentException e) {
          throw fromConfigFile(b, i, c, e);
        }
        // The tier's files are walked here at most once: the walk that fills or rebuilds its
        // index also counts it (and is told to the open progress).
        indexes[i] = TierIndexes.open(tiers[i], b.persistIndexes,
            b.expectedObjectsByTier.getOrDefault(c.name(), b.expectedObjects), filesSettled, b.openProgress,
            b.nanoClock);
        log.debug("tier {} ({}, {}) open: {} objects, {} bytes", c.name(), c.type(),
            tiers[i].config().has(TierFlag.PERSISTENT) ? "persistent" : "volatile", tiers[i].objectCount(),
            tiers[i].usedBytes());
      }
      TierSet set = new TierSet(tiers, indexes);
      Path journalFile = Recovery.journalFile(set);
      if (journalFile != null) {
        journal = MigrationJournal.open(journalFile, set.names());
      }
      stagedJournal = Recovery.stagedJournal(set);
      StorageEngine e = new StorageEngine(b, set, journal, stagedJournal);
      Recovery.finishCutShortMoves(set, journal);
      Recovery.restoreStagedCopies(set, e.staged, b.nanoClock.getAsLong());
      Recovery.dropStaleVolatileCopies(set);
      filesSettled.complete(null); // the indexes may now be reconciled with the files
      if (b.backgroundRounds) {
        e.lifecycle.start();
      }
      // The one line of the store's start (each tier logs its own open); nothing is logged per
      // request at INFO.
      log.info("store open: {} tiers {}, max_open_fds {}", tiers.length, set.names(), b.maxOpenFds);
      return e;
    } catch (IOException | RuntimeException e) {
      filesSettled.completeExceptionally(e);
      TierSet.closeQuietly(journal);
      TierSet.closeQuietly(stagedJournal);
      TierSet.closeAll(tiers, indexes);
      throw e;
    }
  }

  // ---- the API ----------------------------------------------------------------------------

  @Override
  public ObjectLease open(String name) {
    OpenFile f = read.acquire(name);
    return new ObjectLease(f, set.name(f.tierId()));
  }

  @Override
  public Optional<ObjectInfo> stat(String name) {
    return read.stat(name).map(e -> info(set, e));
  }

  @Override
  public boolean exists(String name) {
    return stat(name).isPresent();
  }

  @Override
  public ObjectInfo put(String name, byte[] data, ObjectFlag... flags) {
    return writes.write(name, data.length, flags, (t, stream) -> set.tiers[t].write(name, data));
  }

  @Override
  public ObjectInfo put(String name, InputStream data, ObjectFlag... flags) {
    // The length is not known before the end: the stream may fill the room left on the
    // chosen tier and no more (it cannot be read again to try the next tier).
    return writes.write(name, -1, flags, (t, stream) -> set.tiers[t].write(name, stream.wrap(data)));
  }

  @Override
  public ObjectInfo put(String name, Path file, ObjectFlag... flags) {
    try (SourceFile src = SourceFile.open(file)) {
      return writes.write(name, src.size(), flags, // the mode is never widened
          (t, stream) -> DirectoryTier.write(set.tiers[t], name, src.channel(), 0, src.size(), src.mode()));
    } catch (NoSuchFileException e) {
      throw new StorageException("no such file: " + file, e);
    } catch (IOException e) {
      throw new StorageException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public BulkPut bulkPut(ObjectFlag... flags) {
    locks.checkOpen();
    return new BulkWrites(this, set, writes, locks, flags);
  }

  @Override
  public boolean delete(String name) {
    return writes.delete(name);
  }

  @Override
  public List<ObjectInfo> list(String prefix) {
    locks.checkOpen();
    // A move or put indexes the object's new place before it removes the old record: one that
    // went from a tier not read yet to one already read would be missing from a single pass.
    // So when any record was removed during a pass, the tiers are read again and the names
    // still missing are added, until a pass sees no record go (at most four passes): an object
    // that moved once while the listing read is then named.
    TreeMap<String, ObjectInfo> found = null;
    for (int pass = 0; pass < LIST_PASSES; pass++) {
      long removedBefore = set.unindexed();
      TreeMap<String, ObjectInfo> seen = new TreeMap<>();
      for (int i = set.bySpeed.length - 1; i >= 0; i--) { // faster tiers overwrite slower ones
        int t = set.bySpeed[i];
        set.indexes[t].forEach(prefix, (name, r) ->
            seen.put(name, ObjectInfo.of(name, r.size(), r.mtimeMillis(), set.name(t), t, r.flags())));
      }
      if (found == null) {
        found = seen;
      } else {
        seen.forEach(found::putIfAbsent);
      }
      if (set.unindexed() == removedBefore) {
        break;
      }
    }
    return new ArrayList<>(found.values());
  }

  @Override
  public ObjectInfo move(String name, String tierName) {
    return mover.move(name, tierName);
  }

  @Override
  public Optional<Placement> placement(String name) {
    locks.checkOpen();
    return placements.placement(name);
  }

  @Override
  public MigrationRound runLifecycle() {
    return lifecycle.runRound();
  }

  @Override
  public ObjMapperStats stats() {
    writes.writtenThrough.settleAll(); // bytes clients wrote through writable descriptors
    List<ObjMapperStats.TierStats> ts = new ArrayList<>(set.size());
    for (int t = 0; t < set.size(); t++) {
      TierConfig c = set.configs[t];
      ts.add(new ObjMapperStats.TierStats(c.name(), t, c.type(), set.persistent(t), set.tiers[t].objectCount(),
          set.tiers[t].usedBytes(), c.capacityBytes()));
    }
    LifecycleRunner.Counters n = lifecycle.counters();
    ObjMapperStats.Lifecycle lc = new ObjMapperStats.Lifecycle(n.rounds(), n.promotions(), n.demotions(),
        n.evictions(), mover.manualMoves.sum(), mover.bytesMoved.sum(), n.failures(), n.busyRounds());
    return new ObjMapperStats(read.lookups.sum(), global.hits(), global.misses(), read.notFound.sum(), fds.hits(),
        fds.misses(), fds.opens(), fds.evictions(), fds.staleDetected(), fds.size(), ts, lc);
  }

  @Override
  public List<TierConfig> tiers() {
    return List.of(set.configs);
  }

  // ---- what a server asks (StoreAccess) ---------------------------------------------------

  @Override
  public OpenFile acquire(String uri) {
    return read.acquire(uri);
  }

  @Override
  public boolean mayBlock(String uri) {
    return read.mayBlock(uri);
  }

  /**
   * The C server's write mode: the object, created empty (through put) if missing, open
   * for reading and writing. What the client writes through the descriptor changes the
   * file behind the store's back: the descriptor cache notices it at its next
   * revalidation, the index at the object's next read or stat, and the tier's counts at the
   * next stats snapshot or write of the name ({@link WrittenThrough}), or at the tier's next
   * open, which scans.
   *
   * <p>An indexed object on a local tier costs one open and one {@code fstat} (no stat of
   * its path first): this runs for every request of a C-compatible server. Only a miss
   * (a new object, a file gone behind the index, or one a move took elsewhere) takes the slow
   * way, which asks the tier and creates the object; it holds the name's lock throughout, as
   * puts and moves do, so no put or move of the name can come between its finding the object
   * missing and its creating it empty (which would replace what that put or move wrote), nor
   * between its finding the object and opening it.
   */
  @Override
  public WritableFile openWritable(String uri) {
    ObjectNames.validate(uri);
    Entry e = read.locate(uri);
    if (e != null && !e.cached() && set.local(e.tierId())) {
      fds.invalidate(uri);
      try {
        return writable(uri, e);
      } catch (ObjectNotFoundException gone) {
        // removed behind the index, or moved: the slow way reconciles, and creates it if it is gone
      }
    }
    ReentrantLock lock = locks.lockForWrite(uri);
    try {
      if (!exists(uri)) {
        put(uri, new byte[0]);
      }
      e = read.locate(uri);
      if (e != null && e.cached()) {
        e = mover.dropCacheForWriting(e);
      }
      if (e == null || !set.local(e.tierId())) {
        throw new ObjectNotFoundException("no object " + uri);
      }
      fds.invalidate(uri);
      return writable(uri, e);
    } finally {
      locks.unlock(lock);
    }
  }

  /** True if {@link #openWritable} would create {@code uri} or move a cached copy (may block). */
  @Override
  public boolean mayBlockWritable(String uri) {
    Entry e = read.locate(uri);
    return e == null || e.cached() || !set.local(e.tierId());
  }

  private WritableFile writable(String uri, Entry e) {
    try {
      LocalFiles.ReadWrite f = set.files(e.tierId()).openReadWriteDescriptor(uri);
      WritableFile w = new WritableFile(f.stream(), f.size(), Math.floorDiv(e.mtimeMillis(), 1000), e.tierId());
      writes.writtenThrough.handedOut(uri, e.tierId(), e.size());
      return w;
    } catch (NoSuchFileException ex) {
      throw new ObjectNotFoundException("no object " + uri);
    } catch (IOException ex) {
      throw new StorageException("cannot open " + uri + " for writing: " + ex.getMessage(), ex);
    }
  }

  @Override
  public StagedPut stagePut(String uri, int flagMask) {
    return writes.stage(uri, flagMask);
  }

  @Override
  public ObjMapperConfig config() {
    return config;
  }

  static ObjectInfo info(TierSet set, Entry e) {
    return ObjectInfo.of(e.name(), e.size(), e.mtimeMillis(), set.name(e.tierId()), e.tierId(), e.flags());
  }

  @Override
  public void close() {
    if (!locks.close()) {
      return;
    }
    lifecycle.stopTimer(); // a round in progress stops at its next move
    locks.awaitWriters(); // waits for puts, deletes and moves in progress
    lifecycle.close(); // and for the round to notice
    writes.abortStaged(); // puts a client never committed: their temporary files go
    fds.invalidateAll();
    TierSet.closeQuietly(mover.journal());
    TierSet.closeQuietly(staged.journal());
    set.close();
    log.info("store closed after {} lookups (descriptor cache hit rate {})", read.lookups.sum(),
        String.format(java.util.Locale.ROOT, "%.3f", fds.hitRate()));
  }
}
