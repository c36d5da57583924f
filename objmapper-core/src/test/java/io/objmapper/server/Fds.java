package io.objmapper.server;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.newsclub.net.unix.FileDescriptorCast;

/** What the kernel says about descriptors of this process. */
public final class Fds {
  private static final int O_ACCMODE = 3;
  public static final int O_RDONLY = 0;
  public static final int O_RDWR = 2;

  private Fds() {}

  /**
   * Open descriptors of this process now, less those open on a {@code /proc/<pid>/fd}
   * directory: this listing's own, and any other thread's count of descriptors running at the
   * same moment, are the measuring's, not the code's under test.
   */
  public static int openCount() {
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      return (int) s.filter(fd -> !isDescriptorListing(fd)).count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean isDescriptorListing(Path fd) {
    try {
      String target = Files.readSymbolicLink(fd).toString();
      return target.startsWith("/proc/") && target.endsWith("/fd");
    } catch (IOException gone) {
      return true; // closed while listed: not open any more
    }
  }

  /** The open descriptors' targets, for a failure message. */
  public static List<String> describeOpen() {
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      return s.map(p -> {
        try {
          return p.getFileName() + " -> " + Files.readSymbolicLink(p);
        } catch (IOException e) {
          return p.getFileName() + " (gone)";
        }
      }).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static int number(FileDescriptor fd) throws IOException {
    return FileDescriptorCast.using(fd).as(Integer.class);
  }

  /** The file a descriptor is open on. */
  public static Path target(FileDescriptor fd) throws IOException {
    return Files.readSymbolicLink(Path.of("/proc/self/fd/" + number(fd)));
  }

  /** {@link #O_RDONLY}, {@link #O_RDWR} or O_WRONLY (1), from the kernel's flags of the descriptor. */
  public static int accessMode(FileDescriptor fd) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + number(fd)))) {
      if (line.startsWith("flags:")) {
        return Integer.parseInt(line.substring(6).trim(), 8) & O_ACCMODE;
      }
    }
    throw new IOException("no flags in fdinfo of " + number(fd));
  }

  public static void close(FileDescriptor fd) throws IOException {
    new FileInputStream(fd).close();
  }
}
