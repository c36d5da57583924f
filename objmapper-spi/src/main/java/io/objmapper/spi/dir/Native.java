package io.objmapper.spi.dir;

import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.io.FileDescriptor;
import java.nio.charset.Charset;
import java.util.Arrays;

/**
 * The few Linux calls the JDK lacks: {@code openat2} (resolution beneath a directory, no
 * symbolic links), {@code openat} with {@code O_NONBLOCK}/{@code O_NOFOLLOW}, {@code fcntl},
 * {@code close}; through JNA's direct mapping (no allocation beyond the path's bytes).
 *
 * <p>{@link #AVAILABLE} is false where they cannot be had (not Linux, no JNA native library);
 * {@link BeneathRoot} then falls back to checks on paths, which a concurrent swap can race.
 */
final class Native {
  static final boolean AVAILABLE;

  // Linux open(2) flags; O_DIRECTORY and O_NOFOLLOW differ on arm64.
  static final int O_RDONLY = 0;
  static final int O_RDWR = 2;
  static final int O_NOCTTY = 0400;
  static final int O_NONBLOCK = 04000;
  static final int O_CREAT = 0100;
  static final int O_EXCL = 0200;
  static final int O_CLOEXEC = 02000000;
  static final int O_PATH = 010000000;
  static final int O_DIRECTORY;
  static final int O_NOFOLLOW;

  static final int F_GETFL = 3;
  static final int F_SETFL = 4;

  static final int EPERM = 1;
  static final int ENOENT = 2;
  static final int EEXIST = 17;
  static final int EINTR = 4;
  static final int ENXIO = 6;
  static final int E2BIG = 7;
  static final int EAGAIN = 11;
  static final int EACCES = 13;
  static final int EXDEV = 18;
  static final int ENOTDIR = 20;
  static final int EISDIR = 21;
  static final int ENOSYS = 38;
  static final int ELOOP = 40;

  private static final long SYS_OPENAT2 = 437; // the same number on every Linux architecture
  private static final long SYS_FSTAT;
  /** newfstatat (x86_64), fstatat (arm64): the same struct stat as fstat. */
  private static final long SYS_FSTATAT;
  /** renameat2 (316 on x86_64, 276 on arm64). */
  private static final long SYS_RENAMEAT2;
  private static final int RENAME_NOREPLACE = 1;
  static final int EINVAL = 22;
  static final int AT_FDCWD = -100;
  private static final int AT_SYMLINK_NOFOLLOW = 0x100;
  /** Offsets in struct stat: st_mode differs, st_dev, st_ino, st_size and st_mtim agree. */
  private static final int ST_MODE;
  private static final int S_IFMT = 0170000;
  private static final int S_IFREG = 0100000;
  private static final ThreadLocal<Memory> STAT_BUFFER = ThreadLocal.withInitial(() -> new Memory(256));
  private static final long RESOLVE_NO_MAGICLINKS = 0x02;
  private static final long RESOLVE_NO_SYMLINKS = 0x04;
  private static final long RESOLVE_BENEATH = 0x08;

  /** Path bytes as the JDK encodes file names. */
  private static final Charset PATH_CHARSET;

  private static final MethodHandle NEW_FD;

  /** False once openat2 answered ENOSYS or EPERM (old kernel, seccomp): walk with openat then. */
  private static volatile boolean openat2Works = true;

  static {
    String os = System.getProperty("os.name", "");
    boolean arm = System.getProperty("os.arch", "").equals("aarch64");
    O_DIRECTORY = arm ? 040000 : 0200000;
    O_NOFOLLOW = arm ? 0100000 : 0400000;
    SYS_FSTAT = arm ? 80 : 5;
    SYS_FSTATAT = arm ? 79 : 262;
    SYS_RENAMEAT2 = arm ? 276 : 316;
    ST_MODE = arm ? 16 : 24;
    Charset cs;
    try {
      cs = Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
    } catch (RuntimeException e) {
      cs = Charset.defaultCharset();
    }
    PATH_CHARSET = cs;
    boolean ok = false;
    if (os.equals("Linux") && (arm || System.getProperty("os.arch", "").equals("amd64"))) {
      try {
        com.sun.jna.Native.register(Native.class, NativeLibrary.getInstance("c"));
        ok = true;
      } catch (Throwable unavailable) {
        ok = false;
      }
    }
    AVAILABLE = ok;
    MethodHandle h = null;
    try {
      // Exported to the unnamed module by the project's JVM flags and the launcher's manifest
      // (--add-exports java.base/sun.nio.ch=ALL-UNNAMED): a qualified export, which this
      // class's own lookup can use and publicLookup() cannot. Else /proc reopen.
      Class<?> ioUtil = Class.forName("sun.nio.ch.IOUtil");
      h = MethodHandles.lookup().findStatic(ioUtil, "newFD",
          MethodType.methodType(FileDescriptor.class, int.class));
      h.invoke(-1);
    } catch (Throwable notExported) {
      h = null;
    }
    NEW_FD = h;
  }

  private Native() {}

  static native int openat(int dirfd, byte[] path, int flags, int mode);

  static native long syscall(long number, int dirfd, byte[] path, Pointer how, long size);

  /** openat2 with the path and open_how at native addresses: only primitives, JNA's fastest call. */
  static native long syscall(long number, int dirfd, long path, long how, long size);

  /** fstat into a native buffer by address (as above). */
  static native long syscall(long number, int fd, long statbuf);

  static native int fcntl(int fd, int cmd, int arg);

  static native int renameat(int olddirfd, byte[] oldpath, int newdirfd, byte[] newpath);

  static native long syscall(long number, int olddirfd, byte[] oldpath, int newdirfd, byte[] newpath, int flags);

  /** False once renameat2 with RENAME_NOREPLACE was refused (an old kernel, a file system without it). */
  private static volatile boolean noReplaceWorks = true;

  /**
   * Renames {@code oldpath} to {@code newpath} (both in directory {@code dirfd}) unless
   * {@code newpath} exists: 0 if renamed, -EEXIST if it exists, -EINVAL where the kernel or
   * the file system cannot say (then rename after looking, as before), else -errno.
   */
  static int renameNoReplace(int dirfd, byte[] oldpath, byte[] newpath) {
    return renameNoReplace(dirfd, oldpath, dirfd, newpath);
  }

  /**
   * As {@link #renameNoReplace(int, byte[], byte[])}, from directory {@code olddirfd} to
   * directory {@code newdirfd}; -EXDEV if they are on different file systems.
   */
  static int renameNoReplace(int olddirfd, byte[] oldpath, int newdirfd, byte[] newpath) {
    if (!noReplaceWorks) {
      return -EINVAL;
    }
    for (;;) {
      if (syscall(SYS_RENAMEAT2, olddirfd, oldpath, newdirfd, newpath, RENAME_NOREPLACE) == 0) {
        return 0;
      }
      int err = errno();
      if (err == EINTR) {
        continue;
      }
      if (err == ENOSYS || err == EINVAL) {
        noReplaceWorks = false;
        return -EINVAL;
      }
      return -err;
    }
  }

  static native int close(int fd);

  static native int syncfs(int fd);

  static int errno() {
    return com.sun.jna.Native.getLastError();
  }

  static byte[] cString(String s) {
    byte[] b = s.getBytes(PATH_CHARSET);
    return Arrays.copyOf(b, b.length + 1);
  }

  /** An open_how for openat2: {@code flags}, mode 0, beneath the directory, no symbolic links. */
  static Pointer how(int flags) {
    Memory m = new Memory(24);
    m.setLong(0, flags & 0xffffffffL);
    m.setLong(8, 0);
    m.setLong(16, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
    return m;
  }

  /**
   * Opens {@code relative} (segments separated by '/', none empty, '.' or '..') beneath the
   * directory {@code dirfd}, following no symbolic link at any segment.
   *
   * @return the descriptor, or {@code -errno}
   */
  static int openBeneath(int dirfd, String relative, int flags, Pointer how) {
    if (openat2Works) {
      PathBuffer buf = PATH_BUFFER.get();
      byte[] path = buf.set(relative) ? null : cString(relative);
      long howAddress = Pointer.nativeValue(how);
      for (;;) {
        int fd = (int) (path == null ? syscall(SYS_OPENAT2, dirfd, buf.address, howAddress, 24)
            : syscall(SYS_OPENAT2, dirfd, path, how, 24));
        if (fd >= 0) {
          return fd;
        }
        int err = errno();
        if (err == EINTR || err == EAGAIN) {
          continue; // EAGAIN: a rename raced the lookup; the kernel asks to retry
        }
        if (err == ENOSYS || err == EPERM || err == E2BIG) {
          openat2Works = false;
          break;
        }
        return -err;
      }
    }
    return walk(dirfd, relative, flags);
  }

  /** openat, one segment at a time, each directory with O_NOFOLLOW|O_DIRECTORY. */
  private static int walk(int dirfd, String relative, int flags) {
    int cur = dirfd;
    int start = 0;
    try {
      for (;;) {
        int slash = relative.indexOf('/', start);
        boolean last = slash < 0;
        String seg = last ? relative.substring(start) : relative.substring(start, slash);
        int f = last ? flags | O_NOFOLLOW : O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
        int fd;
        do {
          fd = openat(cur, cString(seg), f, 0);
        } while (fd < 0 && errno() == EINTR);
        int err = fd < 0 ? errno() : 0;
        if (cur != dirfd) {
          close(cur);
        }
        cur = dirfd;
        if (fd < 0) {
          return -err;
        }
        if (last) {
          return fd;
        }
        cur = fd;
        start = slash + 1;
      }
    } finally {
      if (cur != dirfd) {
        close(cur);
      }
    }
  }

  /**
   * Clears the status flags F_SETFL can change on {@code fd}, O_NONBLOCK among them, for a
   * descriptor this class opened (no O_APPEND, O_ASYNC, O_DIRECT or O_NOATIME to keep);
   * -errno on failure.
   */
  static int setBlocking(int fd) {
    return fcntl(fd, F_SETFL, 0) < 0 ? -errno() : 0;
  }

  /** What fstat says of an open descriptor. */
  static final class Stat {
    long dev;
    long ino;
    long size;
    long mtimeMillis;
    boolean regular;
    /** The permission bits (rwx for owner, group, others). */
    int permissions;

    /** True if {@code key} (a {@link java.nio.file.attribute.BasicFileAttributes#fileKey}) names this file. */
    boolean hasKey(Object key) {
      KeyCache c = KEYS.get()[System.identityHashCode(key) & (KEY_SLOTS - 1)];
      if (c.key != key) {
        c.parse(key);
      }
      if (c.parsed) {
        return c.dev == dev && c.ino == ino;
      }
      return key.toString().equals("(dev=" + Long.toHexString(dev) + ",ino=" + ino + ")");
    }
  }

  /** Keys remembered per thread ({@link #KEYS}): a power of two. */
  private static final int KEY_SLOTS = 16;

  /**
   * The file keys compared last on this thread, each read once, by identity: the JDK's key of
   * a Unix file prints as {@code (dev=<hex>,ino=<decimal>)} and has no public accessors, and
   * the private opens of a server's hot objects compare the same few key objects over and
   * over (one slot per key's identity hash: a handful of hot objects rarely share one).
   */
  private static final ThreadLocal<KeyCache[]> KEYS = ThreadLocal.withInitial(() -> {
    KeyCache[] slots = new KeyCache[KEY_SLOTS];
    for (int i = 0; i < KEY_SLOTS; i++) {
      slots[i] = new KeyCache();
    }
    return slots;
  });

  private static final class KeyCache {
    Object key;
    boolean parsed;
    long dev;
    long ino;

    void parse(Object k) {
      key = k;
      parsed = false;
      String s = k.toString();
      int comma = s.indexOf(",ino=");
      if (!s.startsWith("(dev=") || comma < 0 || !s.endsWith(")")) {
        return;
      }
      try {
        dev = Long.parseUnsignedLong(s.substring(5, comma), 16);
        ino = Long.parseUnsignedLong(s.substring(comma + 5, s.length() - 1));
        parsed = true;
      } catch (NumberFormatException e) {
        // compared as text
      }
    }
  }

  /** Longest path handed to the kernel from {@link PathBuffer} (PATH_MAX, its NUL included). */
  private static final int PATH_MAX = 4096;

  /** One per thread: a path encoded once into native memory, without JNA's per-call array copy. */
  private static final ThreadLocal<PathBuffer> PATH_BUFFER = ThreadLocal.withInitial(PathBuffer::new);

  private static final class PathBuffer {
    final Memory memory = new Memory(PATH_MAX);
    final long address = Pointer.nativeValue(memory);
    final byte[] bytes = new byte[PATH_MAX];

    /** Puts {@code s} and its NUL at {@link #address}; false if it does not fit. */
    boolean set(String s) {
      int n = s.length();
      if (n >= PATH_MAX) {
        return false;
      }
      byte[] b = bytes;
      for (int i = 0; i < n; i++) {
        char c = s.charAt(i);
        if (c >= 0x80) { // ASCII is the same in every file name encoding; the rest is the JDK's
          byte[] enc = cString(s);
          if (enc.length > PATH_MAX) {
            return false;
          }
          memory.write(0, enc, 0, enc.length);
          return true;
        }
        b[i] = (byte) c;
      }
      b[n] = 0;
      memory.write(0, b, 0, n + 1);
      return true;
    }
  }

  /** fstat of {@code fd} into {@code into}; -errno on failure, 0 on success. */
  static int fstat(int fd, Stat into) {
    Memory buf = STAT_BUFFER.get();
    if (syscall(SYS_FSTAT, fd, Pointer.nativeValue(buf)) < 0) {
      return -errno();
    }
    read(buf, into);
    return 0;
  }

  /**
   * The stat of {@code name} (one segment) in directory {@code dirfd}, not following a link
   * there; -errno on failure (-ENOENT if there is none), 0 on success. No exception on the way:
   * a missing file is the common answer where a new name is about to be made.
   */
  static int fstatat(int dirfd, String name, Stat into) {
    PathBuffer path = PATH_BUFFER.get();
    if (!path.set(name)) {
      return -E2BIG;
    }
    Memory buf = STAT_BUFFER.get();
    if (syscall(SYS_FSTATAT, dirfd, path.address, Pointer.nativeValue(buf), AT_SYMLINK_NOFOLLOW) < 0) {
      return -errno();
    }
    read(buf, into);
    return 0;
  }

  /**
   * A file time of {@code sec} seconds and {@code nsec} nanoseconds in milliseconds, as the
   * JDK's {@code BasicFileAttributes.lastModifiedTime().toMillis()} gives it (rounded toward
   * zero, also before 1970), so that stats made here equal stats made by path.
   */
  static long millis(long sec, long nsec) {
    if (nsec == 0) {
      return java.util.concurrent.TimeUnit.SECONDS.toMillis(sec);
    }
    try {
      return Math.addExact(Math.multiplyExact(sec, 1_000_000_000L), nsec) / 1_000_000L;
    } catch (ArithmeticException beyondNanos) {
      return (sec * 1_000_000L + nsec / 1_000) / 1_000L; // the JDK falls back to microseconds
    }
  }

  private static void read(Memory buf, Stat into) {
    into.dev = buf.getLong(0);
    into.ino = buf.getLong(8);
    into.size = buf.getLong(48);
    into.mtimeMillis = millis(buf.getLong(88), buf.getLong(96));
    int mode = buf.getInt(ST_MODE);
    into.regular = (mode & S_IFMT) == S_IFREG;
    into.permissions = mode & 0777;
  }

  /** True if {@link #wrap} makes descriptors (the JDK's sun.nio.ch is exported to this module). */
  static boolean canWrap() {
    return NEW_FD != null;
  }

  /** A FileDescriptor owning {@code fd}, or null if the JDK does not let this class make one. */
  static FileDescriptor wrap(int fd) {
    if (NEW_FD == null) {
      return null;
    }
    try {
      return (FileDescriptor) NEW_FD.invokeExact(fd);
    } catch (Throwable t) {
      return null;
    }
  }

  static String describe(int err) {
    switch (err) {
      case ENOENT: return "no such file";
      case ELOOP: return "a symbolic link on the way";
      case EXDEV: return "outside the root";
      case ENOTDIR: return "a segment is not a directory";
      case EACCES: return "permission denied";
      case EISDIR: return "a directory";
      case ENXIO: return "not a regular file";
      default: return "errno " + err;
    }
  }
}
