package io.objmapper.spi.dir;

import com.sun.jna.Pointer;
import io.objmapper.spi.ObjectStat;
import java.io.Closeable;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The one safe way into a directory tree: every name resolves beneath the root, no symbolic
 * link is followed at any segment, and nothing but a regular file is opened.
 *
 * <p>On Linux (x86-64, arm64) each open is one {@code openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS)} relative to a descriptor of the root held open (or, where the
 * kernel lacks it, {@code openat} one segment at a time with {@code O_NOFOLLOW}). Files are
 * opened with {@code O_NONBLOCK}, so a FIFO or device swapped in at any moment cannot block
 * the caller, then checked on the open descriptor (through {@code /proc/self/fd}, the same as
 * {@code fstat}): anything but a regular file is closed and answered as {@link
 * NoSuchFileException}, a version other than the one the caller expects likewise; then the
 * descriptor is switched back to blocking. Writes go through a directory descriptor resolved
 * the same way ({@link #directory}), so a write or delete through a symbolic link to a
 * folder fails instead of reaching outside.
 *
 * <pre>{@code
 * try (BeneathRoot root = BeneathRoot.open(dir);
 *      FileInputStream in = root.openRead("a/b.jpg", null)) {
 *   // a regular file below dir, never a link, FIFO or device
 * }
 * }</pre>
 *
 * <p>Elsewhere (no JNA native library, another OS) the same rules are checked on paths
 * with {@link LinkOption#NOFOLLOW_LINKS} before each open: right unless the tree is changed
 * between the check and the open. {@link #isRaceFree()} tells which applies.
 */
public final class BeneathRoot implements Closeable {
  private static final int READ_FLAGS =
      Native.O_RDONLY | Native.O_NONBLOCK | Native.O_NOFOLLOW | Native.O_CLOEXEC | Native.O_NOCTTY;
  private static final int RW_FLAGS =
      Native.O_RDWR | Native.O_NONBLOCK | Native.O_NOFOLLOW | Native.O_CLOEXEC | Native.O_NOCTTY;
  private static final int PATH_FLAGS = Native.O_PATH | Native.O_NOFOLLOW | Native.O_CLOEXEC;
  private static final int DIR_FLAGS = Native.O_PATH | Native.O_DIRECTORY | Native.O_NOFOLLOW | Native.O_CLOEXEC;
  private static final Pointer READ_HOW = Native.AVAILABLE ? Native.how(READ_FLAGS) : null;
  private static final Pointer RW_HOW = Native.AVAILABLE ? Native.how(RW_FLAGS) : null;
  private static final Pointer PATH_HOW = Native.AVAILABLE ? Native.how(PATH_FLAGS) : null;
  private static final Pointer DIR_HOW = Native.AVAILABLE ? Native.how(DIR_FLAGS) : null;
  private static final int AT_FDCWD = Native.AT_FDCWD;
  private static final int CREATE_FLAGS =
      Native.O_RDWR | Native.O_CREAT | Native.O_EXCL | Native.O_NOFOLLOW | Native.O_CLOEXEC | Native.O_NOCTTY;

  /** Closes the root descriptor of an instance dropped without {@link #close()}. */
  private static final java.lang.ref.Cleaner CLEANER = java.lang.ref.Cleaner.create();

  private final Path root;
  private final int rootFd;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final java.lang.ref.Cleaner.Cleanable cleanable;

  /** The root's descriptor; -1 where the root is reached by path. */
  int rootFd() {
    return rootFd;
  }

  private BeneathRoot(Path root, int rootFd) {
    this.root = root;
    this.rootFd = rootFd;
    this.cleanable = rootFd < 0 ? null : CLEANER.register(this, () -> Native.close(rootFd));
  }

  /**
   * Holds {@code root} (an existing directory; a symbolic link here is followed once) open.
   *
   * @throws NoSuchFileException if there is no such directory
   */
  public static BeneathRoot open(Path root) throws IOException {
    Path real = root.toRealPath();
    if (!Files.isDirectory(real)) {
      throw new java.nio.file.NotDirectoryException(real.toString());
    }
    if (!Native.AVAILABLE) {
      return new BeneathRoot(real, -1);
    }
    int fd = Native.openat(AT_FDCWD, Native.cString(real.toString()), Native.O_PATH | Native.O_DIRECTORY | Native.O_CLOEXEC, 0);
    if (fd < 0) {
      throw error(real.toString(), Native.errno());
    }
    return new BeneathRoot(real, fd);
  }

  /** True if opens are checked on the descriptor (Linux), false if on paths before the open. */
  public static boolean isRaceFree() {
    return Native.AVAILABLE;
  }

  /** The root directory (its real path). */
  public Path root() {
    return root;
  }

  /**
   * A path that names the directory held open ({@code /proc/self/fd/N} on Linux), for a file
   * at the root level that must be named in it even if {@link #root()} is swapped meanwhile.
   */
  Path held() {
    return rootFd < 0 ? root : procPath(rootFd);
  }

  /**
   * Opens the regular file {@code relative} (segments separated by '/', as produced by a
   * {@link DirectoryLayout}) for reading, in blocking mode.
   *
   * @param expected if not null, the stat the file must have (size, mtime, identity)
   * @throws NoSuchFileException if there is no regular file there reached without a symbolic
   *     link, or it is not the {@code expected} version
   * @throws AccessDeniedException if the file may not be read
   */
  public FileInputStream openRead(String relative, ObjectStat expected) throws IOException {
    ensureOpen();
    if (!Native.AVAILABLE) {
      Path p = checkedPath(relative);
      BasicFileAttributes a = regularOrThrow(p, relative);
      if (expected != null && !expected.equals(DirectoryTier.statOf(a))) {
        throw changed(relative);
      }
      return new FileInputStream(p.toFile());
    }
    int fd = Native.openBeneath(rootFd, relative, READ_FLAGS, READ_HOW);
    if (fd < 0) {
      throw error(relative, -fd);
    }
    boolean done = false;
    try {
      checkRegular(fd, relative, expected);
      int err = Native.setBlocking(fd);
      if (err < 0) {
        throw error(relative, -err);
      }
      FileDescriptor wrapped = Native.wrap(fd);
      FileInputStream in;
      if (wrapped != null) {
        in = new FileInputStream(wrapped);
        done = true;
      } else {
        in = new FileInputStream(procPath(fd).toFile()); // the same regular file, reopened
      }
      return in;
    } finally {
      if (!done) {
        Native.close(fd);
      }
    }
  }

  /**
   * Opens the existing regular file {@code relative} for reading and writing, by the rules of
   * {@link #openRead}.
   */
  public RandomAccessFile openReadWrite(String relative) throws IOException {
    return openRandomAccess(relative, true);
  }

  /**
   * Opens the existing regular file {@code relative} for reading and writing, by the rules of
   * {@link #openRead}: one {@code openat2}, one {@code fstat} (regular file, and its size) and
   * one {@code fcntl} (back to blocking) on the descriptor, which the returned stream holds.
   * Where the JDK does not let a descriptor be wrapped, {@link #openReadWrite} is used.
   */
  public io.objmapper.spi.LocalFiles.ReadWrite openReadWriteDescriptor(String relative) throws IOException {
    ensureOpen();
    if (!Native.AVAILABLE || !Native.canWrap()) {
      RandomAccessFile f = openRandomAccess(relative, true);
      try {
        return new io.objmapper.spi.LocalFiles.ReadWrite(new FileInputStream(f.getFD()), f.length());
      } catch (IOException | RuntimeException e) {
        f.close();
        throw e;
      }
    }
    int fd = Native.openBeneath(rootFd, relative, RW_FLAGS, RW_HOW);
    if (fd < 0) {
      throw error(relative, -fd);
    }
    boolean done = false;
    try {
      Native.Stat st = fstatRegular(fd, relative);
      int err = Native.setBlocking(fd);
      if (err < 0) {
        throw error(relative, -err);
      }
      FileDescriptor wrapped = Native.wrap(fd);
      if (wrapped == null) {
        throw new FileSystemException(relative, null, "cannot wrap a descriptor");
      }
      FileInputStream in = new FileInputStream(wrapped);
      done = true;
      return new io.objmapper.spi.LocalFiles.ReadWrite(in, st.size);
    } finally {
      if (!done) {
        Native.close(fd);
      }
    }
  }

  /**
   * Opens the existing regular file {@code relative} as a {@link RandomAccessFile}, read-only
   * or read-write, by the rules of {@link #openRead}. (The JDK makes one only from a path, so
   * the checked descriptor is reopened through {@code /proc/self/fd}: the same file, a few
   * microseconds more than {@link #openRead}.)
   */
  public RandomAccessFile openRandomAccess(String relative, boolean writable) throws IOException {
    ensureOpen();
    if (!Native.AVAILABLE) {
      Path p = checkedPath(relative);
      regularOrThrow(p, relative);
      return new RandomAccessFile(p.toFile(), writable ? "rw" : "r");
    }
    int fd = Native.openBeneath(rootFd, relative, writable ? RW_FLAGS : READ_FLAGS, writable ? RW_HOW : READ_HOW);
    if (fd < 0) {
      throw error(relative, -fd);
    }
    try {
      checkRegular(fd, relative, null);
      return new RandomAccessFile(procPath(fd).toFile(), writable ? "rw" : "r"); // a regular file: never blocks
    } finally {
      Native.close(fd);
    }
  }

  /**
   * The attributes of the regular file {@code relative}, or {@code null} if there is none
   * reached without a symbolic link (a link, FIFO, socket, device or directory is none).
   */
  public BasicFileAttributes stat(String relative) throws IOException {
    ensureOpen();
    if (!Native.AVAILABLE) {
      Path p = checkedPathOrNull(relative);
      if (p == null) {
        return null;
      }
      try {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return a.isRegularFile() ? a : null;
      } catch (NoSuchFileException | java.nio.file.NotDirectoryException e) {
        return null;
      }
    }
    int fd = Native.openBeneath(rootFd, relative, PATH_FLAGS, PATH_HOW);
    if (fd < 0) {
      if (-fd == Native.EACCES) {
        throw error(relative, -fd);
      }
      return isAbsence(-fd) ? null : throwError(relative, -fd);
    }
    try {
      BasicFileAttributes a = Files.readAttributes(procPath(fd), BasicFileAttributes.class);
      return a.isRegularFile() ? a : null;
    } catch (NoSuchFileException e) {
      return null;
    } finally {
      Native.close(fd);
    }
  }

  /**
   * Flushes everything written to the file system that holds the root ({@code syncfs(2)}):
   * one call for a whole batch of files written without their own sync.
   *
   * @return false if it cannot be done here (no native calls): sync each file instead
   */
  public boolean syncFileSystem() throws IOException {
    ensureOpen();
    if (!Native.AVAILABLE || rootFd < 0) {
      return false;
    }
    // The root's own descriptor is an O_PATH one, which syncfs refuses (EBADF).
    int fd = Native.openat(rootFd, Native.cString("."), Native.O_RDONLY | Native.O_DIRECTORY | Native.O_CLOEXEC, 0);
    if (fd < 0) {
      throw error(root.toString(), Native.errno());
    }
    try {
      if (Native.syncfs(fd) != 0) {
        throw error(root.toString(), Native.errno());
      }
    } finally {
      Native.close(fd);
    }
    return true;
  }

  /**
   * The directory {@code relative} ({@code ""} for the root), reached without a symbolic
   * link, created with {@code mode} (segment by segment, each synced into its parent) if
   * {@code create} and missing.
   *
   * @throws NoSuchFileException if it is missing and not {@code create}
   * @throws FileAlreadyExistsException if a file (or a link) is where a directory is needed
   */
  public Directory directory(String relative, boolean create, Set<PosixFilePermission> mode) throws IOException {
    ensureOpen();
    if (relative.isEmpty()) {
      if (!Native.AVAILABLE) {
        return new Directory(-1, root, root);
      }
      // A descriptor of its own on the held root: names at the root level are then created,
      // renamed and removed in the directory opened, even if its path now names another one.
      int fd = Native.openat(rootFd, Native.cString("."), DIR_FLAGS, 0);
      if (fd < 0) {
        throw error(root.toString(), Native.errno());
      }
      return new Directory(fd, procPath(fd), root);
    }
    if (!Native.AVAILABLE) {
      Path p = root;
      for (String seg : relative.split("/")) {
        p = p.resolve(seg);
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            throw notADirectory(relative);
          }
          if (!create) {
            throw new NoSuchFileException(relative);
          }
          mkdir(p, mode);
        }
      }
      return new Directory(-1, p, p);
    }
    int fd = Native.openBeneath(rootFd, relative, DIR_FLAGS, DIR_HOW);
    if (fd >= 0) {
      return new Directory(fd, procPath(fd), root.resolve(relative));
    }
    if (-fd != Native.ENOENT || !create) {
      throw -fd == Native.ENOTDIR || -fd == Native.ELOOP ? notADirectory(relative) : error(relative, -fd);
    }
    int cur = -1; // -1: the root
    int start = 0;
    try {
      for (;;) {
        int slash = relative.indexOf('/', start);
        String seg = slash < 0 ? relative.substring(start) : relative.substring(start, slash);
        int base = cur < 0 ? rootFd : cur;
        int next = Native.openBeneath(base, seg, DIR_FLAGS, DIR_HOW);
        if (next < 0 && -next == Native.ENOENT) {
          // The held directory, never a path: the root swapped for a link must not lead the mkdir out.
          Path parent = procPath(cur < 0 ? rootFd : cur);
          mkdir(parent.resolve(seg), mode);
          next = Native.openBeneath(base, seg, DIR_FLAGS, DIR_HOW);
        }
        if (next < 0) {
          throw -next == Native.ENOTDIR || -next == Native.ELOOP ? notADirectory(relative) : error(relative, -next);
        }
        if (cur >= 0) {
          Native.close(cur);
        }
        cur = next;
        if (slash < 0) {
          Directory d = new Directory(cur, procPath(cur), root.resolve(relative));
          cur = -1;
          return d;
        }
        start = slash + 1;
      }
    } finally {
      if (cur >= 0) {
        Native.close(cur);
      }
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true) && cleanable != null) {
      cleanable.clean();
    }
  }

  @Override
  public String toString() {
    return "BeneathRoot{" + root + "}";
  }

  /**
   * A directory below the root, held open: files named through {@link #path()} are created,
   * renamed and removed in exactly this directory, wherever it is moved meanwhile.
   */
  public static final class Directory implements Closeable {
    private final int fd;
    private final Path path;
    /** Where the directory is, for messages ({@link #path} may be a descriptor's procfs path). */
    private final Path shown;

    Directory(int fd, Path path, Path shown) {
      this.fd = fd;
      this.path = path;
      this.shown = shown;
    }

    /**
     * {@code e} as its reader should see it: a file of this directory named by where the
     * directory is, not by {@code /proc/self/fd/N} (the same exception where nothing changes).
     */
    public IOException shown(IOException e) {
      if (!(e instanceof FileSystemException) || shown.equals(path)) {
        return e;
      }
      FileSystemException f = (FileSystemException) e;
      String file = shown(f.getFile());
      String other = shown(f.getOtherFile());
      if (java.util.Objects.equals(file, f.getFile()) && java.util.Objects.equals(other, f.getOtherFile())) {
        return e;
      }
      FileSystemException r;
      if (e instanceof NoSuchFileException) {
        r = new NoSuchFileException(file, other, f.getReason());
      } else if (e instanceof AccessDeniedException) {
        r = new AccessDeniedException(file, other, f.getReason());
      } else if (e instanceof FileAlreadyExistsException) {
        r = new FileAlreadyExistsException(file, other, f.getReason());
      } else {
        r = new FileSystemException(file, other, f.getReason());
      }
      r.initCause(e);
      return r;
    }

    String shown(String file) {
      String p = path.toString();
      if (file == null || !file.startsWith(p) || (file.length() > p.length() && file.charAt(p.length()) != '/')) {
        return file;
      }
      return shown + file.substring(p.length());
    }

    /** A path that names this directory ({@code /proc/self/fd/N} on Linux). */
    public Path path() {
      return path;
    }

    /** The directory's {@code O_PATH} descriptor, for the *at calls; -1 where there is none. */
    int fd() {
      return fd;
    }

    /**
     * Creates a new, empty regular file named {@code prefix<random>} in this directory
     * ({@code O_CREAT|O_EXCL|O_NOFOLLOW}: never through a link, never an existing file),
     * with {@code mode} narrowed by the umask.
     *
     * @return the new file's name in this directory and a descriptor open on it read-write
     *     ({@code -1} where descriptors are not available: then open it by {@link #path()})
     */
    NewFile createNew(String prefix, Set<PosixFilePermission> mode) throws IOException {
      for (;;) {
        String name = prefix + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong());
        if (!Native.AVAILABLE) {
          try {
            if (mode != null && path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
              Files.createFile(path.resolve(name), PosixFilePermissions.asFileAttribute(mode));
            } else {
              Files.createFile(path.resolve(name));
            }
            return new NewFile(name, -1);
          } catch (FileAlreadyExistsException taken) {
            continue;
          }
        }
        int bits = mode == null ? 0600 : modeBits(mode);
        int at = fd >= 0 ? fd : AT_FDCWD;
        String where = fd >= 0 ? name : path.resolve(name).toString();
        int f = Native.openat(at, Native.cString(where), CREATE_FLAGS, bits);
        if (f >= 0) {
          return new NewFile(name, f);
        }
        int err = Native.errno();
        if (err != Native.EEXIST) {
          throw error(name, err);
        }
      }
    }

    /** Flushes the directory's entries (a create, rename or delete in it) to the disk. */
    public void sync() throws IOException {
      try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(path,
          java.nio.file.StandardOpenOption.READ)) {
        ch.force(true);
      }
    }

    /**
     * The attributes of the regular file {@code fileName} in this directory, not following
     * a link, or {@code null} if there is no regular file of that name.
     */
    public BasicFileAttributes regularFile(String fileName) throws IOException {
      try {
        BasicFileAttributes a = Files.readAttributes(path.resolve(fileName), BasicFileAttributes.class,
            LinkOption.NOFOLLOW_LINKS);
        return a.isRegularFile() ? a : null;
      } catch (NoSuchFileException e) {
        return null;
      }
    }

    /**
     * The size of the regular file {@code fileName} in this directory, not following a link;
     * -1 if there is no regular file of that name. As {@link #regularFile} but, where the
     * directory has a descriptor, one {@code fstatat} and no exception for the common answer
     * (no such file) of a new name.
     */
    long regularFileSize(String fileName) throws IOException {
      if (fd < 0) {
        BasicFileAttributes a = regularFile(fileName);
        return a == null ? -1 : a.size();
      }
      Native.Stat st = new Native.Stat();
      int err = Native.fstatat(fd, fileName, st);
      if (err == -Native.ENOENT) {
        return -1;
      }
      if (err < 0) {
        throw error(shown(path.resolve(fileName).toString()), -err);
      }
      return st.regular ? st.size : -1;
    }

    @Override
    public void close() {
      if (fd >= 0) {
        Native.close(fd);
      }
    }
  }

  /** A file {@link Directory#createNew} made: its name, and a descriptor on it or -1. */
  record NewFile(String name, int fd) {}

  // ---- helpers --------------------------------------------------------------------------

  static int modeBits(Set<PosixFilePermission> mode) {
    int bits = 0;
    PosixFilePermission[] all = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE
    for (int i = 0; i < 9; i++) {
      if (mode.contains(all[i])) {
        bits |= 0400 >> i;
      }
    }
    return bits;
  }

  static Path procPathOf(int fd) {
    return procPath(fd);
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException(this + " is closed");
    }
  }

  private static Path procPath(int fd) {
    return Path.of("/proc/self/fd/" + fd);
  }

  private static final boolean UNIX_FILE_KEYS = unixFileKeys();

  /** True if the JDK's file keys print as {@code (dev=..,ino=..)}, so fstat can be compared with them. */
  private static boolean unixFileKeys() {
    try {
      Object key = Files.readAttributes(Path.of("/"), BasicFileAttributes.class).fileKey();
      return key != null && key.getClass().getName().equals("sun.nio.fs.UnixFileKey")
          && key.toString().matches("\\(dev=[0-9a-f]+,ino=[0-9]+\\)");
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** fstat on the descriptor; anything but a regular file is no object. */
  private static Native.Stat fstatRegular(int fd, String relative) throws IOException {
    Native.Stat st = new Native.Stat();
    int err = Native.fstat(fd, st);
    if (err < 0) {
      throw error(relative, -err);
    }
    if (!st.regular) {
      throw new NoSuchFileException(relative, null, "not a regular file");
    }
    return st;
  }

  /** fstat on the descriptor: a regular file, and the expected version if one is given. */
  private static void checkRegular(int fd, String relative, ObjectStat expected) throws IOException {
    if (UNIX_FILE_KEYS) {
      Native.Stat st = fstatRegular(fd, relative);
      if (expected != null && (expected.size() != st.size || expected.mtimeMillis() != st.mtimeMillis
          || (expected.fileKey() != null && !st.hasKey(expected.fileKey())))) {
        throw changed(relative);
      }
      return;
    }
    BasicFileAttributes a = Files.readAttributes(procPath(fd), BasicFileAttributes.class);
    if (!a.isRegularFile()) {
      throw new NoSuchFileException(relative, null, "not a regular file");
    }
    if (expected != null && !expected.equals(DirectoryTier.statOf(a))) {
      throw changed(relative);
    }
  }

  private static NoSuchFileException changed(String relative) {
    return new NoSuchFileException(relative, null, "not the expected version");
  }

  private static void mkdir(Path dir, Set<PosixFilePermission> mode) throws IOException {
    try {
      if (mode != null && dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        FileAttribute<Set<PosixFilePermission>> attr = PosixFilePermissions.asFileAttribute(mode);
        Files.createDirectory(dir, attr);
      } else {
        Files.createDirectory(dir);
      }
    } catch (FileAlreadyExistsException raced) {
      return; // another writer made it, or a file/link is there: the open after tells
    }
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(dir.getParent(),
        java.nio.file.StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  private static FileAlreadyExistsException notADirectory(String relative) {
    return new FileAlreadyExistsException(relative, null,
        "a file or symbolic link is where the tier needs a directory");
  }

  /** Absent for the tier's purpose: missing, a link, a file where a directory should be, outside. */
  private static boolean isAbsence(int err) {
    return err == Native.ENOENT || err == Native.ELOOP || err == Native.ENOTDIR || err == Native.EXDEV
        || err == Native.ENXIO;
  }

  static IOException error(String what, int err) {
    if (isAbsence(err)) {
      return new NoSuchFileException(what, null, Native.describe(err));
    }
    if (err == Native.EACCES || err == Native.EPERM) {
      return new AccessDeniedException(what, null, Native.describe(err));
    }
    return new FileSystemException(what, null, Native.describe(err));
  }

  private static BasicFileAttributes throwError(String what, int err) throws IOException {
    throw error(what, err);
  }

  /** Fallback: the path, after checking that no segment is a symbolic link. */
  private Path checkedPath(String relative) throws IOException {
    Path p = checkedPathOrNull(relative);
    if (p == null) {
      throw new NoSuchFileException(relative, null, "a symbolic link or file on the way");
    }
    return p;
  }

  private Path checkedPathOrNull(String relative) {
    Path p = root;
    String[] segs = relative.split("/");
    for (int i = 0; i < segs.length; i++) {
      p = p.resolve(segs[i]);
      if (i < segs.length - 1 && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        return null;
      }
    }
    return p;
  }

  private static BasicFileAttributes regularOrThrow(Path p, String relative) throws IOException {
    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!a.isRegularFile()) {
      throw new NoSuchFileException(relative, null, "not a regular file");
    }
    return a;
  }
}
