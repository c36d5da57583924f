package io.objmapper.internal.index;

/**
 * How {@link PersistentTierIndex#open} found the index file, and so how far the caller may trust
 * it before using it to answer lookups. An index is either trusted as it is or rebuilt: a map
 * file that may be damaged is never read (see {@link PersistentTierIndex}).
 *
 * <p>Public for the store (another package) and for objmapper-examples'
 * index footprint benchmark ({@code examples/bench/index/IndexFootprint});
 * not API.
 */
public enum OpenState {
  /** The index was closed cleanly last time: every entry is trusted as it is. */
  CLEAN,
  /** No index file existed: the index starts empty; a full scan of the tier is needed. */
  CREATED,
  /**
   * The index could not be trusted: not closed cleanly (crash, {@code kill -9}), its map file
   * changed since the clean close, truncated, missing, or written by another version. The map
   * file was moved aside unread and the index starts empty; a full scan of the tier is needed.
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
