package io.objmapper.internal.index;

import java.io.IOException;

/**
 * What {@link PersistentTierIndex#reconcile} needs to know about the files of a tier: a scan of
 * all of them, and the current state of one.
 *
 * <p>{@link DirectoryTierFiles} implements it for a directory tree; a tier with another layout
 * (or a test) provides its own.
 *
 * <p>Public for the store (another package) and for objmapper-examples'
 * index footprint benchmark ({@code examples/bench/index/IndexFootprint});
 * not API.
 */
public interface TierFiles {
  /**
   * Reports every object file of the tier to {@code sink}, once each, in any order. A file
   * created or deleted while the scan runs may or may not be reported.
   *
   * @throws IOException if the scan cannot be completed; the reconciliation then removes nothing
   */
  void scan(ScanSink sink) throws IOException;

  /**
   * Reads the current size, modification time and identity of the file for {@code name} into
   * {@code into} (its flags are left to the caller).
   *
   * @return {@code false} only if the file certainly does not exist
   * @throws IOException if its state cannot be read (the index then keeps its entry)
   */
  boolean stat(String name, IndexEntry into) throws IOException;

  /** Receives the files of a {@link #scan}. */
  @FunctionalInterface
  interface ScanSink {
    /** One object file: its name, size in bytes, modification time and {@link IndexEntry#fileKeyHash}. */
    void file(String name, long size, long mtimeMillis, int fileKeyHash);
  }
}
