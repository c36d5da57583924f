package io.objmapper.spi;

import java.io.Closeable;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;

/**
 * A write of one object whose bytes come from elsewhere, typically another process writing
 * through a descriptor passed to it ({@link LocalFiles#stage}): a fresh temporary file
 * beneath the tier's root, invisible as an object until {@link #commit()} renames it over the
 * object's name in one step, so readers see the old version or the whole new one. Close it
 * in any case: unless committed, closing removes the temporary file. A temporary file left
 * by a crash is removed by the tier's next start, like those of its own writes.
 *
 * <pre>{@code
 * try (StagedWrite w = tier.localFiles().orElseThrow().stage("/a/b.bin")) {
 *   try (RandomAccessFile f = w.openWriter()) {
 *     pass(f.getFD()); // the receiver writes the content
 *   }
 *   ObjectStat s = w.commit();
 * }
 * }</pre>
 */
public interface StagedWrite extends Closeable {
  /**
   * A new open file description of the temporary file, read-write, offset 0, that no one
   * else holds: one per writer. The caller closes it (the file stays).
   */
  RandomAccessFile openWriter() throws IOException;

  /**
   * A channel on the temporary file for reading its content (positional reads), to publish
   * it elsewhere (a tier without local files). Owned by this write; do not close it.
   */
  FileChannel channel();

  /** The temporary file's size now (fstat). */
  long size() throws IOException;

  /**
   * Syncs the temporary file, renames it over the object's name (atomically) and syncs the
   * directory; once only.
   *
   * @return the stat of the object now
   * @throws IllegalStateException if already committed or closed
   */
  ObjectStat commit() throws IOException;

  /** Removes the temporary file unless it was committed; closes what is open. Idempotent. */
  @Override
  void close() throws IOException;
}
