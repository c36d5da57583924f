package io.objmapper.internal.index;

import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;

/**
 * The Chronicle Map configuration of an index file and the single-entry operations on it.
 *
 * <p>Every write goes through a query context holding the segment's update lock, which tells
 * whether the key was present (so the index counts its size without a full {@code size()} pass)
 * and never deserializes a previous value, unlike {@code put}/{@code remove} that return one.
 */
final class ChronicleMaps {
  /** The map's name in its header; constant so that headers of grown maps match the builder. */
  static final String MAP_NAME = "objmapper-tier-index";

  static final int UNCHANGED = 0;
  static final int ADDED = 1;
  static final int UPDATED = 2;

  private ChronicleMaps() {}

  static String libraryVersion() {
    String v = ChronicleMap.class.getPackage().getImplementationVersion();
    return v == null ? "unknown" : v;
  }

  /**
   * A builder for a map of {@code entries} names averaging {@code averageKeySize} UTF-8 bytes.
   * Checksums stay on: recovery after a crash uses them to drop torn entries. The file is
   * preallocated (not sparse); segments may spill into extra tiers up to twice the declared
   * entries before a put fails with {@link IllegalStateException}.
   */
  static ChronicleMapBuilder<String, IndexEntry> builder(long entries, double averageKeySize) {
    return ChronicleMap.of(String.class, IndexEntry.class)
        .name(MAP_NAME)
        .entries(entries)
        .averageKeySize(averageKeySize)
        .valueMarshallers(IndexEntryMarshaller.INSTANCE, IndexEntryMarshaller.INSTANCE)
        .constantValueSizeBySample(new IndexEntry())
        .checksumEntries(true);
  }

  /** Inserts or replaces; true if {@code name} was absent. */
  static boolean put(ChronicleMap<String, IndexEntry> map, String name, IndexEntry value) {
    try (ExternalMapQueryContext<String, IndexEntry, ?> c = map.queryContext(name)) {
      c.updateLock().lock();
      MapEntry<String, IndexEntry> e = c.entry();
      Data<IndexEntry> data = c.wrapValueAsData(value);
      if (e == null) {
        c.insert(c.absentEntry(), data);
        return true;
      }
      c.replaceValue(e, data);
      return false;
    }
  }

  /** Removes; true if {@code name} was present. */
  static boolean remove(ChronicleMap<String, IndexEntry> map, String name) {
    try (ExternalMapQueryContext<String, IndexEntry, ?> c = map.queryContext(name)) {
      c.updateLock().lock();
      MapEntry<String, IndexEntry> e = c.entry();
      if (e == null) {
        return false;
      }
      c.remove(e);
      return true;
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
   */
  static boolean removeIfGone(ChronicleMap<String, IndexEntry> map, String name, IndexEntry expected,
      IndexEntry scratch, FileCheck check) {
    try (ExternalMapQueryContext<String, IndexEntry, ?> c = map.queryContext(name)) {
      c.updateLock().lock();
      MapEntry<String, IndexEntry> e = c.entry();
      if (e == null || !e.value().getUsing(scratch).equals(expected) || check.mayExist()) {
        return false;
      }
      c.remove(e);
      return true;
    }
  }

  /**
   * Makes {@code name} describe the file {@code scanned} describes, keeping the flags of an
   * existing entry (a scan knows nothing of them).
   *
   * @return {@link #ADDED}, {@link #UPDATED} or {@link #UNCHANGED}
   */
  static int merge(ChronicleMap<String, IndexEntry> map, String name, IndexEntry scanned, IndexEntry scratch) {
    try (ExternalMapQueryContext<String, IndexEntry, ?> c = map.queryContext(name)) {
      c.updateLock().lock();
      MapEntry<String, IndexEntry> e = c.entry();
      if (e == null) {
        c.insert(c.absentEntry(), c.wrapValueAsData(scanned));
        return ADDED;
      }
      IndexEntry existing = e.value().getUsing(scratch);
      if (existing.sameFileAs(scanned)) {
        return UNCHANGED;
      }
      existing.set(scanned.size(), scanned.mtimeMillis(), scanned.fileKeyHash(), existing.flags());
      c.replaceValue(e, c.wrapValueAsData(existing));
      return UPDATED;
    }
  }

  /** Copies one entry's stored bytes into {@code target}, replacing what is there. */
  static void copy(MapEntry<String, IndexEntry> entry, ChronicleMap<String, IndexEntry> target) {
    try (ExternalMapQueryContext<String, IndexEntry, ?> c = target.queryContext(entry.key())) {
      c.updateLock().lock();
      MapEntry<String, IndexEntry> existing = c.entry();
      if (existing == null) {
        c.insert(c.absentEntry(), entry.value());
      } else {
        c.replaceValue(existing, entry.value());
      }
    }
  }
}
