package io.objmapper;

import io.objmapper.internal.fdcache.FdCache;
import io.objmapper.internal.fdcache.OpenFile;
import io.objmapper.internal.log.LogText;
import io.objmapper.internal.store.Entry;
import io.objmapper.internal.store.GlobalIndex;
import io.objmapper.internal.store.IndexRecord;
import io.objmapper.spi.ObjectNames;
import io.objmapper.spi.LocalFiles;
import io.objmapper.spi.ObjectStat;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read path: name → entry → shared descriptor. Lookup order (the fast, medium and slow
 * paths): cached descriptor → global index → per-tier indexes, fastest tier first → asking
 * each tier. Readers take no lock; a hit allocates nothing.
 */
final class ReadPath {
  private static final Logger log = LoggerFactory.getLogger(ReadPath.class);

  private final TierSet set;
  private final GlobalIndex global;
  private final FdCache fds;
  private final NameLocks locks;
  private final LongSupplier clock;
  final LongAdder lookups = new LongAdder();
  final LongAdder notFound = new LongAdder();

  ReadPath(TierSet set, GlobalIndex global, FdCache fds, NameLocks locks, LongSupplier clock) {
    this.set = set;
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
    Entry e = staged(name, locate(name));
    if (e == null) {
      return null;
    }
    set.checkReadable(e.tierId());
    LocalFiles files = set.files(e.tierId());
    ObjectStat s = set.stat(e.tierId(), name);
    if (s == null || !sameVersion(e, s)) {
      Entry current = staged(name, reconcile(name, e));
      if (current == null) {
        return null;
      }
      if (current != e || s == null) {
        e = current;
        set.checkReadable(e.tierId());
        files = set.files(e.tierId());
        s = set.stat(e.tierId(), name);
        if (s == null) {
          return null;
        }
      }
    }
    return new FdCache.Located(e.tierId(), files, s, e);
  }

  /** What is known of {@code name}, checked against its file on a local tier. */
  Optional<Entry> stat(String name) {
    locks.checkOpen();
    ObjectNames.validate(name);
    lookups.increment();
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
    return e == null || set.local(e.tierId()) ? e : stage(name, e.tierId(), e.flags());
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
        return locateOnTiers(name);
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
      set.indexes[t].remove(name);
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
    for (int t : set.bySpeed) {
      IndexRecord r = set.indexes[t].get(name);
      if (r != null) {
        return global.putIfAbsent(new Entry(name, t, r.size(), r.mtimeMillis(), r.flags(), homeOf(name, t, r.flags())));
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
      if (!set.local(t) && set.stat(t, name) != null) {
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
  int homeOf(String name, int t, int flags) {
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
    if (!set.indexes[t].ready()) {
      // The tier's index is still opening: answer from the tier, index nothing (the index
      // file already knows the object, or the reconciliation will add it).
      return new Entry(name, t, seen.size(), seen.mtimeMillis(), flags);
    }
    ReentrantLock lock = locks.stripe(name);
    if (!lock.tryLock()) {
      return new Entry(name, t, seen.size(), seen.mtimeMillis(), flags);
    }
    try {
      IndexRecord written = set.indexes[t].get(name);
      if (written != null) {
        Entry e = new Entry(name, t, written.size(), written.mtimeMillis(), written.flags());
        global.put(e);
        return e;
      }
      ObjectStat now = set.stat(t, name);
      if (now == null) {
        return global.get(name);
      }
      set.indexes[t].put(name, IndexRecord.of(now, flags));
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
    for (int t : set.bySpeed) {
      if (set.local(t) && set.writable(t)
          && (set.persistent(t) || !set.persistent(remote) || set.noPersistentLocalTier())) {
        target = t;
        break;
      }
    }
    if (target < 0) {
      throw new TierRuleException("object " + name + " is on remote tier " + set.name(remote)
          + " and no local writable tier can stage it");
    }
    ReentrantLock lock = locks.stripe(name);
    lock.lock();
    try (InputStream in = set.tiers[remote].openStream(name)) {
      ObjectStat s = set.tiers[target].write(name, in);
      set.indexes[target].put(name, IndexRecord.of(s, flags));
      Entry e = new Entry(name, target, s.size(), s.mtimeMillis(), flags);
      global.put(e);
      log.debug("staged {} from {} onto {}", LogText.name(name), set.name(remote), set.name(target));
      return e;
    } catch (IOException e) {
      throw new StorageException("cannot stage " + name + ": " + e.getMessage(), e);
    } finally {
      lock.unlock();
    }
  }
}
