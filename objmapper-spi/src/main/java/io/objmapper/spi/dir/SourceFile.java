package io.objmapper.spi.dir;

import java.io.Closeable;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * A regular file opened to be copied into a tier (a put, an import): its channel, its size and
 * its permissions, had with one {@code open} and one {@code fstat} (where the JDK needs an
 * {@code fstat} for the size and a {@code stat} by path for the mode). It is opened with
 * {@code O_NONBLOCK} and made blocking once {@code fstat} said it is a regular file, so a FIFO
 * or device put where a file was expected is refused instead of blocking the caller forever.
 *
 * <pre>{@code
 * try (SourceFile src = SourceFile.open(Path.of("photo.jpg"))) {
 *   DirectoryTier.write(tier, "/photos/1.jpg", src.channel(), 0, src.size(), src.mode());
 * }
 * }</pre>
 */
public final class SourceFile implements Closeable {
  private static final int FLAGS = Native.O_RDONLY | Native.O_NONBLOCK | Native.O_CLOEXEC | Native.O_NOCTTY;

  /** Every set of permission bits, made once each. */
  @SuppressWarnings("unchecked")
  private static final Set<PosixFilePermission>[] MODES = new Set[01000];

  private final FileChannel channel;
  private final long size;
  private final Set<PosixFilePermission> mode;

  private SourceFile(FileChannel channel, long size, Set<PosixFilePermission> mode) {
    this.channel = channel;
    this.size = size;
    this.mode = mode;
  }

  /**
   * Opens {@code file} for reading (a symbolic link is followed, as {@code cp} does).
   *
   * @throws java.nio.file.NoSuchFileException if there is no such file
   * @throws java.nio.file.AccessDeniedException if it may not be read
   * @throws RegularFile.NotRegularFileException if it is not a regular file (a directory, FIFO,
   *     device, socket)
   */
  public static SourceFile open(Path file) throws IOException {
    if (!Native.AVAILABLE) {
      FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
      try {
        if (!Files.isRegularFile(file)) {
          throw RegularFile.notRegular(file);
        }
        return new SourceFile(ch, ch.size(), DirectoryTier.modeOf(file));
      } catch (IOException | RuntimeException e) {
        ch.close();
        throw e;
      }
    }
    String path = file.toString();
    int fd = Native.openat(Native.AT_FDCWD, Native.cString(path), FLAGS, 0);
    if (fd < 0) {
      throw BeneathRoot.error(path, Native.errno());
    }
    boolean owned = false;
    try {
      Native.Stat st = RegularFile.blockingRegular(fd, file);
      FileChannel ch;
      FileDescriptor wrapped = Native.wrap(fd);
      if (wrapped != null) {
        ch = new FileInputStream(wrapped).getChannel();
        owned = true;
      } else {
        ch = FileChannel.open(BeneathRoot.procPathOf(fd), StandardOpenOption.READ); // the same file, reopened
      }
      return new SourceFile(ch, st.size, mode(st.permissions));
    } finally {
      if (!owned) {
        Native.close(fd);
      }
    }
  }

  private static Set<PosixFilePermission> mode(int bits) {
    Set<PosixFilePermission> m = MODES[bits];
    if (m == null) {
      m = DirectoryTier.modeOf(bits); // immutable: a race makes an equal set twice, harmlessly
      MODES[bits] = m;
    }
    return m;
  }

  /** Open for reading, positioned at 0. */
  public FileChannel channel() {
    return channel;
  }

  /** The size when opened. */
  public long size() {
    return size;
  }

  /** The file's permissions, or {@code null} where there are none to read. */
  public Set<PosixFilePermission> mode() {
    return mode;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
