package io.objmapper.examples.bench;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import io.objmapper.spi.ObjectStat;
import io.objmapper.spi.dir.BeneathRoot;
import io.objmapper.spi.dir.DirectoryTier;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.newsclub.net.unix.FileDescriptorCast;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The cost of one private open file description of an object the descriptor cache already
 * holds open (a new description per passed descriptor, so no receiver shares an offset or
 * status flags with another), open and close, each way a server could get one:
 *
 * <ul>
 *   <li>{@link #fileChannelOpenPath}: {@code FileChannel.open(path)}, a path walk;
 *   <li>{@link #fileInputStreamPath}: {@code new FileInputStream(path)}, a path walk;
 *   <li>{@link #fileInputStreamProcFd}: {@code new FileInputStream("/proc/self/fd/N")} of the
 *       cached descriptor N: a new description of the same inode (the version the cache
 *       validated), no walk of the object's path, immune to renames and symlink swaps;
 *   <li>{@link #nativeOpenProcFd}: the same through {@code open(2)} called with JNA direct
 *       mapping and a pre-encoded path, then wrapped in a {@code FileDescriptor} for the
 *       socket library ({@link #nativeOpenProcFdRaw}: without the wrapper);
 *   <li>{@link #nativeOpenatDir}: {@code openat(2)} relative to an open tier directory;
 *   <li>{@link #beneathRootOpenRead}: the directory tier's own safe open ({@code openat2}
 *       beneath the tier root, no links, {@code O_NONBLOCK}, an {@code fstat} check that it is
 *       the cached version, back to blocking), what the server uses;
 *   <li>{@code pool}: descriptors opened ahead by a second thread into a bounded queue;
 *       the request side only takes and closes one ({@code pool:take}), the opener
 *       ({@code pool:refill}) spends the open on another core.
 * </ul>
 *
 * <pre>
 * java -cp objmapper-examples/target/objmapper.jar org.openjdk.jmh.Main PrivateOpenBenchmark \
 *     -f 1 -wi 3 -i 5 -w 1s -r 1s
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED"})
public class PrivateOpenBenchmark {
  /** {@code open(2)}/{@code openat(2)}/{@code close(2)} by JNA direct mapping. */
  static final class LibC {
    static {
      Native.register(Platform.C_LIBRARY_NAME);
    }

    static native int open(Memory path, int flags);

    static native int openat(int dirfd, Memory path, int flags);

    static native int close(int fd);
  }

  static final int O_RDONLY = 0;
  static final int O_CLOEXEC = 0x80000; // Linux
  static final int O_DIRECTORY = 0x10000; // Linux x86-64

  private Path dir;
  private Path file;
  private String path;
  private FileInputStream cached;
  private String procPath;
  private Memory procPathC;
  private int dirFd = -1;
  private Memory nameC;
  private BeneathRoot beneath;
  private ObjectStat expected;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("objmapper-open-bench");
    Path sub = Files.createDirectories(dir.resolve("disk/data"));
    file = sub.resolve("1k.bin");
    Files.write(file, new byte[1024]);
    path = file.toString();
    cached = new FileInputStream(path);
    int n = FileDescriptorCast.using(cached.getFD()).as(Integer.class);
    procPath = "/proc/self/fd/" + n;
    procPathC = cString(procPath);
    nameC = cString("1k.bin");
    Memory subC = cString(sub.toString());
    beneath = BeneathRoot.open(dir.resolve("disk"));
    expected = DirectoryTier.statOf(Files.readAttributes(file, BasicFileAttributes.class));
    dirFd = LibC.open(subC, O_RDONLY | O_CLOEXEC | O_DIRECTORY);
    if (dirFd < 0) {
      throw new IOException("cannot open " + sub);
    }
  }

  private static Memory cString(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    Memory m = new Memory(b.length + 1L);
    m.write(0, b, 0, b.length);
    m.setByte(b.length, (byte) 0);
    return m;
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    cached.close();
    beneath.close();
    if (dirFd >= 0) {
      LibC.close(dirFd);
    }
    Files.delete(file);
    Files.delete(file.getParent());
    Files.delete(dir.resolve("disk"));
    Files.delete(dir);
  }

  @Benchmark
  public void fileChannelOpenPath() throws IOException {
    FileChannel.open(file, StandardOpenOption.READ).close();
  }

  @Benchmark
  public void fileInputStreamPath() throws IOException {
    new FileInputStream(path).close();
  }

  @Benchmark
  public void fileInputStreamProcFd() throws IOException {
    new FileInputStream(procPath).close();
  }

  /** What the server does: the tier's safe open, checked to be the cached version, wrapped for the socket. */
  @Benchmark
  public void beneathRootOpenRead() throws IOException {
    beneath.openRead("data/1k.bin", expected).close();
  }

  @Benchmark
  public void nativeOpenProcFdRaw() throws IOException {
    int fd = LibC.open(procPathC, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      throw new IOException("open failed");
    }
    LibC.close(fd);
  }

  @Benchmark
  public void nativeOpenProcFd(Blackhole bh) throws IOException {
    int fd = LibC.open(procPathC, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      throw new IOException("open failed");
    }
    FileDescriptor wrapped = FileDescriptorCast.unsafeUsing(fd).getFileDescriptor();
    bh.consume(wrapped);
    LibC.close(fd);
  }

  @Benchmark
  public void nativeOpenatDir() throws IOException {
    int fd = LibC.openat(dirFd, nameC, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      throw new IOException("openat failed");
    }
    LibC.close(fd);
  }

  /** Descriptors opened ahead: one thread refills, one takes. */
  @State(Scope.Group)
  public static class Pool {
    final ArrayBlockingQueue<FileInputStream> ready = new ArrayBlockingQueue<>(64);
    String procPath;
    FileInputStream cached;
    Path file;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
      Path d = Files.createTempDirectory("objmapper-open-pool");
      file = d.resolve("1k.bin");
      Files.write(file, new byte[1024]);
      cached = new FileInputStream(file.toFile());
      procPath = "/proc/self/fd/" + FileDescriptorCast.using(cached.getFD()).as(Integer.class);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
      FileInputStream f;
      while ((f = ready.poll()) != null) {
        f.close();
      }
      cached.close();
      Files.delete(file);
      Files.delete(file.getParent());
    }
  }

  @Benchmark
  @Group("pool")
  @GroupThreads(1)
  public void take(Pool pool) throws IOException, InterruptedException {
    FileInputStream f = pool.ready.poll(1, TimeUnit.SECONDS);
    if (f != null) {
      f.close();
    }
  }

  @Benchmark
  @Group("pool")
  @GroupThreads(1)
  public void refill(Pool pool) throws IOException, InterruptedException {
    FileInputStream f = new FileInputStream(pool.procPath);
    if (!pool.ready.offer(f, 1, TimeUnit.SECONDS)) {
      f.close();
    }
  }
}
