package io.objmapper.internal.index;

/** Receives the entries of a {@link PersistentTierIndex} walk, one call per entry. */
@FunctionalInterface
public interface EntryVisitor {
  /**
   * Called for one entry. {@code entry} is a holder reused for the next call: copy it to keep it.
   * The visitor may call the index's {@code get}, {@code put} and {@code remove} (no lock of the
   * index is held during the call), but must not close it.
   *
   * @return {@code true} to continue, {@code false} to stop the walk
   */
  boolean visit(String name, IndexEntry entry);
}
