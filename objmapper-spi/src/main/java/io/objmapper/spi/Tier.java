package io.objmapper.spi;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.util.Optional;

/**
 * One storage tier: a place that holds objects under their names, created by a {@link
 * TierProvider} from a {@link TierConfig}.
 *
 * <p>A <em>local</em> tier keeps each object in a file below a root directory and offers the
 * {@link LocalFiles} capability ({@link #localFiles()}), so the engine can open it safely and
 * pass the descriptor to a client. A remote tier (an object store) is read through {@link
 * #openStream} only; the engine stages its objects onto a local tier before handing them out:
 *
 * <pre>{@code
 * try (InputStream in = remote.openStream(name)) {
 *   local.write(name, in);
 * }
 * try (FileInputStream in = local.localFiles().orElseThrow().openRead(name)) {
 *   // pass in.getFD() to the client
 * }
 * }</pre>
 *
 * <p>A plugin for files in a directory tree extends {@link io.objmapper.spi.dir.DirectoryTier}
 * with its {@link io.objmapper.spi.dir.DirectoryLayout}: atomic writes, the safe open, scans,
 * counts and crash recovery come with it.
 *
 * <p><b>Names.</b> Every operation validates its name with {@link
 * ObjectNames#validateStorable} before it touches anything and throws {@link
 * InvalidObjectNameException} for a bad name, including one with a segment starting with
 * {@link ObjectNames#RESERVED_PREFIX}: such files are the tier's own.
 *
 * <p><b>Flags.</b> Writes and deletes need {@link TierFlag#WRITABLE}, reads ({@link
 * LocalFiles#openRead}, {@link #openStream}) need {@link TierFlag#READABLE}; without the flag they
 * throw {@link TierAccessException} and touch nothing. {@link #stat} and {@link #scan} work on
 * every tier.
 *
 * <p><b>Writes are atomic.</b> A reader sees either the old object or the whole new one,
 * never a partial one, and a reader that opened the old version keeps reading the old bytes.
 * If a write fails (its source throws, the disk fills), the old object is untouched and
 * nothing of the attempt is left behind but the parent directories a local tier created for a
 * nested name. A local tier does this with a temporary file in the target's directory, synced,
 * then renamed over the target, and the directory synced.
 *
 * <p><b>Counts.</b> {@link #usedBytes()} and {@link #objectCount()} come from what the tier
 * saved at its last clean close, or else from a scan: a tier may take them from its first
 * {@link #scan} (so that an owner filling an index walks the objects once) and, if none came
 * before, scan when first asked for them or written to. Writes and deletes made through this
 * instance keep them up to date. Changes made behind its back (another process, an
 * administrator) are seen on the next {@link #scan}.
 *
 * <p>Implementations are safe for use by many threads. After {@link #close()} every
 * operation except {@code close}, {@link #config()} and {@link #localFiles()} throws {@link
 * IllegalStateException}; channels and streams opened before stay usable until closed.
 */
public interface Tier extends AutoCloseable {
  /** The configuration the tier runs with, including any defaults its provider filled in. */
  TierConfig config();

  /** Shorthand for {@code config().name()}. */
  default String name() {
    return config().name();
  }

  /**
   * The tier's files, if its objects are files on this machine whose descriptors can be
   * passed to other processes; empty for a remote tier (this default). The same answer
   * every time.
   */
  default Optional<LocalFiles> localFiles() {
    return Optional.empty();
  }

  /**
   * The object's size, modification time and version identity, or {@code null} if there is
   * no object {@code name} (a directory is not an object).
   *
   * @throws InvalidObjectNameException if {@code name} is not valid
   */
  ObjectStat stat(String name) throws IOException;

  /**
   * Opens object {@code name} as a stream, on any tier. The stream keeps reading the
   * version it opened, as {@link LocalFiles#openRead(String)} does.
   *
   * <p>A remote tier's stream may also implement {@code java.util.function.Supplier<ObjectStat>}
   * and tell the stat of the version it reads (as an HTTP answer's length and ETag do; null
   * until known, e.g. once read to the end). The store then records a copy staged from it as a
   * copy of that version without another {@link #stat}, holds the copy to that length (a body
   * of another length fails the staging or move, leaving nothing), and may stage it on a
   * volatile tier with a capacity and room for that length; the copy of a stream that tells
   * nothing passes such a tier over.
   *
   * @throws NoSuchFileException if there is no such object
   * @throws TierAccessException if the tier is not {@link TierFlag#READABLE}
   * @throws InvalidObjectNameException if {@code name} is not valid
   */
  InputStream openStream(String name) throws IOException;

  /**
   * Atomically stores everything {@code source} yields until its end as object {@code name},
   * replacing any previous version and creating parent directories as needed. The stream is
   * not closed.
   *
   * @return the stat of the stored version
   * @throws TierAccessException if the tier is not {@link TierFlag#WRITABLE}
   * @throws InvalidObjectNameException if {@code name} is not valid
   * @throws IOException if the source or the tier fails; the old version is then untouched
   */
  ObjectStat write(String name, InputStream source) throws IOException;

  /**
   * Atomically stores the remaining bytes of {@code source} as object {@code name}, as
   * {@link #write(String, InputStream)} does. The buffer's position ends at its limit.
   */
  ObjectStat write(String name, ByteBuffer source) throws IOException;

  /** Atomically stores {@code bytes} as object {@code name}; see {@link #write(String, ByteBuffer)}. */
  default ObjectStat write(String name, byte[] bytes) throws IOException {
    return write(name, ByteBuffer.wrap(bytes));
  }

  /**
   * Atomically stores {@code count} bytes of {@code source}, starting at {@code position}, as
   * object {@code name}, as {@link #write(String, InputStream)} does. The channel's own
   * position does not change. A local tier copies with {@link FileChannel#transferTo}, which
   * lets the kernel copy without passing the bytes through the Java heap.
   *
   * @throws java.io.EOFException if {@code source} ends before {@code count} bytes; nothing
   *     is stored then
   * @throws IllegalArgumentException if {@code position} or {@code count} is negative
   */
  ObjectStat write(String name, FileChannel source, long position, long count) throws IOException;

  /**
   * Removes object {@code name}.
   *
   * @return true if it existed and was removed, false if there was no such object
   * @throws TierAccessException if the tier is not {@link TierFlag#WRITABLE}
   * @throws InvalidObjectNameException if {@code name} is not valid
   */
  boolean delete(String name) throws IOException;

  /**
   * Visits every object once, with its name and stat, skipping the tier's own files (those
   * whose name starts with {@link ObjectNames#RESERVED_PREFIX}: writes in progress, indexes)
   * and the {@linkplain TierConfig#indexPath() index path}. Objects written or deleted during
   * the scan may or may not be visited.
   *
   * <p>{@code progress} is called with the running totals from time to time and once more at
   * the end with the final totals; totals never decrease. A scan that completes with no write
   * or delete through this tier meanwhile resets {@link #usedBytes()} and {@link
   * #objectCount()} to what it found.
   *
   * <pre>{@code
   * long n = tier.scan(index::put, (objects, bytes) -> log.info("{}: {} objects", tier.name(), objects));
   * }</pre>
   *
   * @return the number of objects visited
   * @throws IOException if the tier cannot be listed, or as thrown by {@code visitor}
   */
  long scan(ScanVisitor visitor, ScanProgress progress) throws IOException;

  /** Bytes held by the tier's objects; see the class comment for how it is kept. */
  long usedBytes();

  /** Number of objects on the tier; see the class comment for how it is kept. */
  long objectCount();

  /**
   * Releases what the tier holds. Calling it again does nothing. Objects stay where they are,
   * except that a tier that created its own root for its lifetime removes it.
   */
  @Override
  void close() throws IOException;

  /** Receives each object a {@link #scan} finds. */
  @FunctionalInterface
  interface ScanVisitor {
    /** Called once per object; an exception thrown here ends the scan. */
    void visit(String name, ObjectStat stat) throws IOException;
  }

  /** Receives the running totals of a {@link #scan}. */
  @FunctionalInterface
  interface ScanProgress {
    /** A progress that ignores the totals. */
    ScanProgress NONE = (objects, bytes) -> {};

    /** {@code objects} visited so far, holding {@code bytes} bytes. */
    void progress(long objects, long bytes);
  }
}
