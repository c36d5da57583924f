package io.objmapper.internal.index;

import java.nio.file.attribute.BasicFileAttributes;

/**
 * What a tier index knows about one object's file: its size, its modification time, a hash of
 * its file identity (device and inode) and flags owned by the layers above the index.
 *
 * <p>A small mutable holder so that lookups can fill a caller's instance instead of allocating
 * ({@link PersistentTierIndex#get(String, IndexEntry)}). Not thread-safe: give each thread its
 * own. Stored as {@value #STORED_BYTES} bytes per entry (see {@link IndexEntryMarshaller}).
 *
 * <p>Public for the store (another package) and for objmapper-examples'
 * index footprint benchmark ({@code examples/bench/index/IndexFootprint});
 * not API.
 */
public final class IndexEntry {
  /** Bytes one value takes in the map file. */
  public static final int STORED_BYTES = 24;

  private long size;
  private long mtimeMillis;
  private int fileKeyHash;
  private int flags;

  /** An entry with every field zero. */
  public IndexEntry() {}

  public IndexEntry(long size, long mtimeMillis, int fileKeyHash, int flags) {
    set(size, mtimeMillis, fileKeyHash, flags);
  }

  /** Sets every field and returns this holder. */
  public IndexEntry set(long size, long mtimeMillis, int fileKeyHash, int flags) {
    this.size = size;
    this.mtimeMillis = mtimeMillis;
    this.fileKeyHash = fileKeyHash;
    this.flags = flags;
    return this;
  }

  /** Takes size, modification time and file identity from {@code attrs}; flags become {@code flags}. */
  public IndexEntry set(BasicFileAttributes attrs, int flags) {
    return set(attrs.size(), attrs.lastModifiedTime().toMillis(), fileKeyHash(attrs.fileKey()), flags);
  }

  /** Copies every field of {@code other} and returns this holder. */
  public IndexEntry copyFrom(IndexEntry other) {
    return set(other.size, other.mtimeMillis, other.fileKeyHash, other.flags);
  }

  /** File size in bytes. */
  public long size() {
    return size;
  }

  /** Last modification time, milliseconds since the epoch. */
  public long mtimeMillis() {
    return mtimeMillis;
  }

  /** A 32-bit hash of the file's identity ({@link #fileKeyHash(Object)}); 0 when unknown. */
  public int fileKeyHash() {
    return fileKeyHash;
  }

  /** Flags owned by the layers above the index; the index stores them and never interprets them. */
  public int flags() {
    return flags;
  }

  /**
   * True if both describe the same file contents as far as the file system tells: same size,
   * modification time and identity. Flags are not compared.
   */
  public boolean sameFileAs(IndexEntry other) {
    return size == other.size && mtimeMillis == other.mtimeMillis && fileKeyHash == other.fileKeyHash;
  }

  /**
   * Hashes a {@link BasicFileAttributes#fileKey()} (device and inode on Unix) to 32 bits; 0 if the
   * file system has no file keys. The JDK's Unix file key hashes its device and inode numbers
   * only, so the value is the same in every run. Two different files may share a hash, so a
   * match only says "probably the same file"; a difference says "certainly replaced".
   */
  public static int fileKeyHash(Object fileKey) {
    if (fileKey == null) {
      return 0;
    }
    int h = fileKey.hashCode() * 0x9E3779B9;
    return h ^ (h >>> 16);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IndexEntry && sameFileAs((IndexEntry) o) && flags == ((IndexEntry) o).flags;
  }

  @Override
  public int hashCode() {
    int h = Long.hashCode(size);
    h = 31 * h + Long.hashCode(mtimeMillis);
    h = 31 * h + fileKeyHash;
    return 31 * h + flags;
  }

  @Override
  public String toString() {
    return "IndexEntry{size=" + size + ", mtimeMillis=" + mtimeMillis
        + ", fileKeyHash=" + Integer.toHexString(fileKeyHash) + ", flags=" + Integer.toHexString(flags) + '}';
  }
}
