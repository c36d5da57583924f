package io.objmapper;

import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/** Tiers, clocks and descriptor counts shared by the store tests. */
final class TestStores {
  private TestStores() {}

  /** A memory tier named "mem" that makes its own directory below {@code baseDir}. */
  static TierConfig memory(Path baseDir) {
    return TierConfig.builder().name("mem").type("memory").option("base_dir", baseDir.toString())
        .flags(TierFlag.EPHEMERAL, TierFlag.READABLE, TierFlag.WRITABLE).perfFactor(1.0).build();
  }

  /** A persistent, writable fs tier rooted at {@code root} (created if missing). */
  static TierConfig disk(String name, Path root, double perfFactor) {
    return TierConfig.builder().name(name).type("fs").root(mkdirs(root))
        .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE).perfFactor(perfFactor).build();
  }

  /**
   * The usual pair: "mem" (volatile, below {@code dir}) and "disk" at {@code dir/disk}, both
   * taking and giving migrations; lifecycle rounds run only when a test asks.
   */
  static ObjMapper.Builder memoryAndDisk(Path dir) {
    return ObjMapper.builder().tier(migratable(memory(dir))).tier(migratable(disk("disk", dir.resolve("disk"), 3.0)))
        .lifecycle(manualLifecycle());
  }

  /** {@code tier} with {@code migration_src} and {@code migration_dst} added. */
  static TierConfig migratable(TierConfig tier) {
    java.util.Set<TierFlag> flags = java.util.EnumSet.copyOf(tier.flags());
    flags.add(TierFlag.MIGRATION_SRC);
    flags.add(TierFlag.MIGRATION_DST);
    return tier.withFlags(flags);
  }

  /** The default policy without background rounds: tests run rounds with runLifecycle(). */
  static LifecyclePolicy manualLifecycle() {
    return LifecyclePolicy.defaults().toBuilder().intervalMillis(0).build();
  }

  static Path mkdirs(Path dir) {
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Content of {@code size} bytes, each equal to {@code version}. */
  static byte[] version(int version, int size) {
    byte[] b = new byte[size];
    Arrays.fill(b, (byte) version);
    return b;
  }

  /** Writes {@code content} to {@code file} behind the store's back: a temp file, then an atomic rename. */
  static void replaceBehindTheStore(Path file, byte[] content) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling("outside-" + file.getFileName() + ".tmp");
    Files.write(tmp, content);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Every file below {@code dir}, relative to it, as strings. */
  static Stream<String> filesBelow(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return Stream.empty();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).toList().stream();
    }
  }

  /** The files this process has descriptors open on (one entry per descriptor), sorted. */
  static java.util.List<String> descriptorTargets() throws IOException {
    java.util.List<String> targets = new java.util.ArrayList<>();
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
      for (Path fd : fds) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("/")) { // files, not the pipes and sockets other tests' threads may still close
            targets.add(target);
          }
        } catch (IOException closedMeanwhile) {
          // the descriptor of the listing itself
        }
      }
    }
    java.util.Collections.sort(targets);
    return targets;
  }

  /**
   * The descriptors open now (see {@link #descriptorTargets()}) that were not in {@code before}:
   * what a test opened and left open. Descriptors of {@code before} closed meanwhile (another
   * test's store, closed when collected) are no leak of this test's, so they do not count.
   */
  static java.util.List<String> descriptorsOpenedSince(java.util.List<String> before) throws IOException {
    java.util.List<String> now = new java.util.ArrayList<>(descriptorTargets());
    for (String b : before) {
      now.remove(b);
    }
    return now;
  }

  /** Descriptors this process has open on {@code file} (deleted or replaced files included). */
  static long descriptorsOn(Path file) throws IOException {
    String path = file.toRealPath().toString();
    return descriptorsOnPath(path);
  }

  /** Descriptors open on the file once at {@code path}, which may have been replaced or deleted since. */
  static long descriptorsOnPath(String path) throws IOException {
    long n = 0;
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
      for (Path fd : fds) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.equals(path) || target.equals(path + " (deleted)")) {
            n++;
          }
        } catch (IOException closedMeanwhile) {
          // the descriptor listing itself, or one closed while listing
        }
      }
    }
    return n;
  }

  /** A clock that moves only when told to. */
  static final class FakeClock implements LongSupplier {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    @Override
    public long getAsLong() {
      return nanos.get();
    }

    void advanceMillis(long millis) {
      nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }
  }

  /** Waits for {@code latch}, at most 30 s (a bound against a hung test, not a timing). */
  static void await(CountDownLatch latch) {
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("a step of the race never came");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Joins {@code t}, at most 30 s (a bound against a hung test, not a timing). */
  static void join(Thread t) {
    try {
      t.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    if (t.isAlive()) {
      throw new IllegalStateException(t.getName() + " did not end");
    }
  }
}
