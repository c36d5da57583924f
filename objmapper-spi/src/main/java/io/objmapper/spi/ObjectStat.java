package io.objmapper.spi;

/**
 * What a tier knows about one stored object: its size, its modification time and an identity
 * of the stored version.
 *
 * <p>Two stats are {@linkplain #equals equal} when they describe the same stored version as
 * far as the tier can tell; the engine revalidates a cached descriptor by comparing the stat
 * it cached with a fresh one. On a local tier {@link #fileKey} is the file system's identity
 * of the file (device and inode, from {@code BasicFileAttributes.fileKey()}); an atomic
 * overwrite creates a new file, so its key differs unless the file system reuses the inode
 * number at once.
 *
 * @param size the object's length in bytes, {@code >= 0}
 * @param mtimeMillis last modification, milliseconds since the epoch
 * @param fileKey an opaque identity of the stored version, compared with {@code equals}
 *     ({@code null} when the tier has none)
 */
public record ObjectStat(long size, long mtimeMillis, Object fileKey) {
  /** @throws IllegalArgumentException if {@code size < 0} */
  public ObjectStat {
    if (size < 0) {
      throw new IllegalArgumentException("size < 0");
    }
  }
}
