package io.objmapper.internal.index;

import java.util.concurrent.atomic.LongAdder;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.hash.SegmentLock;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;
import net.openhft.chronicle.map.MapSegmentContext;

/**
 * The Chronicle Map configuration of an index file and the single-entry operations on it.
 *
 * <p>Every write goes through a query context holding the segment's update lock, which tells
 * whether the key was present (so the index counts its size without a full {@code size()} pass)
 * and never deserializes a previous value, unlike {@code put}/{@code remove} that return one.
 *
 * <h2>Mirroring during a growth</h2>
 * While a growth copies the current map into a larger one, every write also brings the larger
 * map's entry for its key to the state it left in the current map ({@link Mirror}), before
 * releasing the current map's segment lock. The copy holds that same segment's lock while it
 * copies the segment ({@link #copySegment}). So for any key, the copy and every write are
 * ordered by one lock: a write before the copy of its segment is copied (and mirrored, to the
 * same state); a write after it is mirrored. When the copy ends, the larger map equals the
 * current one, and the switch needs no replay.
 */
final class ChronicleMaps {
  /** The map's name in its header; constant so that headers of grown maps match the builder. */
  static final String MAP_NAME = "objmapper-tier-index";

  /** The most segments {@link #builder} asks for (a large map gets more from Chronicle Map itself). */
  static final int MIN_SEGMENTS = 64;
  /** Declared entries per segment {@link #builder} asks for, at least. */
  static final int ENTRIES_PER_SEGMENT = 1024;

  static final int UNCHANGED = 0;
  static final int ADDED = 1;
  static final int UPDATED = 2;
  static final int REMOVED = -1;

  private ChronicleMaps() {}

  static String libraryVersion() {
    String v = ChronicleMap.class.getPackage().getImplementationVersion();
    return v == null ? "unknown" : v;
  }

  /**
   * A builder for a map of {@code entries} names averaging {@code averageKeySize} UTF-8 bytes.
   * Entry checksums stay on (files written before keep their layout). The file is
   * preallocated (not sparse); segments may spill into overflow tiers up to about twice the
   * declared entries before a put fails with {@link IllegalStateException}.
   *
   * <p>At least one segment per {@value #ENTRIES_PER_SEGMENT} declared entries, up to {@value
   * #MIN_SEGMENTS}: Chronicle Map gives a map of 50,000 entries 8 segments, and its segment
   * locks spin. Four importing threads on two cores then spent about 4 % of their CPU spinning
   * on a segment whose holder was not running; 48 segments cost an empty map of 50,000 entries
   * about half a megabyte more. Each segment keeps room for a thousand entries, so that one
   * name of the longest length still fits in it. A map already on disk keeps the segments it
   * was made with.
   */
  static ChronicleMapBuilder<String, IndexEntry> builder(long entries, double averageKeySize) {
    return ChronicleMap.of(String.class, IndexEntry.class)
        .name(MAP_NAME)
        .entries(entries)
        .minSegments((int) Math.max(1, Math.min(MIN_SEGMENTS, entries / ENTRIES_PER_SEGMENT)))
        .averageKeySize(averageKeySize)
        .valueMarshallers(IndexEntryMarshaller.INSTANCE, IndexEntryMarshaller.INSTANCE)
        .constantValueSizeBySample(new IndexEntry())
        .checksumEntries(true)
        // The index closes its maps itself (a clean close writes the marker). Chronicle Map's
        // own exit hook would wait, spinning, for a context a walk over a damaged map never
        // gives back, and keep the JVM from exiting.
        .skipCloseOnExitHook(true);
  }

  /** The larger map a growth is filling, and whether keeping it in step failed. */
  static final class Mirror {
    final ChronicleMap<String, IndexEntry> target;
    final LongAdder writes = new LongAdder();
    private volatile RuntimeException failure;

    Mirror(ChronicleMap<String, IndexEntry> target) {
      this.target = target;
    }

    /** Why the target may differ from the source (the growth must then be abandoned), or null. */
    RuntimeException failure() {
      return failure;
    }
  }

  /** Inserts or replaces; {@link #ADDED} or {@link #UPDATED}. */
  static int put(ChronicleMap<String, IndexEntry> map, String name, IndexEntry value, Mirror mirror) {
    try (ExternalMapQueryContext<String, IndexEntry, ?> c = map.queryContext(name)) {
      c.updateLock().lock();
      MapEntry<String, IndexEntry> e = c.entry();
      Data<IndexEntry> data = c.wrapValueAsData(value);
      int result;
      if (e == null) {
        c.insert(c.absentEntry(), data);
        result = ADDED;
      } else {
        c.replaceValue(e, data);
        result = UPDATED;
      }
      mirror(c, mirror);
      return result;
    }
  }

  /** Removes; {@link #REMOVED} or {@link #UNCHANGED} if {@code name} was absent. */
  static int remove(ChronicleMap<String, IndexEntry> map, String name, Mirror mirror) {
    try (ExternalMapQueryContext<String, IndexEntry, ?> c = map.queryContext(name)) {
      c.updateLock().lock();
      MapEntry<String, IndexEntry> e = c.entry();
      if (e == null) {
        return UNCHANGED;
      }
      c.remove(e);
      mirror(c, mirror);
      return REMOVED;
    }
  }

  /** Looks at the file behind an entry; runs while the entry is locked. */
  @FunctionalInterface
  interface FileCheck {
    /** True unless the file certainly does not exist (an unreadable file counts as existing). */
    boolean mayExist();
  }

  /**
   * Removes {@code name} if its value still equals {@code expected} (flags included) and, asked
   * while the entry is locked, {@code check} says the file is gone. A writer that creates the
   * file and then puts the entry either created it before the check (seen: kept) or puts after
   * the removal (its entry stands).
   *
   * @return {@link #REMOVED} or {@link #UNCHANGED}
   */
  static int removeIfGone(ChronicleMap<String, IndexEntry> map, String name, IndexEntry expected,
      IndexEntry scratch, FileCheck check, Mirror mirror) {
    try (ExternalMapQueryContext<String, IndexEntry, ?> c = map.queryContext(name)) {
      c.updateLock().lock();
      MapEntry<String, IndexEntry> e = c.entry();
      if (e == null || !e.value().getUsing(scratch).equals(expected) || check.mayExist()) {
        return UNCHANGED;
      }
      c.remove(e);
      mirror(c, mirror);
      return REMOVED;
    }
  }

  /**
   * Makes {@code name} describe the file {@code scanned} describes, keeping the flags of an
   * existing entry (a scan knows nothing of them).
   *
   * @return {@link #ADDED}, {@link #UPDATED} or {@link #UNCHANGED}
   */
  static int merge(ChronicleMap<String, IndexEntry> map, String name, IndexEntry scanned, IndexEntry scratch,
      Mirror mirror) {
    try (ExternalMapQueryContext<String, IndexEntry, ?> c = map.queryContext(name)) {
      c.updateLock().lock();
      MapEntry<String, IndexEntry> e = c.entry();
      if (e == null) {
        c.insert(c.absentEntry(), c.wrapValueAsData(scanned));
        mirror(c, mirror);
        return ADDED;
      }
      IndexEntry existing = e.value().getUsing(scratch);
      if (existing.sameFileAs(scanned)) {
        return UNCHANGED;
      }
      existing.set(scanned.size(), scanned.mtimeMillis(), scanned.fileKeyHash(), existing.flags());
      c.replaceValue(e, c.wrapValueAsData(existing));
      mirror(c, mirror);
      return UPDATED;
    }
  }

  /**
   * How many entries a walk over a map declared for {@code capacity} entries may meet before
   * the map is taken for damaged: Chronicle Map follows the links between a segment's tiers as
   * it finds them, so a damaged file whose links loop walks forever (a clean marker forged over
   * it lets it be opened). A map holds a little more than it was declared for before it grows;
   * four times that and a margin is far past what any intact map holds.
   */
  static long walkBound(long capacity) {
    return Math.max(0, capacity) * 4 + 65_536;
  }

  /** The failure a walk past {@link #walkBound} ends with: the map walked is damaged. */
  static final class EndlessWalkException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    EndlessWalkException(long bound) {
      super("a walk over the map met more than " + bound + " entries, more than it can hold: its links loop "
          + "(a damaged map)");
    }
  }

  static EndlessWalkException endlessWalk(long bound) {
    return new EndlessWalkException(bound);
  }

  /**
   * Copies segment {@code segment} of {@code from} into {@code to}, holding the segment's lock
   * throughout (see the class comment).
   *
   * @param budget how many entries it may meet at most (see {@link #walkBound})
   * @return the number of entries copied
   * @throws IllegalStateException if the segment has more than {@code budget} entries
   */
  static long copySegment(ChronicleMap<String, IndexEntry> from, int segment, ChronicleMap<String, IndexEntry> to,
      long budget) {
    long[] copied = new long[1];
    try (MapSegmentContext<String, IndexEntry, ?> c = from.segmentContext(segment)) {
      // Iteration takes this lock by itself; taking it first makes the guarantee explicit.
      ((SegmentLock) c).updateLock().lock();
      c.forEachSegmentEntry(e -> {
        if (++copied[0] > budget) {
          throw endlessWalk(budget);
        }
        copy(e.key(), e.value(), to);
      });
    }
    return copied[0];
  }

  /** Brings {@code mirror}'s entry for the context's key to the state the context holds. */
  private static void mirror(ExternalMapQueryContext<String, IndexEntry, ?> c, Mirror mirror) {
    if (mirror == null) {
      return;
    }
    try {
      MapEntry<String, IndexEntry> e = c.entry();
      if (e != null) {
        copy(e.key(), e.value(), mirror.target);
      } else {
        try (ExternalMapQueryContext<String, IndexEntry, ?> m = mirror.target.queryContext(c.queriedKey())) {
          m.updateLock().lock();
          MapEntry<String, IndexEntry> stale = m.entry();
          if (stale != null) {
            m.remove(stale);
          }
        }
      }
      mirror.writes.increment();
    } catch (RuntimeException ex) {
      mirror.failure = ex; // the write itself succeeded; the growth will be abandoned
    } catch (InternalError ex) { // a fault on a page of the new map's mapping
      mirror.failure = new MapLength.MapAccessFault(ex);
    }
  }

  /** Puts the stored bytes {@code key} → {@code value} into {@code target}. */
  private static void copy(Data<String> key, Data<IndexEntry> value, ChronicleMap<String, IndexEntry> target) {
    try (ExternalMapQueryContext<String, IndexEntry, ?> c = target.queryContext(key)) {
      c.updateLock().lock();
      MapEntry<String, IndexEntry> existing = c.entry();
      if (existing == null) {
        c.insert(c.absentEntry(), value);
      } else {
        c.replaceValue(existing, value);
      }
    }
  }
}
