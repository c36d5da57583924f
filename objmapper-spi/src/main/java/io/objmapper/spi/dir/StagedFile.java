package io.objmapper.spi.dir;

import io.objmapper.spi.ObjectStat;
import io.objmapper.spi.StagedWrite;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * A {@link StagedWrite} of a {@link DirectoryTier}: a temporary file {@link
 * AtomicWrite#TEMP_PREFIX}{@code <random>} in the object's own directory (so the rename never
 * crosses a file system), created there without following a link and held open by descriptor;
 * each writer gets its own description through {@code /proc/self/fd}. The tier's start after a
 * crash removes one left behind, as it removes those of {@link AtomicWrite}.
 */
final class StagedFile implements StagedWrite {
  /** The step of the commit the tier owns: the rename, under its lock, with its counts. */
  interface Publisher {
    /** Calls {@code rename} and accounts for {@code fileName} in {@code dir} now holding {@code size} bytes. */
    void publish(BeneathRoot.Directory dir, String fileName, long size, Rename rename) throws IOException;
  }

  /** The rename itself. */
  interface Rename {
    void run() throws IOException;
  }

  private final BeneathRoot.Directory dir;
  private final String fileName;
  private final String tempName;
  private final int fd;
  private final RandomAccessFile file;
  private final Publisher publisher;
  /** The temporary file's identity (device and inode) when it was made. */
  private final Object fileKey;
  private boolean committed;
  private boolean closed;

  private StagedFile(BeneathRoot.Directory dir, String fileName, String tempName, int fd, RandomAccessFile file,
      Object fileKey, Publisher publisher) {
    this.dir = dir;
    this.fileKey = fileKey;
    this.fileName = fileName;
    this.tempName = tempName;
    this.fd = fd;
    this.file = file;
    this.publisher = publisher;
  }

  /** Creates the temporary file in {@code dir} (which the result owns and closes). */
  static StagedFile create(BeneathRoot.Directory dir, String fileName, Set<PosixFilePermission> mode,
      Publisher publisher) throws IOException {
    BeneathRoot.NewFile nf;
    try {
      nf = dir.createNew(AtomicWrite.TEMP_PREFIX, mode);
    } catch (IOException | RuntimeException e) {
      dir.close();
      throw e;
    }
    RandomAccessFile file = null;
    try {
      file = new RandomAccessFile(where(dir, nf.name(), nf.fd()).toFile(), "rw");
      // The identity of the file made now: its commit publishes it and nothing put in its place.
      Object key = Files.readAttributes(where(dir, nf.name(), nf.fd()), BasicFileAttributes.class).fileKey();
      return new StagedFile(dir, fileName, nf.name(), nf.fd(), file, key, publisher);
    } catch (IOException | RuntimeException e) {
      if (file != null) {
        file.close();
      }
      if (nf.fd() >= 0) {
        Native.close(nf.fd());
      }
      try {
        Files.deleteIfExists(dir.path().resolve(nf.name()));
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      dir.close();
      throw e;
    }
  }

  /** The path that reopens the temporary file: its descriptor's, or its name in the directory. */
  private static Path where(BeneathRoot.Directory dir, String tempName, int fd) {
    return fd >= 0 ? BeneathRoot.procPathOf(fd) : dir.path().resolve(tempName);
  }

  @Override
  public synchronized RandomAccessFile openWriter() throws IOException {
    ensureStaged();
    return new RandomAccessFile(where(dir, tempName, fd).toFile(), "rw");
  }

  @Override
  public FileChannel channel() {
    return file.getChannel();
  }

  @Override
  public long size() throws IOException {
    return file.getChannel().size();
  }

  @Override
  public synchronized ObjectStat commit() throws IOException {
    ensureStaged();
    FileChannel ch = file.getChannel();
    ch.force(true);
    long size = ch.size();
    Path temp = dir.path().resolve(tempName);
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(where(dir, tempName, fd), BasicFileAttributes.class);
      publisher.publish(dir, fileName, size, () -> {
        // The rename goes by name: the name must still be the file written and synced, not a
        // link, FIFO or other file put in its place, or that would be published as the object.
        BasicFileAttributes now = dir.regularFile(tempName);
        if (now == null || fileKey == null || !fileKey.equals(now.fileKey())) {
          throw new IOException(tempName + ": the temporary file was replaced before its commit; nothing published");
        }
        Files.move(temp, dir.path().resolve(fileName), StandardCopyOption.ATOMIC_MOVE);
        committed = true;
      });
      dir.sync();
    } catch (IOException e) {
      throw dir.shown(e);
    }
    return DirectoryTier.statOf(a);
  }

  private void ensureStaged() {
    if (committed || closed) {
      throw new IllegalStateException(committed ? "already committed" : "closed");
    }
  }

  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      file.close();
      if (fd >= 0) {
        Native.close(fd);
      }
      if (!committed) {
        Files.deleteIfExists(dir.path().resolve(tempName));
      }
    } finally {
      dir.close();
    }
  }

  @Override
  public String toString() {
    return "StagedFile{" + dir.path().resolve(tempName) + " -> " + fileName + "}";
  }
}
