package io.objmapper.spi.dir;

import io.objmapper.spi.ObjectNames;
import io.objmapper.spi.ObjectStat;
import java.io.Closeable;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A crash-safe replacement of one file: the bytes go to a temporary file {@value
 * #TEMP_PREFIX}{@code <random>} in the target's directory, which is synced and then renamed
 * over the target; the directory is synced after. Readers see the old file or the whole new
 * one, and a descriptor open on the old one keeps reading it. If anything fails before the
 * rename, the temporary file is removed and the target is untouched; one left by a crash is
 * removed by the next {@link DirectoryTier} open (its name starts with {@link
 * ObjectNames#RESERVED_PREFIX}, so no scan mistakes it for an object).
 *
 * <pre>{@code
 * try (BeneathRoot.Directory dir = root.directory("a", true, DirectoryTier.DEFAULT_DIR_MODE)) {
 *   ObjectStat s = AtomicWrite.write(dir, "b.jpg", ch -> ch.write(bytes), DirectoryTier.DEFAULT_FILE_MODE);
 * }
 * }</pre>
 *
 * <p>Split into {@link #stage} and {@link #commit} when something must happen right at the
 * rename (a tier's counts), as {@link DirectoryTier} does.
 */
public final class AtomicWrite implements Closeable {
  /** File name prefix of a write in progress. */
  public static final String TEMP_PREFIX = ObjectNames.RESERVED_PREFIX + "-tmp-";

  /** What writes the new content into the temporary file. */
  @FunctionalInterface
  public interface Body {
    /** Writes everything into {@code target} (positioned at 0); it is synced after. */
    void writeTo(FileChannel target) throws IOException;
  }

  /** The mode a file gets where none is asked for: the umask narrows it, as for any new file. */
  private static final Set<PosixFilePermission> DEFAULT_MODE = PosixFilePermissions.fromString("rw-rw-rw-");

  private final BeneathRoot.Directory dir;
  private final String fileName;
  private final Path temp;
  private final ObjectStat stat;
  /** The temporary file is a {@link SpareFiles} file in the tier's root, not in {@link #dir}. */
  private final boolean spare;
  /** The directory descriptor the temporary file is named in: {@link #dir}'s, or the root's for a spare; -1 if none. */
  private final int tempDirFd;
  /** A read-only description of the new file opened ahead (a spare's), until taken; else null. */
  private FileInputStream reader;
  private boolean committed;

  private AtomicWrite(BeneathRoot.Directory dir, String fileName, Path temp, ObjectStat stat, boolean spare,
      int tempDirFd) {
    this.dir = dir;
    this.fileName = fileName;
    this.temp = temp;
    this.stat = stat;
    this.spare = spare;
    this.tempDirFd = dir.fd() < 0 ? -1 : tempDirFd;
  }

  /**
   * Replaces {@code fileName} in {@code dir} with what {@code body} writes, atomically.
   *
   * @param mode the new file's permissions (narrowed further by the process umask); null for
   *     the file system's default
   * @return the stat of the new file
   */
  public static ObjectStat write(BeneathRoot.Directory dir, String fileName, Body body,
      Set<PosixFilePermission> mode) throws IOException {
    try (AtomicWrite w = stage(dir, fileName, body, mode)) {
      w.commit();
      dir.sync();
      return w.stat();
    }
  }

  /**
   * Writes and syncs the temporary file; nothing is visible under {@code fileName} until
   * {@link #commit}. Close the result in any case: unless committed it removes the file.
   */
  public static AtomicWrite stage(BeneathRoot.Directory dir, String fileName, Body body,
      Set<PosixFilePermission> mode) throws IOException {
    return stage(dir, fileName, body, mode, true);
  }

  /**
   * As {@link #stage(BeneathRoot.Directory, String, Body, Set)}, but with {@code sync} false
   * the temporary file is not synced: the caller must make its bytes durable (an {@code
   * fsync} of {@link #tempPath()}, or one {@code syncfs} for a whole batch) before {@link
   * #commit}, or a crash could publish a torn file; or the copy can be had again (a cache),
   * which a crash of the machine (not of the process) may leave torn once renamed.
   */
  public static AtomicWrite stage(BeneathRoot.Directory dir, String fileName, Body body,
      Set<PosixFilePermission> mode, boolean sync) throws IOException {
    Path temp = null;
    FileChannel channel = null;
    if (dir.fd() >= 0 && Native.canWrap()) {
      // Made in the directory's descriptor (openat: no path to resolve again), kept open.
      BeneathRoot.NewFile nf;
      try {
        nf = dir.createNew(TEMP_PREFIX, mode != null ? mode : DEFAULT_MODE);
      } catch (IOException e) {
        throw dir.shown(e); // no room, no inode left, not allowed: named where the user looks
      }
      temp = dir.path().resolve(nf.name());
      java.io.FileDescriptor wrapped = Native.wrap(nf.fd());
      if (wrapped == null) {
        Native.close(nf.fd());
        Files.deleteIfExists(temp);
        throw new IOException("cannot wrap a descriptor of " + dir.shown(temp.toString()));
      }
      channel = new java.io.FileOutputStream(wrapped).getChannel();
    }
    boolean posix = mode != null && dir.path().getFileSystem().supportedFileAttributeViews().contains("posix");
    while (channel == null) {
      temp = dir.path().resolve(TEMP_PREFIX + Long.toHexString(ThreadLocalRandom.current().nextLong()));
      try {
        // CREATE_NEW is O_CREAT|O_EXCL: it never follows a link at the last segment.
        channel = posix
            ? FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(mode))
            : FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      } catch (FileAlreadyExistsException taken) {
        temp = null;
      } catch (IOException e) {
        throw dir.shown(e); // no room, no inode left, not allowed: named where the user looks
      }
    }
    return written(dir, fileName, temp, channel, body, sync, false, dir.fd(), -1, null);
  }

  /**
   * As {@link #stage(BeneathRoot.Directory, String, Body, Set, boolean)} without a sync, into
   * {@code spare}, a file made ahead in the tier's root (which this write now owns): no file
   * is created here. The commit renames it from the root into {@code dir}.
   */
  static AtomicWrite stageUnsynced(BeneathRoot.Directory dir, String fileName, Body body, SpareFiles.Spare spare)
      throws IOException {
    AtomicWrite w;
    try {
      w = written(dir, fileName, spare.path(), spare.channel(), body, false, true, spare.rootFd(),
          spare.readerFd(), spare.fileKey());
    } catch (IOException | RuntimeException | Error e) {
      spare.closeQuietly();
      throw e;
    }
    w.reader = spare.reader();
    return w;
  }

  /**
   * The stat of the regular file open as {@code fd} whose key is {@code fileKey}: what a stat
   * of its path gives (size, modification time in milliseconds, key), without resolving the
   * path; null if fstat fails or the file is no longer regular.
   */
  private static ObjectStat statOf(int fd, Object fileKey) {
    Native.Stat s = new Native.Stat();
    return Native.fstat(fd, s) == 0 && s.regular ? new ObjectStat(s.size, s.mtimeMillis, fileKey) : null;
  }

  /**
   * The read-only description of the new file a spare came with, now the caller's (close
   * it), or null if there is none; {@link #close} closes one not taken.
   */
  FileInputStream takeReader() {
    FileInputStream r = reader;
    reader = null;
    return r;
  }

  /**
   * Writes {@code body} through {@code channel} (closed here) into {@code temp}, synced if
   * {@code sync}; on any failure {@code temp} is removed. With {@code fd}, the number of
   * another descriptor open on {@code temp} (which stays open), and {@code fileKey}, the
   * file's key (-1 and null if unknown), the new file's stat is read through {@code fd} once
   * the channel is closed (a file system may stamp the time at the close), not by its path.
   */
  private static AtomicWrite written(BeneathRoot.Directory dir, String fileName, Path temp, FileChannel channel,
      Body body, boolean sync, boolean spare, int tempDirFd, int fd, Object fileKey) throws IOException {
    try {
      ObjectStat stat = null;
      try (FileChannel ch = channel) {
        body.writeTo(ch);
        if (sync) {
          ch.force(true);
        }
      }
      if (fileKey != null && fd >= 0) {
        stat = statOf(fd, fileKey);
      }
      if (stat == null) {
        stat = DirectoryTier.statOf(Files.readAttributes(temp, BasicFileAttributes.class));
      }
      return new AtomicWrite(dir, fileName, temp, stat, spare, tempDirFd);
    } catch (Throwable t) {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException | RuntimeException suppressed) {
        t.addSuppressed(suppressed);
      }
      if (t instanceof IOException) {
        throw dir.shown((IOException) t);
      }
      throw t;
    }
  }

  /** The temporary file, while not committed. */
  public Path tempPath() {
    return temp;
  }

  /** The stat the file has once committed. */
  public ObjectStat stat() {
    return stat;
  }

  /** Renames the temporary file over the target (the directory is not synced here). */
  public void commit() throws IOException {
    if (committed) {
      throw new IllegalStateException("already committed");
    }
    try {
      move();
    } catch (IOException e) {
      throw dir.shown(e);
    }
    committed = true;
  }

  /**
   * Renames the temporary file to the target if there is no target yet: true if renamed
   * (committed), false if a file of that name exists, or where this cannot be told without
   * looking (then nothing happened: look, and {@link #commit}).
   */
  boolean commitIfAbsent() throws IOException {
    if (committed) {
      throw new IllegalStateException("already committed");
    }
    if (tempDirFd < 0) {
      return false;
    }
    int err = Native.renameNoReplace(tempDirFd, Native.cString(temp.getFileName().toString()), dir.fd(),
        Native.cString(fileName));
    if (err == 0) {
      committed = true;
      return true;
    }
    if (err == -Native.EEXIST || err == -Native.EINVAL || err == -Native.EXDEV) {
      return false; // EXDEV: a spare in a root on another file system than the object's directory
    }
    throw BeneathRoot.error(dir.shown(dir.path().resolve(fileName).toString()), -err);
  }

  private void move() throws IOException {
    if (tempDirFd >= 0) {
      // Both names by directory descriptor: no path resolved again, no exception object on
      // the way. A spare is in the root, which may be another file system than the object's
      // directory (a mount beneath the root): EXDEV, then the copy below.
      if (Native.renameat(tempDirFd, Native.cString(temp.getFileName().toString()), dir.fd(),
          Native.cString(fileName)) == 0) {
        return;
      }
      int err = Native.errno();
      if (!spare || err != Native.EXDEV) {
        throw BeneathRoot.error(dir.shown(dir.path().resolve(fileName).toString()), err);
      }
    }
    try {
      Files.move(temp, dir.path().resolve(fileName), StandardCopyOption.ATOMIC_MOVE);
    } catch (java.nio.file.AtomicMoveNotSupportedException crossing) {
      if (!spare) {
        throw crossing;
      }
      // The object's directory is on another file system than the root (a mount beneath it):
      // copied next to the object first (with the spare's mode), then renamed over it.
      Path local = dir.path().resolve(TEMP_PREFIX + Long.toHexString(ThreadLocalRandom.current().nextLong()));
      try {
        Files.copy(temp, local);
        Files.move(local, dir.path().resolve(fileName), StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(local);
      }
      Files.deleteIfExists(temp);
    }
  }

  /** Removes the temporary file unless it was committed. */
  @Override
  public void close() throws IOException {
    FileInputStream r = takeReader();
    if (r != null) {
      r.close();
    }
    if (!committed) {
      Files.deleteIfExists(temp);
    }
  }
}
