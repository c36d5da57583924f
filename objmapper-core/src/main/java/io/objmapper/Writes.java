package io.objmapper;

import io.objmapper.internal.fdcache.FdCache;
import io.objmapper.internal.serving.StoreAccess;
import io.objmapper.internal.store.Entry;
import io.objmapper.internal.store.GlobalIndex;
import io.objmapper.internal.store.IndexRecord;
import io.objmapper.spi.ObjectNames;
import io.objmapper.spi.ObjectStat;
import io.objmapper.spi.StagedWrite;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Writes and deletes: where a new version goes (the fastest writable tier its flags allow
 * with room for it, reserved in {@link TierSpace}), and the indexes updated so that no older
 * copy stays on another tier.
 */
final class Writes {
  private final TierSet set;
  private final TierSpace space;
  private final GlobalIndex global;
  private final FdCache fds;
  private final NameLocks locks;
  private final LongSupplier clock;
  private final StagedCopies stagedCopies;
  /** Puts staged and neither committed nor aborted: the store's close aborts them. */
  private final java.util.Set<StagedPut> staged = java.util.concurrent.ConcurrentHashMap.newKeySet();
  final WrittenThrough writtenThrough;

  Writes(TierSet set, TierSpace space, GlobalIndex global, FdCache fds, NameLocks locks, LongSupplier clock,
      StagedCopies stagedCopies) {
    this.set = set;
    this.writtenThrough = new WrittenThrough(set);
    this.stagedCopies = stagedCopies;
    this.space = space;
    this.global = global;
    this.fds = fds;
    this.locks = locks;
    this.clock = clock;
  }

  /** One way of writing the new version's bytes. */
  interface TierWrite {
    /** Writes to tier {@code t}; a source stream goes through {@code stream}, which reserves what it yields. */
    ObjectStat to(int t, StreamRoom stream) throws IOException;
  }

  /**
   * The room a stream of unknown length takes on its tier: it reserves the bytes it yields
   * as they come (after the credit of the version it replaces), and fails once the tier has
   * no room left for them.
   */
  final class StreamRoom {
    private final int tier;
    private long credit;
    private long held;

    StreamRoom(int tier, long credit) {
      this.tier = tier;
      this.credit = credit;
    }

    InputStream wrap(InputStream in) {
      return !space.bounded(tier) ? in : new FilterInputStream(in) {
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
        if (!space.tryReserve(tier, rest)) {
          throw new RoomExceeded();
        }
        held += rest;
      }
    }

    void release() {
      space.unreserve(tier, held);
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

  /**
   * Stores a new version of {@code name}.
   *
   * @param size its length, or -1 for a stream of unknown length
   */
  ObjectInfo write(String name, long size, ObjectFlag[] flags, TierWrite w) {
    ObjectNames.validate(name);
    int mask = ObjectFlag.mask(flags);
    ReentrantLock lock = locks.lockForWrite(name);
    int target = -1;
    long promised = 0;
    StreamRoom stream = null;
    try {
      writtenThrough.settle(name); // bytes a client wrote through a descriptor are counted before they are replaced
      target = placement(name, mask, size);
      if (size >= 0) {
        promised = Math.max(0, size - set.sizeOn(target, name));
      } else {
        stream = new StreamRoom(target, set.sizeOn(target, name));
      }
      ObjectStat s;
      try {
        s = w.to(target, stream);
      } catch (RoomExceeded e) {
        throw new CapacityException("object " + name + " outgrew the room left on tier " + set.name(target));
      } catch (IOException e) {
        throw new StorageException("cannot store " + name + " on " + set.name(target) + ": " + e.getMessage(), e);
      }
      return StorageEngine.info(set, index(name, target, s, mask));
    } finally {
      if (stream != null) {
        stream.release();
      }
      if (target >= 0) {
        space.unreserve(target, promised);
      }
      locks.unlock(lock);
    }
  }

  /**
   * Starts a put of {@code name} whose bytes another party writes into a temporary file
   * ({@link StagedPut}): on the tier a write of unknown size would go to now, or, if that
   * tier has no local files (s3), on the fastest writable local tier, to be copied to the
   * target at the commit.
   */
  StagedPut stage(String name, int mask) {
    ObjectNames.validate(name);
    locks.enterWrite();
    try {
      int target;
      ReentrantLock lock = locks.stripe(name);
      lock.lock();
      try {
        target = placement(name, mask, -1);
      } finally {
        lock.unlock();
      }
      int at = set.local(target) ? target : stagingTier();
      try {
        StagedPut p = new StagedPut(name, mask, target, set.files(at).stage(name));
        staged.add(p);
        return p;
      } catch (IOException e) {
        throw new StorageException("cannot stage " + name + " on " + set.name(at) + ": " + e.getMessage(), e);
      } catch (UnsupportedOperationException e) {
        throw new StorageException("tier " + set.name(at) + " cannot stage writes", e);
      }
    } finally {
      locks.exitWrite();
    }
  }

  private int stagingTier() {
    for (int t : set.bySpeed) {
      if (set.local(t) && set.writable(t)) {
        return t;
      }
    }
    throw new TierRuleException("no writable local tier to stage a write on");
  }

  /**
   * A put in progress: a temporary file (beneath a local tier's root) that a client writes,
   * then {@link #commit()}ted (size reserved on the target tier, synced, renamed over the
   * name, indexed, cached descriptors dropped) or {@link #abort()}ed (the file removed).
   * Thread-safe; the first of commit and abort wins, the other fails or does nothing.
   */
  final class StagedPut implements StoreAccess.StagedPut {
    private final String name;
    private final int mask;
    private final int target;
    private final StagedWrite file;
    private boolean done;

    StagedPut(String name, int mask, int target, StagedWrite file) {
      this.name = name;
      this.mask = mask;
      this.target = target;
      this.file = file;
    }

    /** The tier the object goes to at the commit. */
    @Override
    public int tierId() {
      return target;
    }

    /** A new read-write description of the temporary file for one writer (the caller closes it). */
    @Override
    public RandomAccessFile openWriter() {
      try {
        return file.openWriter();
      } catch (IOException | IllegalStateException e) {
        throw new StorageException("cannot open the temporary file of " + name + ": " + e.getMessage(), e);
      }
    }

    /**
     * Publishes what was written, atomically: readers see the old version or this one.
     *
     * @throws CapacityException if the target tier has no room for it (the file is removed)
     */
    @Override
    public synchronized ObjectInfo commit() {
      if (done) {
        throw new IllegalStateException("put of " + name + " already ended");
      }
      done = true;
      ReentrantLock lock = null;
      long promised = 0;
      try {
        lock = locks.lockForWrite(name);
        writtenThrough.settle(name);
        long size = file.size();
        promised = Math.max(0, size - set.sizeOn(target, name));
        if (!space.tryReserve(target, promised)) {
          promised = 0;
          throw new CapacityException("object " + name + " of " + size + " bytes does not fit on tier "
              + set.name(target));
        }
        ObjectStat s = set.local(target) ? file.commit()
            : set.tiers[target].write(name, file.channel(), 0, size);
        return StorageEngine.info(set, index(name, target, s, mask));
      } catch (IOException e) {
        throw new StorageException("cannot store " + name + " on " + set.name(target) + ": " + e.getMessage(), e);
      } finally {
        space.unreserve(target, promised);
        closeQuietly();
        if (lock != null) {
          locks.unlock(lock);
        }
      }
    }

    /** Removes the temporary file, unless committed. Idempotent. */
    @Override
    public synchronized void abort() {
      done = true;
      closeQuietly();
    }

    private void closeQuietly() {
      staged.remove(this);
      try {
        file.close();
      } catch (IOException e) {
        throw new StorageException("cannot remove the temporary file of " + name + ": " + e.getMessage(), e);
      }
    }
  }

  /** Publishes a version staged on a tier, under its name's lock (see {@link #publish}). */
  interface Publish {
    /** Makes the staged version the object on its tier and returns its stat. */
    ObjectStat run() throws IOException;
  }

  /**
   * Publishes a version of {@code name} staged on {@code target} (its room reserved by {@link
   * #place}) and indexes it, under the name's lock, so that no reader finds an index entry
   * for another version than the file's.
   */
  ObjectInfo publish(String name, int target, int mask, Publish p) {
    ReentrantLock lock = locks.lockForWrite(name);
    try {
      writtenThrough.settle(name);
      ObjectStat s;
      try {
        s = p.run();
      } catch (IOException e) {
        throw new StorageException("cannot store " + name + " on " + set.name(target) + ": " + e.getMessage(), e);
      }
      return StorageEngine.info(set, index(name, target, s, mask));
    } finally {
      locks.unlock(lock);
    }
  }

  /**
   * Aborts the puts still staged (the store is closing: writers are done, so none commits
   * now); their files would otherwise stay behind a clean close, which skips the crash scan.
   */
  void abortStaged() {
    for (StagedPut p : staged) {
      try {
        p.abort();
      } catch (RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(Writes.class).warn("could not abort the staged put of {}: {}", p.name,
            e.toString());
      }
    }
  }

  /**
   * The tier a new object of {@code size} bytes goes to, its room reserved: release {@code
   * size - sizeOn(t, name)} with {@link #unreserve} when done.
   */
  int place(String name, int mask, long size) {
    ObjectNames.validate(name);
    return placement(name, mask, size);
  }

  void unreserve(int t, long bytes) {
    space.unreserve(t, bytes);
  }

  /** Indexes the version {@code s} just written on {@code target}; every other tier's copy goes. */
  private Entry index(String name, int target, ObjectStat s, int mask) {
    Entry e = new Entry(name, target, s.size(), s.mtimeMillis(), mask).inheritUse(global.peek(name));
    e.touch(clock.getAsLong()); // a write counts as a use
    stagedCopies.forget(name); // the store's own write is the object now
    boolean indexed = false;
    try {
      try {
        set.indexes[target].put(name, IndexRecord.of(s, mask));
      } catch (StorageException full) {
        dropUnindexed(name, target, s, full);
        throw full;
      }
      // The global index names the new version before any older copy goes, as a move
      // switches before it removes its source: a lookup that finds an older copy gone finds
      // the new one there (see ReadPath#movedOn).
      global.put(e);
      indexed = true;
      // An overwrite leaves no older copy (nor cached copy) on another tier. A remote tier
      // is asked only if its index holds the name: a write to a local tier must not wait
      // for (or fail with) a remote service on every put. A tier that fails does not keep
      // the others' older copies: each is tried, then the put fails with the first error.
      RuntimeException failed = null;
      for (int t = 0; t < set.size(); t++) {
        try {
          if (t != target && (set.local(t) || set.indexes[t].get(name) != null)) {
            set.removeFrom(t, name);
          }
        } catch (RuntimeException ex) {
          if (failed == null) {
            failed = ex;
          } else {
            failed.addSuppressed(ex);
          }
        }
      }
      if (failed != null) {
        throw failed;
      }
      return e;
    } catch (RuntimeException ex) {
      throw ex instanceof ObjMapperException ? ex
          : new StorageException("stored " + name + " but could not index it: " + ex.getMessage(), ex);
    } finally {
      if (!indexed) {
        global.remove(name); // the new version is on disk: never serve the old one from memory
      } // once indexed, the global index names the new version even if an older copy stays
      fds.invalidate(name);
    }
  }

  /**
   * The version just written could not be indexed (the index is full and cannot grow: a full
   * disk). A new object is removed again, so that a failed put leaves nothing behind; a
   * replaced one stays (the old bytes are gone), and a later scan indexes it.
   */
  private void dropUnindexed(String name, int target, ObjectStat s, StorageException cause) {
    try {
      if (set.indexes[target].get(name) == null) {
        ObjectStat now = set.tiers[target].stat(name);
        if (now != null && java.util.Objects.equals(now.fileKey(), s.fileKey())) {
          set.tiers[target].delete(name);
        }
      }
    } catch (IOException | RuntimeException e) {
      cause.addSuppressed(e);
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
    for (int t = 0; t < set.size(); t++) {
      anyPersistent |= set.persistent(t) && set.writable(t);
    }
    int candidates = 0;
    for (int t : set.bySpeed) {
      if (!set.writable(t)) {
        continue;
      }
      if (ephemeral ? set.persistent(t) || !set.local(t) : anyPersistent && !set.persistent(t)) {
        continue;
      }
      candidates++;
      long old = set.sizeOn(t, name);
      if (size < 0 ? old > 0 || space.free(t) > 0 : space.tryReserve(t, Math.max(0, size - old))) {
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

  /** Deletes {@code name} from every tier; false if there was none. */
  boolean delete(String name) {
    ObjectNames.validate(name);
    ReentrantLock lock = locks.lockForWrite(name);
    try {
      writtenThrough.settle(name);
      for (int t = 0; t < set.size(); t++) {
        if (!set.writable(t) && set.stat(t, name) != null) {
          throw new TierRuleException("object " + name + " is on tier " + set.name(t)
              + ", which is not writable: it cannot be deleted");
        }
      }
      return removeEverywhere(name);
    } finally {
      locks.unlock(lock);
    }
  }

  /** Forgets the staged copy of {@code name}: a move makes the store's own copy the object. */
  void forgetStaged(String name) {
    stagedCopies.forget(name);
  }

  /** Removes {@code name} from every tier and forgets it (stripe lock held); true if it was somewhere. */
  boolean removeEverywhere(String name) {
    boolean found = false;
    try {
      for (int t = 0; t < set.size(); t++) {
        found |= set.removeFrom(t, name);
      }
    } finally {
      global.remove(name);
      fds.invalidate(name);
      stagedCopies.forget(name);
    }
    return found;
  }
}
