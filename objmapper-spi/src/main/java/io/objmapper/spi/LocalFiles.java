package io.objmapper.spi;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The capability of a tier whose objects are files on this machine ({@link Tier#localFiles()}):
 * their descriptors can be opened and passed to other processes.
 *
 * <p>Every open resolves the name beneath the tier's root without following a symbolic link
 * at any segment and opens nothing but a regular file, without blocking: a link, FIFO,
 * socket or device where an object should be, placed there or swapped in at any moment, is
 * answered as {@link NoSuchFileException} (no such object) at once. Callers never open
 * {@link #path} themselves.
 *
 * <pre>{@code
 * LocalFiles files = tier.localFiles().orElseThrow();
 * try (FileInputStream in = files.openRead("/photos/cat.jpg", indexedStat)) {
 *   pass(in.getFD());
 * }
 * }</pre>
 */
public interface LocalFiles {
  /** The root directory of the tier (its real path). */
  Path root();

  /**
   * Where object {@code name}'s file is or would be, for messages and tools; nothing is
   * touched, and nothing should be opened by this path (use the methods here).
   *
   * @throws InvalidObjectNameException if {@code name} is not valid
   */
  Path path(String name);

  /**
   * Opens object {@code name} for reading: a fresh, read-only, blocking descriptor that
   * keeps reading this version even if the object is overwritten or deleted meanwhile.
   *
   * @throws NoSuchFileException if there is no such object (nothing, or not a regular file
   *     reached without a symbolic link)
   * @throws TierAccessException if the tier is not {@link TierFlag#READABLE}
   * @throws InvalidObjectNameException if {@code name} is not valid
   */
  default FileInputStream openRead(String name) throws IOException {
    return openRead(name, null);
  }

  /**
   * Like {@link #openRead(String)}, and the file opened must be the version {@code expected}
   * describes (equal {@link ObjectStat}: size, mtime, identity), checked on the open
   * descriptor.
   *
   * @param expected the version the caller indexed, or {@code null} for any
   * @throws NoSuchFileException also if the file there is another version
   */
  FileInputStream openRead(String name, ObjectStat expected) throws IOException;

  /**
   * Opens the existing object {@code name} for reading and writing, by the same rules; the
   * writes change the object in place (not atomically).
   *
   * @throws NoSuchFileException if there is no such object
   * @throws TierAccessException if the tier is not {@link TierFlag#WRITABLE}
   */
  RandomAccessFile openReadWrite(String name) throws IOException;

  /**
   * Starts an atomic write of object {@code name} whose bytes another party writes: a fresh
   * temporary file beneath the root (by the same rules: no symbolic link followed, never
   * outside), published by {@link StagedWrite#commit()}. A tier that cannot stage writes
   * answers {@link UnsupportedOperationException}.
   *
   * @throws TierAccessException if the tier is not {@link TierFlag#WRITABLE}
   * @throws InvalidObjectNameException if {@code name} is not valid
   */
  default StagedWrite stage(String name) throws IOException {
    throw new UnsupportedOperationException("this tier cannot stage writes");
  }

  /**
   * Like {@link #openReadWrite}, as the bare read-write descriptor held by a stream, with the
   * size read on it: one open and one {@code fstat}, where {@link #openReadWrite} opens twice
   * (the JDK makes a {@link RandomAccessFile} only from a path). For a server that passes the
   * descriptor and closes its own copy at once.
   *
   * @throws NoSuchFileException if there is no such object
   * @throws TierAccessException if the tier is not {@link TierFlag#WRITABLE}
   */
  default ReadWrite openReadWriteDescriptor(String name) throws IOException {
    RandomAccessFile f = openReadWrite(name);
    try {
      return new ReadWrite(new FileInputStream(f.getFD()), f.length());
    } catch (IOException | RuntimeException e) {
      f.close();
      throw e;
    }
  }

  /**
   * An object open for reading and writing: {@code stream}'s {@link FileInputStream#getFD()
   * descriptor} is the read-write one (its channel reads); closing the stream closes it.
   *
   * @param size the file's size when opened
   */
  record ReadWrite(FileInputStream stream, long size) {}
}
