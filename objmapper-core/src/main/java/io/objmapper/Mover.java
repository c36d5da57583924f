package io.objmapper;

import io.objmapper.internal.fdcache.FdCache;
import io.objmapper.internal.lifecycle.JournalSlot;
import io.objmapper.internal.lifecycle.MigrationJournal;
import io.objmapper.internal.lifecycle.MigrationRules;
import io.objmapper.internal.lifecycle.MigrationStep;
import io.objmapper.internal.lifecycle.Planner;
import io.objmapper.internal.log.LogText;
import io.objmapper.internal.store.Entry;
import io.objmapper.internal.store.GlobalIndex;
import io.objmapper.internal.store.IndexRecord;
import io.objmapper.spi.ObjectNames;
import io.objmapper.spi.ObjectStat;
import java.io.IOException;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves objects between tiers: the one implementation behind {@link ObjMapper#move}, the
 * lifecycle's planned moves and the dropping of cached copies. It enforces
 * {@link MigrationRules} and keeps a move in the {@link MigrationJournal} (when the store has
 * one) until it is done, so a restart finishes or undoes it.
 *
 * <p>Readers never wait: a lease on the source keeps reading it (a deleted file stays
 * readable through descriptors open on it), and a lookup during the move finds one copy or
 * the other.
 */
final class Mover {
  private static final Logger log = LoggerFactory.getLogger(Mover.class);

  private final TierSet set;
  private final TierSpace space;
  private final GlobalIndex global;
  private final FdCache fds;
  private final NameLocks locks;
  private final ReadPath read;
  private final Writes writes;
  private final StagedCopies staged;
  /** Moves between tiers that survive a restart; null without a persistent local writable tier. */
  private final MigrationJournal journal;
  private final Consumer<MigrationStep> steps;
  final LongAdder manualMoves = new LongAdder();
  final LongAdder bytesMoved = new LongAdder();

  Mover(TierSet set, TierSpace space, GlobalIndex global, FdCache fds, NameLocks locks, ReadPath read, Writes writes,
      StagedCopies staged, MigrationJournal journal, Consumer<MigrationStep> steps) {
    this.staged = staged;
    this.set = set;
    this.space = space;
    this.global = global;
    this.fds = fds;
    this.locks = locks;
    this.read = read;
    this.writes = writes;
    this.journal = journal;
    this.steps = steps;
  }

  MigrationJournal journal() {
    return journal;
  }

  /** A move by hand ({@link ObjMapper#move}): pinned objects move too. */
  ObjectInfo move(String name, String tierName) {
    ObjectNames.validate(name);
    int target = set.idOf(tierName);
    ReentrantLock lock = locks.lockForWrite(name);
    try {
      Entry e = read.locate(name);
      if (e == null) {
        throw new ObjectNotFoundException("no object " + name);
      }
      if (e.tierId() != target) {
        relocate(e, target, null);
        manualMoves.increment();
      }
      return StorageEngine.info(set, read.locate(name));
    } finally {
      locks.unlock(lock);
    }
  }

  /**
   * Carries out a planned move if the object is still where the plan saw it.
   *
   * @return bytes copied, or -1 if the object moved, changed or went since the plan
   */
  long carryOut(Planner.Move m, JournalSlot slot) {
    ReentrantLock lock = locks.lockForWrite(m.name());
    try {
      Entry e = read.locate(m.name());
      if (e == null || e.tierId() != m.from() || !MigrationRules.policyMoves(ObjectFlag.PINNED.in(e.flags()))) {
        return -1;
      }
      if (m.to() < 0) {
        return evictForGood(e);
      }
      if (e.cached() && !set.local(e.homeTierId()) && set.local(m.to())) {
        if (set.persistent(e.tierId()) && set.persistent(m.to())) {
          // The journal of staged copies keeps one record per name: a move between two
          // persistent tiers could not keep both copies recorded until the old one is gone.
          // The copy is dropped instead; the next open stages it again.
          return relocate(e, e.homeTierId(), slot);
        }
        return moveStaged(e, m.to(), slot);
      }
      return relocate(e, m.to(), slot);
    } finally {
      locks.unlock(lock);
    }
  }

  /** Writes go to an object's lasting copy: its cached copy is dropped first. */
  Entry dropCacheForWriting(Entry seen) {
    ReentrantLock lock = locks.lockForWrite(seen.name());
    try {
      Entry e = read.locate(seen.name());
      if (e != null && e.cached() && !set.local(e.homeTierId())) {
        return adoptStaged(e); // written in place: the copy is the store's own object from now on
      }
      if (e != null && e.cached()) {
        relocate(e, e.homeTierId(), null);
        e = read.locate(seen.name());
      }
      return e;
    } finally {
      locks.unlock(lock);
    }
  }

  /** What a move of one object does, decided before anything is copied. */
  private record Plan(String name, int src, int from, int target, int home, boolean cacheCopy, boolean journaled) {}

  /**
   * Makes tier {@code target} serve object {@code e}, under {@link MigrationRules}; the
   * caller holds the name's stripe lock and is a writer ({@link NameLocks}). What happens
   * depends on the copies:
   * <ul>
   *   <li>a cached copy moving to its home tier: the cached copy is dropped (written back
   *       first if it changed);
   *   <li>a persistent object onto a volatile tier: a cached copy is made there, the
   *       persistent copy stays (a cached copy moves: the old one is dropped);
   *   <li>otherwise a move: copy (synced), index the target, switch the global entry, then
   *       unindex and delete the source, journaled first.
   * </ul>
   *
   * @return bytes copied
   * @throws TierRuleException if the rules forbid the move
   * @throws CapacityException if the target has no room; nothing changed
   */
  private long relocate(Entry e, int target, JournalSlot slot) {
    if (e.cached() && target == e.homeTierId()) {
      long written = dropCachedCopy(e);
      writes.forgetStaged(e.name()); // after: a crash before leaves a copy that is still known as staged
      return written;
    }
    if (e.cached() && !set.local(e.homeTierId())) {
      // A copy staged from a remote tier moving elsewhere: it moves as the store's own
      // object, and the remote tier's copy stays where it is (another node may read it).
      e = adoptStaged(e);
    }
    writes.forgetStaged(e.name()); // a move makes the store's own copy the object
    Plan p = plan(e, target);
    long promise = Math.max(0, e.size() - set.sizeOn(target, p.name()));
    if (!space.tryReserve(target, promise)) {
      throw new CapacityException("object " + p.name() + " of " + e.size() + " bytes does not fit on tier "
          + set.name(target));
    }
    try {
      return carry(e, p, slot);
    } finally {
      space.unreserve(target, promise);
    }
  }

  /**
   * Moves the copy {@code e} staged from a remote tier onto local tier {@code target}, where
   * it stays a staged copy of the same remote version (checked against it as before, never
   * uploaded): onto a persistent tier it is recorded in the journal of staged copies before it
   * is written, as a staging is; the copy it leaves is removed once the new one serves. A copy
   * no longer registered as staged moves as the store's own object ({@link #relocate}).
   *
   * @return bytes copied
   * @throws CapacityException if the target has no room; nothing changed
   */
  private long moveStaged(Entry e, int target, JournalSlot slot) {
    String name = e.name();
    StagedCopies.Copy c = staged.get(name);
    if (c == null || c.local != e.tierId()) {
      return relocate(e, target, slot);
    }
    String refusal = MigrationRules.refusal(name, set.name(e.tierId()), set.side(e.tierId()), set.name(target),
        set.side(target), ObjectFlag.EPHEMERAL.in(e.flags()));
    if (refusal != null) {
      throw new TierRuleException(refusal);
    }
    if (slot != null && slot.seq != 0) {
      // Registered with the round's moves as a move of the store's own object, which this is
      // not: its record must not outlive a crash (recovery would finish it as one).
      try {
        journal.end(slot.seq, true);
      } catch (IOException ex) {
        throw new StorageException("cannot move the staged copy of " + name + ": migration journal: "
            + ex.getMessage(), ex);
      }
      slot.seq = 0;
    }
    long promise = Math.max(0, e.size() - set.sizeOn(target, name));
    if (!space.tryReserve(target, promise)) {
      throw new CapacityException("object " + name + " of " + e.size() + " bytes does not fit on tier "
          + set.name(target));
    }
    boolean journaled = set.persistent(target);
    boolean recorded = false;
    boolean switched = false;
    ObjectStat s = null;
    try {
      if (journaled) {
        long token = staged.staging(name, target, StagedCopies.Durability.RECORD);
        recorded = true;
        staged.awaitRecorded(token);
      }
      s = set.copy(name, e.tierId(), target);
      steps.accept(MigrationStep.COPIED);
      set.indexes[target].put(name, IndexRecord.of(s, e.flags()));
      staged.staged(name, c.movedTo(target, journaled));
      global.put(new Entry(name, target, s.size(), s.mtimeMillis(), e.flags(), e.homeTierId()).inheritUse(e));
      fds.invalidate(name);
      switched = true;
      steps.accept(MigrationStep.SWITCHED);
      removeCopy(e.tierId(), name);
      if (c.journaled && !journaled) {
        staged.recordGone(name, c); // its file is gone: never a file without its record
      }
      bytesMoved.add(s.size());
      log.debug("moved the copy of {} staged from {} from {} to {}", LogText.name(name), set.name(e.homeTierId()),
          set.name(e.tierId()), set.name(target));
      return s.size();
    } catch (IOException | RuntimeException ex) {
      if (!switched) {
        undoCopy(name, target, s, e);
        if (recorded && !c.journaled) {
          staged.abandoned(name); // ends the target's intent
        }
        staged.kept(name, c); // registered again (and, if journaled, recorded again) where it still is
      }
      if (ex instanceof ObjMapperException oe) {
        throw oe;
      }
      throw new StorageException("cannot move the staged copy of " + name + " to " + set.name(target) + ": "
          + ex.getMessage(), ex);
    } finally {
      space.unreserve(target, promise);
    }
  }

  /** Checks the rules for moving {@code e} onto {@code target} and decides how. */
  private Plan plan(Entry e, int target) {
    String name = e.name();
    int src = e.tierId();
    boolean ephemeral = ObjectFlag.EPHEMERAL.in(e.flags());
    String refusal = MigrationRules.refusal(name, set.name(src), set.side(src), set.name(target), set.side(target),
        ephemeral);
    if (refusal != null) {
      throw new TierRuleException(refusal);
    }
    // A persistent object onto a volatile tier: a cached copy above its lasting one.
    boolean cacheCopy = !set.persistent(target) && !ephemeral;
    int home = e.cached() ? e.homeTierId() : src;
    if (cacheCopy && !set.persistent(home)) {
      throw new TierRuleException("object " + name + " has no persistent copy to cache on " + set.name(target));
    }
    // Moving the lasting copy of a cached object: copy from its home, drop the cache too.
    int from = e.cached() && !cacheCopy ? home : src;
    if (!cacheCopy) {
      String giveUp = MigrationRules.giveUpRefusal(name, set.name(from), set.side(from));
      if (giveUp != null) {
        throw new TierRuleException(giveUp);
      }
    }
    return new Plan(name, src, from, target, home, cacheCopy, journal != null && !cacheCopy);
  }

  /** Copies, switches and cleans up after a {@link #plan}; undoes the copy if it fails before the switch. */
  private long carry(Entry e, Plan p, JournalSlot slot) {
    String name = p.name();
    long seq = 0;
    ObjectStat s = null;
    boolean switched = false;
    try {
      seq = journalBegin(p, slot);
      s = set.copy(name, p.from(), p.target());
      steps.accept(MigrationStep.COPIED);
      set.indexes[p.target()].put(name, IndexRecord.of(s, e.flags()));
      Entry moved = new Entry(name, p.target(), s.size(), s.mtimeMillis(), e.flags(), p.cacheCopy() ? p.home() : -1)
          .inheritUse(e);
      global.put(moved);
      fds.invalidate(name);
      switched = true;
      steps.accept(MigrationStep.SWITCHED);
      if (!p.cacheCopy()) {
        removeCopy(p.from(), name);
      }
      if (p.src() != p.from() || (p.cacheCopy() && e.cached())) {
        removeCopy(p.src(), name); // the cached copy left behind
      }
      if (p.journaled()) {
        journal.end(seq);
        steps.accept(MigrationStep.DONE);
      }
      bytesMoved.add(s.size());
      log.debug("moved {} from {} to {}{}", LogText.name(name), set.name(p.from()), set.name(p.target()),
          p.cacheCopy() ? " (cached copy)" : "");
      return s.size();
    } catch (IOException | RuntimeException ex) {
      if (!switched) {
        undoCopy(name, p.target(), s, e);
        endQuietly(p.journaled(), seq);
      }
      if (ex instanceof ObjMapperException oe) {
        throw oe;
      }
      throw new StorageException("cannot move " + name + " to " + set.name(p.target()) + ": " + ex.getMessage(), ex);
    }
  }

  /** Puts the move in the journal (or takes its registration from {@code slot}); its sequence number, or 0. */
  private long journalBegin(Plan p, JournalSlot slot) throws IOException {
    long seq = 0;
    if (slot != null && slot.seq != 0 && p.journaled() && slot.from == p.from() && slot.to == p.target()) {
      seq = slot.seq; // registered with the round's moves: synced already
      slot.seq = 0;
    } else if (p.journaled()) {
      seq = journal.begin(p.name(), p.from(), p.target());
    }
    if (slot != null && slot.seq != 0) {
      // Registered as another move than the one made now (the object changed since the
      // plan): its record must not outlive a crash before this copy begins.
      journal.end(slot.seq, true);
      slot.seq = 0;
    }
    if (p.journaled()) {
      steps.accept(MigrationStep.JOURNALED);
    }
    return seq;
  }

  /** Unindexes and deletes the copy of {@code name} on tier {@code t} (after a move switched away from it). */
  private void removeCopy(int t, String name) {
    set.unindex(t, name);
    steps.accept(MigrationStep.SOURCE_UNINDEXED);
    if (set.writable(t)) {
      try {
        set.tiers[t].delete(name);
      } catch (IOException ex) {
        throw new StorageException("moved " + name + " but could not delete the copy on " + set.name(t) + ": "
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
      set.unindex(target, name);
      set.tiers[target].delete(name);
    } catch (IOException | RuntimeException ex) {
      log.warn("tier {}: cannot remove the copy of {} a failed move left: {}", set.name(target), LogText.name(name),
          LogText.error(ex));
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
   * Makes the copy {@code e} staged from a remote tier the store's own object (stripe lock
   * held): it is no longer checked against, nor evicted to, the remote tier.
   */
  private Entry adoptStaged(Entry e) {
    writes.forgetStaged(e.name());
    Entry own = new Entry(e.name(), e.tierId(), e.size(), e.mtimeMillis(), e.flags()).inheritUse(e);
    global.put(own);
    return own;
  }

  /**
   * Drops the cached copy {@code e} so that its home tier serves the object; if the cached
   * copy changed (written through a descriptor), it is written back to the home first. A copy
   * staged from a remote tier is never written back: the remote tier is the truth (if the
   * object is gone from there, it is gone).
   *
   * @return bytes written back
   */
  private long dropCachedCopy(Entry e) {
    String name = e.name();
    int cache = e.tierId();
    int home = e.homeTierId();
    if (!set.local(home)) {
      return dropStagedCopy(e);
    }
    long written = 0;
    ObjectStat now = set.stat(cache, name);
    IndexRecord homeRecord = set.indexes[home].get(name);
    ObjectStat homeStat = set.stat(home, name);
    if (homeStat == null || (now != null && !ReadPath.sameVersion(e, now))) {
      if (now == null) {
        throw new StorageException("object " + name + " lost both its cached copy on " + set.name(cache)
            + " and its copy on " + set.name(home), null);
      }
      try {
        homeStat = set.copy(name, cache, home);
      } catch (IOException ex) {
        throw new StorageException("cannot write " + name + " back to " + set.name(home) + ": " + ex.getMessage(), ex);
      }
      written = homeStat.size();
      homeRecord = IndexRecord.of(homeStat, e.flags());
      set.indexes[home].put(name, homeRecord);
    }
    Entry served = new Entry(name, home, homeStat.size(), homeStat.mtimeMillis(),
        homeRecord != null ? homeRecord.flags() : e.flags()).inheritUse(e);
    global.put(served);
    fds.invalidate(name);
    removeCopy(cache, name);
    bytesMoved.add(written);
    log.debug("dropped the cached copy of {} on {}{}", LogText.name(name), set.name(cache), written > 0 ? " (written back)" : "");
    return written;
  }

  /**
   * Drops the copy {@code e} staged from remote tier {@code e.homeTierId()}: the remote tier
   * serves the object again (indexed there with what it holds now), or nothing does if the
   * object is gone from it. Nothing is uploaded.
   */
  private long dropStagedCopy(Entry e) {
    String name = e.name();
    int home = e.homeTierId();
    ObjectStat homeStat;
    try {
      homeStat = set.tiers[home].stat(name);
    } catch (IOException ex) {
      throw new StorageException("cannot drop the staged copy of " + name + ": tier " + set.name(home)
          + " cannot be asked: " + ex.getMessage(), ex);
    }
    if (homeStat != null) {
      set.indexes[home].put(name, IndexRecord.of(homeStat, e.flags()));
      global.put(new Entry(name, home, homeStat.size(), homeStat.mtimeMillis(), e.flags()).inheritUse(e));
    } else {
      set.unindex(home, name);
      global.remove(name);
    }
    fds.invalidate(name);
    removeCopy(e.tierId(), name);
    log.debug("dropped the copy of {} staged on {}{}", LogText.name(name), set.name(e.tierId()),
        homeStat == null ? " (gone from " + set.name(home) + ")" : "");
    return 0;
  }

  /** Deletes {@code e} from every tier (eviction from the last tier of a store with no persistent tier). */
  private long evictForGood(Entry e) {
    writes.removeEverywhere(e.name());
    log.debug("evicted {} from {}: no tier below it", LogText.name(e.name()), set.name(e.tierId()));
    return 0;
  }
}
