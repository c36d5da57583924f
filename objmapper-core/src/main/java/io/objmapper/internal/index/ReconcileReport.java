package io.objmapper.internal.index;

/**
 * What a {@link PersistentTierIndex#reconcile} changed.
 *
 * @param scanned files the scan reported
 * @param added entries created for files the index did not know
 * @param updated entries whose size, modification time or identity changed
 * @param removed entries dropped because their file no longer exists
 * @param unchanged scanned files the index already described correctly
 * @param skipped scanned names that are not valid object names (left out of the index)
 * @param errors files whose state could not be read; their entries were kept as they were
 * @param durationNanos wall time of the whole reconciliation
 *
 * <p>Public for the store (another package) and for objmapper-examples'
 * index footprint benchmark ({@code examples/bench/index/IndexFootprint});
 * not API.
 */
public record ReconcileReport(long scanned, long added, long updated, long removed, long unchanged,
    long skipped, long errors, long durationNanos) {

  /** True if the index was changed at all. */
  public boolean changedIndex() {
    return added + updated + removed > 0;
  }

  /** Scanned files per second over the whole reconciliation. */
  public double filesPerSecond() {
    return durationNanos == 0 ? 0 : scanned * 1e9 / durationNanos;
  }
}
