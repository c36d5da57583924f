package io.objmapper.internal.store;

import io.objmapper.internal.index.IndexEntry;
import io.objmapper.spi.ObjectStat;

/**
 * What a per-tier index keeps of one object.
 *
 * @param size bytes
 * @param mtimeMillis last modification, milliseconds since the epoch
 * @param flags {@link io.objmapper.ObjectFlag} mask
 * @param fileKeyHash a hash of the file's identity ({@link IndexEntry#fileKeyHash}), 0 if
 *     unknown; lets a reconciliation after a crash skip files that did not change
 */
public record IndexRecord(long size, long mtimeMillis, int flags, int fileKeyHash) {
  /** A record without a file identity. */
  public IndexRecord(long size, long mtimeMillis, int flags) {
    this(size, mtimeMillis, flags, 0);
  }

  /** The record of a stored version as its tier reports it. */
  public static IndexRecord of(ObjectStat stat, int flags) {
    return new IndexRecord(stat.size(), stat.mtimeMillis(), flags, IndexEntry.fileKeyHash(stat.fileKey()));
  }
}
