package io.objmapper.internal.index;

/**
 * How {@link PersistentTierIndex#open} found the index file, and so how far the caller may trust
 * it before using it to answer lookups.
 *
 * <p>Public for the store (another package) and for objmapper-examples'
 * index footprint benchmark ({@code examples/bench/index/IndexFootprint});
 * not API.
 */
public enum OpenState {
  /** The index was closed cleanly last time: every entry is trusted as it is. */
  CLEAN,
  /**
   * The index was not closed cleanly (crash, {@code kill -9}) and was recovered. Every entry
   * written before the stop is kept, but the tier may have changed while nothing recorded it:
   * {@linkplain PersistentTierIndex#reconcile reconcile} it with the tier.
   */
  RECOVERED,
  /** No index file existed: the index starts empty; a full scan of the tier is needed. */
  CREATED,
  /**
   * The index file was unusable (truncated, corrupt, written by an incompatible version): it was
   * moved aside and the index starts empty; a full scan of the tier is needed.
   */
  RESET;

  /** True if the entries can be used without looking at the tier first. */
  public boolean trusted() {
    return this == CLEAN;
  }

  /** True if the index starts empty and only a full scan of the tier can fill it. */
  public boolean needsFullScan() {
    return this == CREATED || this == RESET;
  }
}
