package io.objmapper.spi.dir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Opens a file a store keeps for itself next to (or in) a tier (its index, the index's lock
 * and clean marker, a stats snapshot) by its path, as {@link FileChannel#open} would, except
 * that only a regular file is ever opened: a symbolic link in the last component is not
 * followed ({@code O_NOFOLLOW}), and a FIFO or device put there is refused at once instead of
 * blocking the caller ({@code O_NONBLOCK}, then {@code fstat} on the open descriptor). The
 * folders on the way are the configuration's, and trusted.
 *
 * <pre>{@code
 * try (FileChannel ch = RegularFile.open(marker, RegularFile.OWN_MODE, StandardOpenOption.READ)) {
 *   ...
 * }
 * }</pre>
 */
public final class RegularFile {
  /** The mode a created file gets (narrowed by the umask): its owner's, and its group may read. */
  public static final Set<PosixFilePermission> OWN_MODE = PosixFilePermissions.fromString("rw-r-----");

  private static final Set<StandardOpenOption> SUPPORTED = EnumSet.of(StandardOpenOption.READ,
      StandardOpenOption.WRITE, StandardOpenOption.CREATE, StandardOpenOption.CREATE_NEW,
      StandardOpenOption.TRUNCATE_EXISTING);

  private RegularFile() {}

  /**
   * Opens the regular file {@code file}.
   *
   * @param createMode the permissions of a file {@link StandardOpenOption#CREATE created} here
   * @param options {@code READ}, {@code WRITE}, {@code CREATE}, {@code CREATE_NEW} and
   *     {@code TRUNCATE_EXISTING}, as for {@link FileChannel#open}
   * @throws NoSuchFileException if there is no such file (and none is to be created)
   * @throws java.nio.file.FileAlreadyExistsException for {@code CREATE_NEW} if the name is taken
   * @throws NotRegularFileException if it is a symbolic link, FIFO, device, socket or directory
   */
  public static FileChannel open(Path file, Set<PosixFilePermission> createMode, OpenOption... options)
      throws IOException {
    Set<StandardOpenOption> opts = EnumSet.noneOf(StandardOpenOption.class);
    for (OpenOption o : options) {
      if (!(o instanceof StandardOpenOption s) || !SUPPORTED.contains(s)) {
        throw new UnsupportedOperationException(o + " is not an option here");
      }
      opts.add(s);
    }
    boolean write = opts.contains(StandardOpenOption.WRITE);
    if (!write && !opts.contains(StandardOpenOption.READ)) {
      opts.add(StandardOpenOption.READ);
    }
    if (!Native.AVAILABLE) {
      return openByPath(file, createMode, opts);
    }
    int flags = (write ? Native.O_RDWR : Native.O_RDONLY) | Native.O_NONBLOCK | Native.O_NOFOLLOW
        | Native.O_CLOEXEC | Native.O_NOCTTY;
    if (write && opts.contains(StandardOpenOption.CREATE_NEW)) {
      flags |= Native.O_CREAT | Native.O_EXCL;
    } else if (write && opts.contains(StandardOpenOption.CREATE)) {
      flags |= Native.O_CREAT;
    }
    String path = file.toString();
    int fd = Native.openat(Native.AT_FDCWD, Native.cString(path), flags, BeneathRoot.modeBits(createMode));
    if (fd < 0) {
      int err = Native.errno();
      if (err == Native.ELOOP || err == Native.ENXIO) { // a link; a FIFO without a reader, opened to write
        throw notRegular(file);
      }
      if (err == Native.EEXIST) {
        throw new java.nio.file.FileAlreadyExistsException(path);
      }
      throw BeneathRoot.error(path, err);
    }
    boolean owned = false;
    try {
      blockingRegular(fd, file);
      boolean read = opts.contains(StandardOpenOption.READ);
      java.io.FileDescriptor wrapped = read != write ? Native.wrap(fd) : null;
      if (wrapped != null) { // the descriptor checked becomes the channel's
        owned = true;
        FileChannel ch = read ? new java.io.FileInputStream(wrapped).getChannel()
            : new java.io.FileOutputStream(wrapped).getChannel();
        if (opts.contains(StandardOpenOption.TRUNCATE_EXISTING)) {
          try {
            ch.truncate(0);
          } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
          }
        }
        return ch;
      }
      // A regular file, held open: reopened through the descriptor, it cannot be swapped.
      Set<StandardOpenOption> reopen = EnumSet.copyOf(opts);
      reopen.removeAll(EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.CREATE_NEW));
      try {
        return FileChannel.open(BeneathRoot.procPathOf(fd), reopen);
      } catch (NoSuchFileException noProc) { // the file is open here: it is /proc that is missing
        throw new FileSystemException(path, null, "cannot reopen it through /proc/self/fd: " + noProc.getMessage());
      }
    } finally {
      if (!owned) {
        Native.close(fd);
      }
    }
  }

  /**
   * A new, empty regular file at {@code file}, open for writing: whatever has the name now (a
   * symbolic link too, never followed) is removed first, then the file is made with
   * {@code O_CREAT|O_EXCL}; for a store's file that is written whole. If something takes the
   * name in between, the create fails ({@link java.nio.file.FileAlreadyExistsException}).
   */
  public static FileChannel createAnew(Path file, Set<PosixFilePermission> mode) throws IOException {
    Files.deleteIfExists(file);
    return open(file, mode, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
  }

  /**
   * The whole content of the regular file {@code file}, opened by the rules of {@link #open}.
   *
   * @throws IOException if it is over {@code maxBytes} long (nothing is read then), or as
   *     {@link #open}
   */
  public static byte[] readAll(Path file, int maxBytes) throws IOException {
    try (FileChannel ch = open(file, OWN_MODE, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size > maxBytes) {
        throw new FileSystemException(file.toString(), null, size + " bytes, over the " + maxBytes + " expected at most");
      }
      return java.nio.channels.Channels.newInputStream(ch).readNBytes(maxBytes); // it may have grown meanwhile
    }
  }

  /** Where there are no descriptors to check: the path, not followed, checked before the open. */
  private static FileChannel openByPath(Path file, Set<PosixFilePermission> createMode, Set<StandardOpenOption> opts)
      throws IOException {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!a.isRegularFile()) {
        throw notRegular(file);
      }
    } catch (NoSuchFileException absent) {
      boolean create = opts.contains(StandardOpenOption.CREATE) || opts.contains(StandardOpenOption.CREATE_NEW);
      if (!create || !opts.contains(StandardOpenOption.WRITE)) {
        throw absent;
      }
      if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        return FileChannel.open(file, opts, PosixFilePermissions.asFileAttribute(createMode));
      }
    }
    Set<OpenOption> all = new java.util.HashSet<>(opts);
    all.add(LinkOption.NOFOLLOW_LINKS);
    return FileChannel.open(file, all);
  }

  /**
   * Checks that {@code fd}, opened non-blocking, is a regular file ({@code fstat}) and makes it
   * blocking: what was opened cannot have been swapped for a FIFO or device meanwhile.
   *
   * @return what {@code fstat} said of it
   * @throws NotRegularFileException if it is no regular file
   */
  static Native.Stat blockingRegular(int fd, Path file) throws IOException {
    Native.Stat st = new Native.Stat();
    int err = Native.fstat(fd, st);
    if (err == 0 && !st.regular) {
      throw notRegular(file);
    }
    if (err == 0) {
      err = Native.setBlocking(fd);
    }
    if (err < 0) {
      throw BeneathRoot.error(file.toString(), -err);
    }
    return st;
  }

  static NotRegularFileException notRegular(Path file) {
    return new NotRegularFileException(file.toString());
  }

  /** What {@link #open} throws for a symbolic link, FIFO, socket, device or folder. */
  public static final class NotRegularFileException extends FileSystemException {
    private static final long serialVersionUID = 1L;

    NotRegularFileException(String file) {
      super(file, null, "not a regular file (a link, FIFO, device or folder)");
    }
  }
}
