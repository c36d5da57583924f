package io.objmapper.spi.dir;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * What one open costs, for each way of opening an object's file (a timing program, not a
 * test): {@code java -cp <test-classes:classes:jna> io.objmapper.spi.dir.OpenCost [dir]}.
 * Each line is the mean of an open and a close of {@code a/b/c/object} over 200,000 rounds,
 * after 100,000 rounds of warm-up.
 */
public final class OpenCost {
  private static final int WARMUP = 100_000;
  private static final int ROUNDS = 200_000;

  private static final com.sun.jna.Pointer READ_HOW =
      Native.how(Native.O_RDONLY | Native.O_NONBLOCK | Native.O_NOFOLLOW | Native.O_CLOEXEC);

  private static int rootFd(BeneathRoot root) throws Exception {
    java.lang.reflect.Field f = BeneathRoot.class.getDeclaredField("rootFd");
    f.setAccessible(true);
    return f.getInt(root);
  }

  interface Open {
    void run() throws Exception;
  }

  public static void main(String[] args) throws Exception {
    Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("opencost");
    Files.createDirectories(dir.resolve("a/b/c"));
    Files.write(dir.resolve("a/b/c/object"), new byte[4096]);
    Path file = dir.resolve("a/b/c/object");
    try (BeneathRoot root = BeneathRoot.open(dir)) {
      time("FileInputStream(path), follows links, blocks on FIFO", () -> new FileInputStream(file.toFile()).close());
      time("BeneathRoot.openRead (openat2 + fstat + fcntl)", () -> root.openRead("a/b/c/object", null).close());
      Native.Stat st = new Native.Stat();
      time("  of which: fstat alone", () -> Native.fstat(0, st));
      time("  /proc/self/fd stat (what the fstat replaced)", () -> Files.readAttributes(Path.of("/proc/self/fd/0"),
          java.nio.file.attribute.BasicFileAttributes.class));
      time("  openat2 + close alone", () -> Native.close(Native.openBeneath(rootFd(root), "a/b/c/object",
          Native.O_RDONLY | Native.O_NONBLOCK | Native.O_NOFOLLOW | Native.O_CLOEXEC, READ_HOW)));
      time("  openat2 + fstat + fcntl + close, no Java stream", () -> {
        int fd = Native.openBeneath(rootFd(root), "a/b/c/object",
            Native.O_RDONLY | Native.O_NONBLOCK | Native.O_NOFOLLOW | Native.O_CLOEXEC, READ_HOW);
        Native.fstat(fd, st);
        Native.setBlocking(fd);
        Native.close(fd);
      });
      time("  openat2 + /proc/self/fd/N reopen + close (fallback without sun.nio.ch)", () -> {
        int fd = Native.openBeneath(rootFd(root), "a/b/c/object",
            Native.O_RDONLY | Native.O_NONBLOCK | Native.O_NOFOLLOW | Native.O_CLOEXEC, READ_HOW);
        new FileInputStream("/proc/self/fd/" + fd).close();
        Native.close(fd);
      });
      java.lang.reflect.Field f = Native.class.getDeclaredField("openat2Works");
      f.setAccessible(true);
      f.setBoolean(null, false);
      time("BeneathRoot.openRead, openat walk (kernel without openat2)", () -> root.openRead("a/b/c/object", null).close());
      f.setBoolean(null, true);
      time("SecureDirectoryStream walk, NOFOLLOW (JDK only; blocks on FIFO)", () -> secureOpen(dir));
    }
  }

  private static void secureOpen(Path dir) throws IOException {
    try (DirectoryStream<Path> s0 = Files.newDirectoryStream(dir)) {
      SecureDirectoryStream<Path> s = (SecureDirectoryStream<Path>) s0;
      try (SecureDirectoryStream<Path> a = s.newDirectoryStream(Path.of("a"), LinkOption.NOFOLLOW_LINKS);
           SecureDirectoryStream<Path> b = a.newDirectoryStream(Path.of("b"), LinkOption.NOFOLLOW_LINKS);
           SecureDirectoryStream<Path> c = b.newDirectoryStream(Path.of("c"), LinkOption.NOFOLLOW_LINKS);
           SeekableByteChannel ch = c.newByteChannel(Path.of("object"),
               Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
        ch.size();
      }
    }
  }

  private static void time(String what, Open open) throws Exception {
    for (int i = 0; i < WARMUP; i++) {
      open.run();
    }
    long t0 = System.nanoTime();
    for (int i = 0; i < ROUNDS; i++) {
      open.run();
    }
    long ns = (System.nanoTime() - t0) / ROUNDS;
    System.out.printf("%6.2f us  %s%n", ns / 1000.0, what);
  }
}
