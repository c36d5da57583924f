package io.objmapper;

import io.objmapper.internal.fdcache.FdCache;
import io.objmapper.internal.fdcache.OpenFile;
import io.objmapper.internal.log.LogText;
import io.objmapper.internal.store.Entry;
import io.objmapper.internal.store.GlobalIndex;
import io.objmapper.internal.store.IndexRecord;
import io.objmapper.spi.ObjectNames;
import io.objmapper.spi.ObjectStat;
import io.objmapper.spi.dir.DirectoryTier;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read path: name → entry → shared descriptor. Lookup order (the fast, medium and slow
 * paths): cached descriptor → global index → per-tier indexes, fastest tier first → asking
 * each tier. Readers take no lock; a hit allocates nothing.
 */
final class ReadPath {
  private static final Logger log = LoggerFactory.getLogger(ReadPath.class);
  /**
   * How many places one open follows an object to (see {@link #movedOn}); an object that
   * moves on that often while it is being opened fails the open, as one replaced again and
   * again between its stat and its open does ({@link FdCache#acquire}).
   */
  private static final int LOOKS = 8;

  private final TierSet set;
  private final GlobalIndex global;
  private final FdCache fds;
  private final NameLocks locks;
  private final LongSupplier clock;
  private final TierSpace space;
  /** Copies staged from remote tiers, revalidated after the remote tier's revalidate_ms. */
  private final StagedCopies stagedCopies;
  final LongAdder lookups = new LongAdder();
  final LongAdder notFound = new LongAdder();

  ReadPath(TierSet set, TierSpace space, GlobalIndex global, FdCache fds, NameLocks locks, LongSupplier clock,
      StagedCopies stagedCopies) {
    this.set = set;
    this.space = space;
    this.stagedCopies = stagedCopies;
    this.global = global;
    this.fds = fds;
    this.locks = locks;
    this.clock = clock;
  }

  /** The shared descriptor of {@code uri} with one reference taken for the caller. */
  OpenFile acquire(String uri) {
    lookups.increment();
    OpenFile f;
    try {
      f = fds.acquireCached(uri);
      if (f != null && stagedCopies.due(uri, clock.getAsLong())) {
        f.release();
        f = null;
        revalidateStaged(uri);
      }
      if (f == null) {
        f = acquireSlow(uri);
      }
    } catch (UncheckedIOException e) { // a file that cannot be opened or asked (EACCES): not a missing one
      throw new StorageException(e.getMessage(), e.getCause());
    }
    ((Entry) f.owner()).touch(clock.getAsLong());
    return f;
  }

  /** True if {@link #acquire} may block (the descriptor is not cached). */
  boolean mayBlock(String uri) {
    return !fds.isCached(uri);
  }

  private OpenFile acquireSlow(String uri) {
    locks.checkOpen();
    ObjectNames.validate(uri);
    OpenFile f = fds.acquire(uri, this::locateForOpen);
    if (f == null) {
      notFound.increment();
      throw new ObjectNotFoundException("no object " + uri);
    }
    return f;
  }

  private FdCache.Located locateForOpen(String name) {
    if (stagedCopies.due(name, clock.getAsLong())) {
      revalidateStaged(name);
    }
    // A copy staged by this lookup comes with the stat of the file just written (under the
    // name's lock) and, mostly, a description of it opened ahead: no stat, no open.
    Written written = new Written();
    try {
      return locateForOpen(name, written);
    } finally {
      written.close(); // one not handed to the cache
    }
  }

  private FdCache.Located locateForOpen(String name, Written written) {
    Entry e = global.get(name);
    e = staged(name, e != null ? e : locateOnTiers(name, true, written), written);
    for (int look = 1; e != null; look++) {
      set.checkReadable(e.tierId());
      boolean mine = written.stat != null && written.tier == e.tierId() && sameVersion(e, written.stat);
      ObjectStat s = mine ? written.stat : set.stat(e.tierId(), name);
      written.stat = null;
      if (s != null && sameVersion(e, s)) {
        return new FdCache.Located(e.tierId(), set.files(e.tierId()), s, e, mine ? written.take() : null);
      }
      Entry current = staged(name, reconcile(name, e));
      if (current == e && s != null) {
        // Replaced while a writer holds the name (it indexes the new version): the file as it is.
        return new FdCache.Located(e.tierId(), set.files(e.tierId()), s, e);
      }
      if (current != null) {
        set.checkReadable(current.tierId());
        ObjectStat cs = set.stat(current.tierId(), name);
        if (cs != null) {
          return new FdCache.Located(current.tierId(), set.files(current.tierId()), cs, current);
        }
      }
      e = staged(name, movedOn(name, e, current, look));
    }
    return null;
  }

  /**
   * Where to look for {@code name} after its file was found missing both where {@code gone}
   * said and where {@code reconciled} (what {@link #reconcile} made of it; null if none) did:
   * the entry the indexes hold now, if it is another one. A move or a write switches the
   * global index to the new copy before it removes the old one, so a lookup that stats a
   * place after the object left it finds the object again there; only a lookup that finds
   * no newer entry answers that there is no such object (null).
   *
   * @param look how many places this open looked at so far
   */
  private Entry movedOn(String name, Entry gone, Entry reconciled, int look) {
    Entry now = locate(name);
    if (now == null || now == gone || now == reconciled) {
      return null;
    }
    if (look >= LOOKS) {
      String message = "object " + name + " keeps moving while being opened";
      throw new UncheckedIOException(message, new IOException(message));
    }
    return now;
  }

  /** What is known of {@code name}, checked against its file on a local tier. */
  Optional<Entry> stat(String name) {
    locks.checkOpen();
    ObjectNames.validate(name);
    lookups.increment();
    // A stat tells the flags (pinned, ephemeral), which only the indexes know: it waits for
    // indexes still opening (a store just opened), which lookups never do.
    for (int t : set.bySpeed) {
      set.indexes[t].awaitOpened();
    }
    Entry e = locate(name);
    if (e != null && set.local(e.tierId())) {
      ObjectStat s = set.stat(e.tierId(), name);
      if (s == null || !sameVersion(e, s)) {
        e = reconcile(name, e);
      }
    }
    if (e == null) {
      notFound.increment();
    }
    return Optional.ofNullable(e);
  }

  /** {@code e}, or for an object on a remote tier its copy staged on a local tier. */
  private Entry staged(String name, Entry e) {
    return staged(name, e, null);
  }

  /**
   * What a staging for an open wrote: the tier, the new file's stat, and a read-only stream
   * open on it (null if none), until handed on.
   */
  private static final class Written {
    int tier = -1;
    ObjectStat stat;
    private java.io.FileInputStream reader;

    void set(int tier, DirectoryTier.WrittenFile w) {
      close();
      this.tier = tier;
      this.stat = w.stat();
      this.reader = w.reader();
    }

    java.io.FileInputStream take() {
      java.io.FileInputStream r = reader;
      reader = null;
      return r;
    }

    void close() {
      java.io.FileInputStream r = take();
      if (r != null) {
        try {
          r.close();
        } catch (IOException ignored) {
          // read-only: nothing to lose
        }
      }
    }
  }

  /** {@link #staged(String, Entry)}; a copy staged now is left in {@code written} if given. */
  private Entry staged(String name, Entry e, Written written) {
    return e == null || set.local(e.tierId()) ? e : stage(name, e.tierId(), e.flags(), written);
  }

  static boolean sameVersion(Entry e, ObjectStat s) {
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
    ReentrantLock lock = locks.stripe(name);
    if (!lock.tryLock()) {
      if (set.local(seen.tierId()) && set.stat(seen.tierId(), name) == null) {
        global.remove(seen);
        return locate(name); // a move that switched the object elsewhere left its entry there
      }
      return seen;
    }
    try {
      for (int round = 0; round <= set.size(); round++) {
        Entry e = locate(name);
        if (e == null || !set.local(e.tierId())) {
          return e;
        }
        Entry settled = settle(name, e);
        if (settled != null) {
          return settled;
        }
      }
      return null;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Brings the records of {@code e} in line with its file (stripe lock held): the fresh
   * entry if the file changed, {@code e} if it did not (or cannot be asked), null if it
   * vanished (its records are dropped; the caller looks again).
   */
  private Entry settle(String name, Entry e) {
    int t = e.tierId();
    ObjectStat s;
    try {
      s = set.tiers[t].stat(name);
    } catch (IOException ex) {
      set.warnCannotStat(t, name, ex);
      return e;
    }
    if (s == null) {
      global.remove(e);
      set.unindex(t, name);
      return null;
    }
    if (sameVersion(e, s)) {
      return e;
    }
    // Flags come from the tier's index (a racing put may have installed an outdated entry).
    IndexRecord r = set.indexes[t].get(name);
    int flags = r != null ? r.flags() : e.flags();
    Entry fresh = new Entry(name, t, s.size(), s.mtimeMillis(), flags);
    set.indexes[t].put(name, IndexRecord.of(s, flags));
    global.put(fresh);
    return fresh;
  }

  /** The entry of {@code name}: global index, then tier indexes and tiers; null if none. */
  Entry locate(String name) {
    Entry e = global.get(name);
    if (e != null) {
      return e;
    }
    return locateOnTiers(name);
  }

  private Entry locateOnTiers(String name) {
    return locateOnTiers(name, false, null);
  }

  /**
   * The entry of {@code name} from the tier indexes, then the local tiers, then the remote
   * ones: with {@code toOpen}, an object found on a remote tier is staged at once (its GET
   * is the lookup: a first access costs one request, not a HEAD and a GET); else it is
   * asked with a HEAD.
   */
  private Entry locateOnTiers(String name, boolean toOpen, Written written) {
    for (int t : set.bySpeed) {
      IndexRecord r = set.indexes[t].get(name);
      if (r != null) {
        return global.putIfAbsent(new Entry(name, t, r.size(), r.mtimeMillis(), r.flags(), homeOf(name, t, r.flags())));
      }
      if (set.local(t) && !set.indexes[t].complete()) {
        // A miss proves nothing while the index is rebuilt: a slower tier's record must not
        // hide this tier's copy.
        ObjectStat s = set.stat(t, name);
        Entry e = s == null ? null : indexFound(t, name, s);
        if (e != null) {
          return e;
        }
      }
    }
    // Not indexed: ask the tiers (a file put there behind the index, or an index rebuilding).
    for (int t : set.bySpeed) {
      if (!set.local(t)) {
        continue;
      }
      ObjectStat s = set.stat(t, name);
      if (s != null) {
        Entry e = indexFound(t, name, s);
        if (e != null) {
          return e;
        }
      }
    }
    for (int t : set.bySpeed) {
      if (set.local(t)) {
        continue;
      }
      if (toOpen) {
        Entry e = stage(name, t, 0, written);
        if (e != null) {
          return e;
        }
        continue;
      }
      ObjectStat s = statRemote(t, name);
      if (s != null) {
        return global.putIfAbsent(new Entry(name, t, s.size(), s.mtimeMillis(), 0));
      }
    }
    return null;
  }

  /**
   * For a copy of {@code name} on tier {@code t} with {@code flags}: the persistent tier
   * holding its lasting copy if {@code t} is volatile and the object is not EPHEMERAL (the
   * copy on {@code t} is then a cached one); else -1.
   */
  int homeOf(String name, int t, int flags) {
    int stagedFrom = stagedCopies.homeOf(name, t);
    if (stagedFrom >= 0) {
      return set.persistent(stagedFrom) ? stagedFrom : -1;
    }
    if (set.persistent(t) || ObjectFlag.EPHEMERAL.in(flags)) {
      return -1;
    }
    for (int p : set.bySpeed) {
      if (p != t && set.persistent(p) && set.indexes[p].get(name) != null) {
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
    int flags = set.persistent(t) ? 0 : ObjectFlag.EPHEMERAL.bit();
    int home = homeOf(name, t, flags);
    if (!set.indexes[t].ready()) {
      // The tier's index is still opening: answer from the tier, index nothing (the index
      // file already knows the object, or the reconciliation will add it).
      return new Entry(name, t, seen.size(), seen.mtimeMillis(), flags, home);
    }
    ReentrantLock lock = locks.stripe(name);
    if (!lock.tryLock()) {
      return new Entry(name, t, seen.size(), seen.mtimeMillis(), flags, home);
    }
    try {
      IndexRecord written = set.indexes[t].get(name);
      if (written != null) {
        Entry e = new Entry(name, t, written.size(), written.mtimeMillis(), written.flags(),
            homeOf(name, t, written.flags()));
        global.put(e);
        return e;
      }
      ObjectStat now = set.stat(t, name);
      if (now == null) {
        return global.get(name);
      }
      set.indexes[t].put(name, IndexRecord.of(now, flags));
      Entry e = new Entry(name, t, now.size(), now.mtimeMillis(), flags, home);
      global.put(e);
      return e;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Copies an object of a remote tier onto the fastest local tier that may hold it, keeping
   * its {@code flags}: a cache copy whose home stays the remote tier (if that is persistent).
   * A copy on a persistent tier is recorded in {@link StagedCopies} before it is written (see
   * {@link StagedJournal}); one on a volatile tier needs no record (its file does not outlive
   * the process).
   */
  private Entry stage(String name, int remote, int flags) {
    return stage(name, remote, flags, null);
  }

  /** {@link #stage(String, int, int)}; the copy's file is left in {@code written} if given. */
  private Entry stage(String name, int remote, int flags, Written written) {
    return stage(name, remote, flags, written, -1);
  }

  /**
   * {@link #stage(String, int, int, Written)}, onto persistent tier {@code keepOn} if it is
   * not -1: a new version of a copy recorded there stays there (the journal keeps one record
   * per name, so the old copy's record is replaced only by a staging over the same file).
   */
  private Entry stage(String name, int remote, int flags, Written written, int keepOn) {
    int first = keepOn >= 0 ? keepOn : stagingTarget(remote, -1);
    if (first < 0) {
      throw new TierRuleException("object " + name + " is on remote tier " + set.name(remote)
          + " and no local writable tier can stage it");
    }
    ReentrantLock lock = locks.stripe(name);
    lock.lock();
    try {
      // Another open may have staged it while this one waited for the lock: that copy serves.
      StagedCopies.Copy already = stagedCopies.get(name);
      Entry e = global.get(name);
      if (already != null && already.remote == remote && e != null && e.tierId() == already.local) {
        return e;
      }
      return set.persistent(first) ? stageRecorded(name, remote, first, flags, written)
          : stageSized(name, remote, first, flags, written);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stages onto persistent tier {@code target}: the staging's record first, synced while the
   * object is fetched (stripe lock held).
   */
  private Entry stageRecorded(String name, int remote, int target, int flags, Written written) {
    StagedCopies.Durability durability = durability(remote);
    long record;
    try {
      record = stagedCopies.staging(name, target, durability);
    } catch (IOException e) {
      throw new StorageException("cannot stage " + name + ": " + e.getMessage(), e);
    }
    boolean done = false;
    try (InputStream in = openRemote(name, remote)) {
      if (in == null) {
        return null;
      }
      ObjectStat remoteStat = remoteStatOf(in, remote, name);
      if (remoteStat == null) {
        forgetRemote(name, remote); // deleted since the GET: not found, as a GET that missed
        return null;
      }
      stagedCopies.awaitRecorded(record);
      Entry e = publish(name, in, remote, remoteStat, target, flags, durability, written);
      done = true;
      return e;
    } catch (IOException e) {
      throw new StorageException("cannot stage " + name + ": " + e.getMessage(), e);
    } finally {
      if (!done) {
        stagedCopies.abandoned(name);
      }
    }
  }

  /**
   * Stages onto volatile tier {@code first} if it has room for the object, which the GET's
   * answer tells; else onto the next tier that may take it (stripe lock held). A volatile
   * tier's copy is neither recorded nor synced; a persistent tier's is recorded once the tier
   * is chosen.
   */
  private Entry stageSized(String name, int remote, int first, int flags, Written written) {
    StagedCopies.Durability durability = durability(remote);
    int target = first;
    long reserved = 0;
    boolean recorded = false;
    boolean done = false;
    try (InputStream in = openRemote(name, remote)) {
      if (in == null) {
        return null;
      }
      ObjectStat remoteStat = remoteStatOf(in, remote, name);
      if (remoteStat == null) {
        forgetRemote(name, remote); // deleted since the GET: not found, as a GET that missed
        return null;
      }
      long size = remoteStat.size();
      // Room on a volatile tier with a capacity is reserved for the length the stream
      // announces, which the copy is then held to; a length asked separately (a HEAD, maybe of
      // a newer version) could not bound it, so such a copy goes to the next tier.
      boolean announced = LengthCheckedStream.announced(in) != null;
      for (; target >= 0 && !set.persistent(target); target = stagingTarget(remote, target)) {
        if (!announced && space.bounded(target)) {
          continue;
        }
        long needed = Math.max(0, size - set.sizeOn(target, name));
        if (space.tryReserve(target, needed)) {
          reserved = needed;
          break;
        }
      }
      if (target < 0) {
        throw new CapacityException("object " + name + " of " + size
            + " bytes on remote tier " + set.name(remote) + " fits on no local tier to be staged");
      }
      if (set.persistent(target)) {
        long token = stagedCopies.staging(name, target, durability);
        recorded = true; // ended below if anything fails, synced or not
        stagedCopies.awaitRecorded(token);
      }
      Entry e = publish(name, in, remote, remoteStat, target, flags, durability, written);
      done = true;
      return e;
    } catch (IOException e) {
      throw new StorageException("cannot stage " + name + ": " + e.getMessage(), e);
    } finally {
      if (target >= 0) {
        space.unreserve(target, reserved);
      }
      if (recorded && !done) {
        stagedCopies.abandoned(name);
      }
    }
  }

  /**
   * Writes the staged copy of {@code name} read from {@code in} onto local tier {@code
   * target}, indexes it and registers it as a staged copy of {@code remoteStat}, or of the
   * version the stream tells once read (an s3 answer without a Content-Length). A stream
   * that announced its length must give exactly that many bytes (else the staging fails and
   * leaves nothing behind).
   */
  private Entry publish(String name, InputStream in, int remote, ObjectStat remoteStat, int target, int flags,
      StagedCopies.Durability durability, Written written) throws IOException {
    boolean journaled = set.persistent(target);
    CRC32C crc = new CRC32C();
    InputStream body = LengthCheckedStream.exact(in, "object " + name + " on tier " + set.name(remote));
    DirectoryTier.WrittenFile w = writeCopy(target, name, new CheckedInputStream(body, crc),
        remoteStat != null ? remoteStat.size() : -1, journaled && durability == StagedCopies.Durability.COPY,
        written != null);
    if (written != null) {
      written.set(target, w); // closed by the lookup if not handed on, whatever happens next
    } else if (w.reader() != null) {
      w.reader().close();
    }
    ObjectStat s = w.stat();
    set.indexes[target].put(name, IndexRecord.of(s, flags));
    ObjectStat told = LengthCheckedStream.announced(in); // now also what a stream tells only once read
    stagedCopies.staged(name, new StagedCopies.Copy(remote, target, told != null ? told : remoteStat,
        revalidateNanos(remote), clock.getAsLong(), crc.getValue(), s.size(), true, journaled));
    Entry e = new Entry(name, target, s.size(), s.mtimeMillis(), flags, set.persistent(remote) ? remote : -1)
        .inheritUse(global.peek(name));
    global.put(e);
    log.debug("staged {} from {} onto {}", LogText.name(name), set.name(remote), set.name(target));
    return e;
  }

  private StagedCopies.Durability durability(int remote) {
    return StagedCopies.Durability.of(set.configs[remote].options().get(StagedCopies.Durability.OPTION));
  }

  /**
   * The fastest local writable tier slower than {@code after} (-1: any) that may hold a copy
   * staged from {@code remote}, or -1. A volatile tier holds copies of a persistent remote
   * tier's objects only if it has a capacity (so the lifecycle keeps them within it; without
   * one, nothing would bound what they take of memory) or no local tier is persistent.
   */
  int stagingTarget(int remote, int after) {
    boolean past = after < 0;
    for (int t : set.bySpeed) {
      if (!past) {
        past = t == after;
        continue;
      }
      if (set.local(t) && set.writable(t) && (set.persistent(t) || !set.persistent(remote)
          || space.bounded(t) || set.noPersistentLocalTier())) {
        return t;
      }
    }
    return -1;
  }

  /**
   * Writes a staged copy ({@code size} bytes, -1 if unknown) onto local tier {@code t}; a
   * directory tier syncs it only if {@code sync} (a copy can be had again: see {@link
   * StagedCopies.Durability}), and with {@code toOpen} an unsynced one comes opened for
   * reading ({@link DirectoryTier#writeOpen}).
   */
  private DirectoryTier.WrittenFile writeCopy(int t, String name, InputStream in, long size, boolean sync,
      boolean toOpen) throws IOException {
    if (set.tiers[t] instanceof DirectoryTier d) {
      return toOpen && !sync ? d.writeOpen(name, in, size)
          : new DirectoryTier.WrittenFile(d.write(name, in, sync), null);
    }
    return new DirectoryTier.WrittenFile(set.tiers[t].write(name, in), null);
  }

  /**
   * The stat of {@code name} on remote tier {@code t}. Unlike a local tier's, a remote tier's
   * failure is not taken for a missing object: the request fails (STORAGE_ERROR).
   */
  private ObjectStat statRemote(int t, String name) {
    try {
      return set.tiers[t].stat(name);
    } catch (IOException e) {
      throw new StorageException("tier " + set.name(t) + " cannot look up " + name + ": " + e.getMessage(), e);
    }
  }

  /**
   * The object's stream on remote tier {@code remote}, or null if it is gone from there
   * (deleted by another writer): its records there are dropped, so it is not found.
   */
  private InputStream openRemote(String name, int remote) throws IOException {
    try {
      return set.tiers[remote].openStream(name);
    } catch (NoSuchFileException gone) {
      forgetRemote(name, remote);
      return null;
    }
  }

  /** Drops the records of {@code name} on remote tier {@code remote}, found gone from there. */
  private void forgetRemote(String name, int remote) {
    Entry e = global.get(name);
    if (e != null && e.tierId() == remote) {
      global.remove(e);
    }
    set.unindex(remote, name);
  }

  /**
   * The remote version a staging stream reads: a stream that knows it says so (the s3 tier's
   * GET answers with the object's ETag, as a {@code Supplier<ObjectStat>}); otherwise asked
   * of the tier (null if it is gone), which may already be a newer version: the copy is then
   * recorded as a copy of that version, unless the stream tells its own once read.
   */
  private ObjectStat remoteStatOf(InputStream in, int remote, String name) throws IOException {
    ObjectStat announced = LengthCheckedStream.announced(in);
    return announced != null ? announced : set.tiers[remote].stat(name);
  }

  /**
   * How old a copy staged from remote tier {@code t} may get before it is checked against the
   * remote version again: the tier's {@code revalidate_ms} option; -1 (never) without it.
   */
  private long revalidateNanos(int t) {
    return revalidateNanos(set.configs[t]);
  }

  /** {@link #revalidateNanos(int)} of a tier with configuration {@code c}. */
  static long revalidateNanos(io.objmapper.spi.TierConfig c) {
    String ms = c.options().get("revalidate_ms");
    if (ms == null) {
      return -1;
    }
    try {
      return TimeUnit.MILLISECONDS.toNanos(Long.parseLong(ms));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * Checks the staged copy of {@code name} against its remote version: unchanged, it is
   * served on; changed, it is staged again; gone from the remote tier, the copy and the
   * records go too. If the remote tier cannot be asked, the copy is served as it is
   * (stale-if-error) and asked again after the next period.
   */
  private void revalidateStaged(String name) {
    StagedCopies.Copy c = stagedCopies.get(name);
    if (c == null) {
      return;
    }
    long now = clock.getAsLong();
    if (!c.verified()) {
      if (!verify(name, c)) {
        dropSuspect(name, c);
        return; // the lookup finds the object on the remote tier and stages it again
      }
      c.markVerified();
      if (!c.due(now)) {
        return;
      }
    }
    ObjectStat remote;
    try {
      remote = set.tiers[c.remote].stat(name);
    } catch (IOException | RuntimeException ex) {
      c.checked(now);
      log.debug("tier {}: cannot revalidate {}, serving the staged copy: {}", set.name(c.remote), name,
          ex.toString());
      return;
    }
    if (remote != null && remote.equals(c.remoteStat)) {
      c.checked(now);
      return;
    }
    ReentrantLock lock = locks.stripe(name);
    lock.lock();
    try {
      if (!stagedCopies.unregister(name, c)) {
        return; // a write, a delete or another check got there first
      }
      fds.invalidate(name);
      if (remote == null) {
        set.removeFrom(c.local, name);
        stagedCopies.recordGone(name, c);
        set.unindex(c.remote, name);
        global.remove(name);
        log.debug("{} is gone from tier {}: its staged copy is dropped", name, set.name(c.remote));
        return;
      }
      IndexRecord r = set.indexes[c.local].get(name);
      Entry fresh;
      try {
        fresh = stage(name, c.remote, r != null ? r.flags() : 0, null, set.persistent(c.local) ? c.local : -1);
      } catch (RuntimeException ex) {
        c.checked(now);
        stagedCopies.kept(name, c); // the old copy is whole: serve it until the next check
        log.debug("tier {}: cannot stage the new version of {}, serving the old copy: {}",
            set.name(c.remote), name, ex.toString());
        return;
      }
      if (fresh == null) {
        set.removeFrom(c.local, name); // gone from the remote tier since the check
        stagedCopies.recordGone(name, c);
        global.remove(name);
      } else if (fresh.tierId() != c.local) {
        // A copy on a volatile tier (one on a persistent tier is staged again over itself),
        // whose new version went to the fastest tier with room: the old copy goes, or a later
        // lookup could find it there. It had no record.
        set.removeFrom(c.local, name);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Whether the staged copy {@code c} of {@code name} (restored after a restart) holds the
   * bytes it was staged with: its size and, if recorded, its CRC32C. A copy a crash of the
   * machine tore (written, renamed, not synced) does not.
   */
  private boolean verify(String name, StagedCopies.Copy c) {
    try (InputStream in = set.files(c.local).openRead(name)) {
      CRC32C crc = new CRC32C();
      byte[] buf = new byte[64 * 1024];
      long size = 0;
      int n;
      while ((n = in.read(buf)) >= 0) {
        crc.update(buf, 0, n);
        size += n;
      }
      boolean whole = size == c.size && (c.crc32c < 0 || crc.getValue() == c.crc32c);
      if (!whole) {
        log.warn("tier {}: the staged copy of {} is not what was staged ({} bytes, {} expected{}): dropped",
            set.name(c.local), LogText.name(name), size, c.size, c.crc32c < 0 ? "" : ", or its CRC32C differs");
      }
      return whole;
    } catch (NoSuchFileException gone) {
      log.debug("tier {}: the staged copy of {} is gone", set.name(c.local), LogText.name(name));
      return false;
    } catch (IOException | RuntimeException e) {
      log.warn("tier {}: cannot verify the staged copy of {}: {}", set.name(c.local), LogText.name(name),
          LogText.error(e));
      return false;
    }
  }

  /** Drops the staged copy {@code c} of {@code name}: its file, its records and its registration. */
  private void dropSuspect(String name, StagedCopies.Copy c) {
    ReentrantLock lock = locks.stripe(name);
    lock.lock();
    try {
      if (stagedCopies.unregister(name, c)) {
        fds.invalidate(name);
        global.remove(name);
        set.removeFrom(c.local, name);
        stagedCopies.recordGone(name, c); // after the file: never a torn copy without its record
      }
    } finally {
      lock.unlock();
    }
  }
}
