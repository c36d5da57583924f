package io.objmapper;

import io.objmapper.internal.config.BackendConfig;
import io.objmapper.internal.config.BackendFlag;
import io.objmapper.internal.config.ObjMapperConfig;
import io.objmapper.internal.fdcache.FdCache;
import io.objmapper.internal.fdcache.OpenFile;
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
import java.util.concurrent.atomic.LongAdder;
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

  private StorageEngine(ObjMapper.Builder b, Tier[] tiers, TierIndex[] indexes) {
    this.tiers = tiers;
    this.indexes = indexes;
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
  }

  /** Opens tiers and indexes; closes what it opened if anything fails. */
  static StorageEngine open(ObjMapper.Builder b) throws IOException {
    TierProviders providers = b.providers != null ? b.providers : TierProviders.installed();
    List<TierConfig> list = b.tiers;
    Tier[] tiers = new Tier[list.size()];
    TierIndex[] indexes = new TierIndex[list.size()];
    Set<String> names = new java.util.HashSet<>();
    try {
      for (int i = 0; i < list.size(); i++) {
        TierConfig c = list.get(i);
        if (!names.add(c.name())) {
          throw new IllegalArgumentException("two tiers are named \"" + c.name() + "\"");
        }
        tiers[i] = providers.open(c);
        indexes[i] = TierIndexes.open(tiers[i], b.persistIndexes, b.expectedObjects);
        log.debug("tier {} ({}, {}) open: {} objects, {} bytes", c.name(), c.type(),
            tiers[i].config().has(TierFlag.PERSISTENT) ? "persistent" : "volatile", tiers[i].objectCount(),
            tiers[i].usedBytes());
      }
      StorageEngine e = new StorageEngine(b, tiers, indexes);
      e.dropStaleVolatileCopies();
      // The one line of the store's start (each tier logs its own open); nothing is logged per
      // request at INFO.
      log.info("store open: {} tiers {}, max_open_fds {}", tiers.length,
          Arrays.stream(e.configs).map(TierConfig::name).toList(), b.maxOpenFds);
      return e;
    } catch (IOException | RuntimeException e) {
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
          log.warn("tier {}: cannot stat {}: {}", configs[t].name(), name, ex.toString());
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
        Entry e = new Entry(name, t, r.size(), r.mtimeMillis(), r.flags());
        global.put(e);
        return e;
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
      log.debug("staged {} from {} onto {}", name, configs[remote].name(), configs[target].name());
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
    return write(name, data.length, flags, (t, room) -> t.write(name, data));
  }

  @Override
  public ObjectInfo put(String name, InputStream data, ObjectFlag... flags) {
    // The length is not known before the end: the stream may fill the room left on the
    // chosen tier and no more (it cannot be read again to try the next tier).
    return write(name, -1, flags,
        (t, room) -> t.write(name, room == TierConfig.UNLIMITED ? data : new CappedStream(data, room)));
  }

  @Override
  public ObjectInfo put(String name, Path file, ObjectFlag... flags) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      return write(name, size, flags, (t, room) -> t.write(name, ch, 0, size));
    } catch (NoSuchFileException e) {
      throw new StorageException("no such file: " + file, e);
    } catch (IOException e) {
      throw new StorageException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private interface TierWrite {
    /** Writes to {@code tier}, which has {@code room} bytes left for the object. */
    ObjectStat to(Tier tier, long room) throws IOException;
  }

  /** A source stream that fails once it yields more than the room left on its tier. */
  private static final class CappedStream extends FilterInputStream {
    private long left;

    CappedStream(InputStream in, long room) {
      super(in);
      this.left = room;
    }

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

    private void take(long n) throws RoomExceeded {
      left -= n;
      if (left < 0) {
        throw new RoomExceeded();
      }
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
    int target;
    try {
      target = placement(name, mask, size);
    } catch (RuntimeException e) {
      writers.readLock().unlock();
      throw e;
    }
    ReentrantLock lock = stripe(name);
    lock.lock();
    try {
      ObjectStat s;
      try {
        s = w.to(tiers[target], room(target, name));
      } catch (RoomExceeded e) {
        throw new CapacityException("object " + name + " outgrew the room left on tier " + configs[target].name());
      } catch (IOException e) {
        throw new StorageException("cannot store " + name + " on " + configs[target].name() + ": " + e.getMessage(), e);
      }
      Entry e = new Entry(name, target, s.size(), s.mtimeMillis(), mask);
      boolean indexed = false;
      try {
        indexes[target].put(name, IndexRecord.of(s, mask));
        // An overwrite leaves no older copy on another tier.
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
      lock.unlock();
      writers.readLock().unlock();
    }
  }

  /**
   * The tier a new object goes to: the fastest writable one its flags allow with room for
   * it ({@code size < 0}, a stream: with any room left).
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
      long room = room(t, name);
      if (size < 0 ? room > 0 : size <= room) {
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

  /**
   * Bytes object {@code name} may take on tier {@code t}: its capacity less what the tier
   * holds, plus what the version being replaced there takes; {@link TierConfig#UNLIMITED} if
   * the tier has no capacity set.
   */
  private long room(int t, String name) {
    long capacity = configs[t].capacityBytes();
    if (capacity == TierConfig.UNLIMITED) {
      return TierConfig.UNLIMITED;
    }
    IndexRecord old = indexes[t].get(name);
    return Math.max(0, capacity - tiers[t].usedBytes() + (old == null ? 0 : old.size()));
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
          found.put(name, new ObjectInfo(name, r.size(), r.mtimeMillis(), configs[t].name(), t, r.flags())));
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
      if (e.tierId() == target) {
        return info(e);
      }
      if (ObjectFlag.EPHEMERAL.in(e.flags()) && persistent(target)) {
        throw new TierRuleException("EPHEMERAL object " + name + " may not move to persistent tier " + tierName);
      }
      if (!configs[target].has(TierFlag.WRITABLE)) {
        throw new TierRuleException("tier " + tierName + " is not writable");
      }
      int source = e.tierId();
      ObjectStat s;
      try {
        s = copy(name, source, target);
      } catch (IOException ex) {
        throw new StorageException("cannot move " + name + ": " + ex.getMessage(), ex);
      }
      indexes[target].put(name, IndexRecord.of(s, e.flags()));
      Entry moved = new Entry(name, target, s.size(), s.mtimeMillis(), e.flags());
      global.put(moved);
      fds.invalidate(name);
      removeFrom(source, name);
      return info(moved);
    } finally {
      lock.unlock();
      writers.readLock().unlock();
    }
  }

  /**
   * Copies object {@code name} from tier {@code source} to tier {@code target}: a local
   * source through its file channel, a remote one through its stream.
   *
   * @throws CapacityException if it does not fit the room left on the target; nothing is written
   */
  private ObjectStat copy(String name, int source, int target) throws IOException {
    if (tiers[source].isLocal()) {
      try (FileChannel in = tiers[source].openRead(name)) {
        requireRoom(name, in.size(), target);
        return tiers[target].write(name, in, 0, in.size());
      }
    }
    ObjectStat stat = tiers[source].stat(name);
    if (stat == null) {
      throw new ObjectNotFoundException("no object " + name + " on tier " + configs[source].name());
    }
    requireRoom(name, stat.size(), target);
    try (InputStream in = tiers[source].openStream(name)) {
      return tiers[target].write(name, in);
    }
  }

  private void requireRoom(String name, long size, int target) {
    if (size > room(target, name)) {
      throw new CapacityException("object " + name + " of " + size + " bytes does not fit on tier "
          + configs[target].name());
    }
  }

  @Override
  public ObjMapperStats stats() {
    List<ObjMapperStats.TierStats> ts = new ArrayList<>(tiers.length);
    for (int t = 0; t < tiers.length; t++) {
      ts.add(new ObjMapperStats.TierStats(configs[t].name(), t, configs[t].type(), persistent(t),
          tiers[t].objectCount(), tiers[t].usedBytes(), configs[t].capacityBytes()));
    }
    return new ObjMapperStats(lookups.sum(), global.hits(), global.misses(), notFound.sum(), fds.hits(),
        fds.misses(), fds.opens(), fds.evictions(), fds.staleDetected(), fds.size(), ts);
  }

  @Override
  public List<TierConfig> tiers() {
    return List.of(configs);
  }

  @Override
  public ObjectServer.Builder server() {
    ObjectServer.Builder b = ObjectServer.builder(handler);
    if (config != null) {
      b.minWorkers(config.threadPool().minWorkers())
          .maxWorkers(config.threadPool().maxWorkers())
          .workerStackSize(config.threadPool().workerStackSize())
          .maxPipeline(config.protocol().maxPipeline())
          .capabilities(config.protocol().capabilityMask() & io.objmapper.protocol.Capabilities.SUPPORTED)
          .socketPermissions(config.server().socketPermissions())
          .maxConnections(Math.min(config.server().maxConnections(), config.threadPool().maxWorkers()))
          .idleTimeoutMillis(config.server().idleTimeoutMs())
          .shutdownGraceMillis(config.server().shutdownGraceMs())
          .cCompat(config.server().cCompat());
      if (config.server().requestTimeoutMs() > 0) {
        b.requestTimeoutMillis(config.server().requestTimeoutMs());
      }
    }
    return b;
  }

  // ---- C-compatible writes ----------------------------------------------------------------

  // ---- helpers ----------------------------------------------------------------------------

  private ObjectInfo info(Entry e) {
    return new ObjectInfo(e.name(), e.size(), e.mtimeMillis(), configs[e.tierId()].name(), e.tierId(), e.flags());
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

  private ObjectStat statQuietly(int t, String name) {
    try {
      return tiers[t].stat(name);
    } catch (IOException e) {
      log.warn("tier {}: cannot stat {}: {}", configs[t].name(), name, e.toString());
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
    writers.writeLock().lock(); // waits for puts, deletes and moves in progress
    writers.writeLock().unlock();
    fds.invalidateAll();
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

  /** A tier's settings from a configuration file's backend. */
  static TierConfig tierConfig(BackendConfig b, int id) {
    EnumSet<TierFlag> flags = EnumSet.noneOf(TierFlag.class);
    for (BackendFlag f : b.flags()) {
      flags.add(TierFlag.valueOf(f.name()));
    }
    TierConfig.Builder t = TierConfig.builder()
        .name(b.name())
        .type(b.type())
        .id(id)
        .root(b.mountPath())
        .capacityBytes(b.capacityBytes())
        .perfFactor(b.perfFactor())
        .flags(flags)
        .persistIndex(b.persistIndex());
    if (b.persistIndex()) {
      // BackendConfig always names an index path (a default one if the file gave none);
      // TierConfig takes one only for a persisted index.
      t.indexPath(b.indexPath());
    }
    return t.build();
  }
}
