package io.objmapper.internal.store;

import java.util.function.BiConsumer;

/**
 * The index of one tier: object name → {@link IndexRecord}. Persistent tiers keep it in a
 * Chronicle Map file; volatile tiers in the heap. Reads never block behind writers.
 */
public interface TierIndex extends AutoCloseable {
  /** The record of {@code name}, or {@code null}. */
  IndexRecord get(String name);

  void put(String name, IndexRecord record);

  /** True if there was a record. */
  boolean remove(String name);

  /** Visits every record whose name starts with {@code prefix} (cost: a full pass). */
  void forEach(String prefix, BiConsumer<String, IndexRecord> visitor);

  long size();

  /**
   * False while the index is being rebuilt or reconciled: a miss then proves nothing and
   * the tier itself must be asked.
   */
  boolean complete();

  /**
   * False while the index is still being opened: {@link #get} then finds nothing and
   * writes wait for it. A lookup must not wait, so it does not index what it finds then.
   */
  default boolean ready() {
    return true;
  }

  /**
   * Waits until the index is opened (or failed to open), for an answer that needs what only
   * the index knows (an object's flags). Never on the request path.
   */
  default void awaitOpened() {
  }

  @Override
  void close();
}
