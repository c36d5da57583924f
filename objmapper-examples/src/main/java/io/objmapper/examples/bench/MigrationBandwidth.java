package io.objmapper.examples.bench;

import io.objmapper.ObjMapper;
import io.objmapper.ObjectLease;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Issue 4's migration target: moving objects between tiers runs at ≥ 70% of a plain file
 * copy's bandwidth on the same disk, and the request path's p99 rises by no more than 2×
 * while migrations run.
 *
 * <p><b>Bandwidth.</b> Two fs tiers, {@code a} (perf factor 1) and {@code b} (perf factor 3),
 * both PERSISTENT, READABLE, WRITABLE, MIGRATION_SRC, MIGRATION_DST, in one temporary
 * directory. {@code --objects} objects of {@code --object-bytes} random bytes are put on
 * {@code a} (untimed), then each is moved to {@code b} with {@code store.move(name, "b")},
 * one after the other on one thread, timed; a move is the same code a lifecycle round runs
 * (journal line synced, copy with {@code FileChannel.transferTo}, file and directory synced,
 * index switch, source deleted and its directory synced). The plain copy, in the same
 * directory tree, on the same number of files written and synced the same way, is per file:
 * {@code FileChannel.transferTo} from the source into a new file in another directory, then
 * the source deleted; in three variants: no sync ({@code copy}); the new file
 * {@code force(true)}d before close ({@code copy+fsync}); and also both directories synced
 * after the new file is named and after the source is deleted ({@code copy+fsync+dirs},
 * the durability the store's move gives). The unsynced copy's files are synced after its
 * timing, so its dirty pages do not slow the next measurement.
 *
 * <p><b>Request latency.</b> A store with {@code --hot} objects of 4 KiB on {@code a} and the
 * migration objects too. {@code --readers} threads each open a random hot object, read one
 * byte ({@code lease.read(buf, 0)}) and close it, paced at {@code --reader-rate} per thread,
 * recording the time of each open+read+close (service time) in an HdrHistogram. Three
 * phases of {@code --seconds} each after a warm-up: idle; with one thread moving the
 * migration objects {@code a → b → a → ...} without pause ({@code store.move}, which does
 * not back off under load: the worst case); idle again. The clock is the real one.
 *
 * <pre>
 * java $FLAGS -cp objmapper-examples/target/objmapper.jar io.objmapper.examples.bench.MigrationBandwidth
 * java $FLAGS -cp objmapper-examples/target/objmapper.jar io.objmapper.examples.bench.MigrationBandwidth \
 *     --objects 4096 --object-bytes 4096
 * </pre>
 */
@Command(name = "MigrationBandwidth", mixinStandardHelpOptions = true,
    description = "Migration bandwidth against a plain file copy, and request p99 with and without migrations.")
public final class MigrationBandwidth implements Callable<Integer> {
  @Option(names = "--objects", defaultValue = "256", description = "Objects moved (default: ${DEFAULT-VALUE}).")
  int objects;

  @Option(names = "--object-bytes", defaultValue = "1048576",
      description = "Size of each moved object (default: ${DEFAULT-VALUE}).")
  int objectBytes;

  @Option(names = "--hot", defaultValue = "1000",
      description = "Objects of 4 KiB the readers open (default: ${DEFAULT-VALUE}).")
  int hot;

  @Option(names = "--readers", defaultValue = "2", description = "Reader threads (default: ${DEFAULT-VALUE}).")
  int readers;

  @Option(names = "--reader-rate", defaultValue = "10000",
      description = "Requests per second per reader; 0: as fast as possible (default: ${DEFAULT-VALUE}).")
  int readerRate;

  @Option(names = "--seconds", defaultValue = "5",
      description = "Length of each latency phase (default: ${DEFAULT-VALUE}).")
  int seconds;

  @Option(names = "--warmup-seconds", defaultValue = "3",
      description = "Reader warm-up before the latency phases (default: ${DEFAULT-VALUE}).")
  int warmupSeconds;

  @Option(names = "--dir", description = "Parent of the temporary directory (default: java.io.tmpdir).")
  Path parent;

  @Option(names = "--repeat", defaultValue = "3",
      description = "Bandwidth measurements of each mode, interleaved (default: ${DEFAULT-VALUE}).")
  int repeat;

  @Option(names = "--skip-latency", description = "Measure the bandwidth only.")
  boolean skipLatency;

  @Option(names = "--seed", defaultValue = "42", description = "Random seed for the contents (default: ${DEFAULT-VALUE}).")
  long seed;

  public static void main(String[] args) {
    System.exit(new CommandLine(new MigrationBandwidth()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Path dir = parent == null ? Files.createTempDirectory("objmapper-migration-bench")
        : Files.createTempDirectory(parent, "objmapper-migration-bench");
    try {
      double total = (double) objects * objectBytes;
      System.out.printf(Locale.ROOT, "%d objects × %d bytes = %.1f MiB, in %s%n", objects, objectBytes,
          total / 1048576, dir);
      String[] modes = {"copy", "copy+fsync", "copy+fsync+dirs", "store.move", "lifecycle"};
      double[][] rates = new double[modes.length][repeat];
      for (int rep = 0; rep < repeat; rep++) {
        // Each repetition runs every mode once, starting one mode later, so a slow spell of the
        // shared disk does not always fall on the same mode.
        for (int k = 0; k < modes.length; k++) {
          int m = (k + rep) % modes.length;
          Path d = dir.resolve("rep" + rep + "-" + m);
          rates[m][rep] = m == 4 ? lifecycleRounds(d) : m == 3 ? storeMove(d) : plainCopy(d, m >= 1, m == 2);
          BenchStores.deleteTree(d);
        }
      }
      double[] median = new double[modes.length];
      for (int m = 0; m < modes.length; m++) {
        double[] sorted = rates[m].clone();
        java.util.Arrays.sort(sorted);
        median[m] = sorted[repeat / 2];
        StringBuilder runs = new StringBuilder();
        for (double r : rates[m]) {
          runs.append(String.format(Locale.ROOT, " %.1f", r / 1048576));
        }
        System.out.printf(Locale.ROOT, "%-16s median %8.1f MiB/s (%7.1f objects/s); runs:%s%n", modes[m],
            median[m] / 1048576, median[m] / objectBytes, runs);
      }
      for (int m = 3; m <= 4; m++) {
        System.out.printf(Locale.ROOT, "%s / copy: %.3f; / copy+fsync: %.3f; / copy+fsync+dirs: %.3f"
            + " (medians; target ≥ 0.70)%n", modes[m], median[m] / median[0], median[m] / median[1],
            median[m] / median[2]);
      }
      if (!skipLatency) {
        latency(dir.resolve("latency"));
      }
    } finally {
      BenchStores.deleteTree(dir);
    }
    return 0;
  }

  // ---- bandwidth ---------------------------------------------------------------------------

  /** Bytes per second of a plain copy-then-delete of the objects from one directory into another. */
  private double plainCopy(Path dir, boolean fsync, boolean dirs) throws IOException {
    Path src = Files.createDirectories(dir.resolve("src"));
    Path dst = Files.createDirectories(dir.resolve("dst"));
    List<Path> files = writeSources(src);
    long t0 = System.nanoTime();
    for (Path from : files) {
      Path to = dst.resolve(src.relativize(from));
      Files.createDirectories(to.getParent());
      try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ);
           FileChannel out = FileChannel.open(to, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        long size = in.size();
        long done = 0;
        while (done < size) {
          done += in.transferTo(done, size - done, out);
        }
        if (fsync) {
          out.force(true);
        }
      }
      if (dirs) {
        syncDirectory(to.getParent());
      }
      Files.delete(from);
      if (dirs) {
        syncDirectory(from.getParent());
      }
    }
    long nanos = System.nanoTime() - t0;
    if (!fsync) {
      for (Path from : files) { // untimed: leave no dirty pages to the next measurement
        try (FileChannel out = FileChannel.open(dst.resolve(src.relativize(from)), StandardOpenOption.WRITE)) {
          out.force(true);
        }
      }
    }
    return (double) objects * objectBytes / (nanos / 1e9);
  }

  /** Writes the objects' files under {@code root} (100 per directory), each synced, and returns them. */
  private List<Path> writeSources(Path root) throws IOException {
    Random random = new Random(seed);
    byte[] data = new byte[objectBytes];
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < objects; i++) {
      random.nextBytes(data);
      Path f = root.resolve(name(i).substring(1));
      Files.createDirectories(f.getParent());
      try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer b = ByteBuffer.wrap(data);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      files.add(f);
    }
    for (Path d : files.stream().map(Path::getParent).distinct().toList()) {
      syncDirectory(d);
    }
    syncDirectory(root);
    return files;
  }

  /** Bytes per second of {@code store.move} of every object from tier a to tier b. */
  private double storeMove(Path dir) throws IOException {
    try (ObjMapper store = twoTiers(dir).build()) {
      putObjects(store);
      long[] each = new long[objects];
      long t0 = System.nanoTime();
      for (int i = 0; i < objects; i++) {
        long s = System.nanoTime();
        store.move(name(i), "b");
        each[i] = System.nanoTime() - s;
      }
      long nanos = System.nanoTime() - t0;
      java.util.Arrays.sort(each);
      System.out.printf(Locale.ROOT, "  store.move per object: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n",
          each[objects / 2] / 1e6, each[(int) (objects * 0.9)] / 1e6, each[(int) (objects * 0.99)] / 1e6,
          each[objects - 1] / 1e6);
      long movedBytes = store.stats().lifecycle().bytesMoved();
      if (movedBytes != (long) objects * objectBytes || store.stats().tiers().get(0).objects() != 0) {
        throw new IllegalStateException("the store moved " + movedBytes + " bytes; tier a still holds "
            + store.stats().tiers().get(0).objects() + " objects");
      }
      return (double) movedBytes / (nanos / 1e9);
    }
  }

  /**
   * Bytes per second of lifecycle rounds demoting every object from tier a to tier b (batch
   * 100, on a clock moved ten half-lives on so that all are cold): the journal is synced once
   * per round instead of once per move.
   */
  private double lifecycleRounds(Path dir) throws IOException {
    java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong();
    try (ObjMapper store = twoTiers(dir).nanoClock(clock::get).build()) {
      putObjects(store);
      clock.addAndGet(java.util.concurrent.TimeUnit.HOURS.toNanos(10));
      int rounds = 0;
      long t0 = System.nanoTime();
      while (store.stats().tiers().get(0).objects() > 0) {
        if (store.runLifecycle().moved() == 0) {
          throw new IllegalStateException("a round moved nothing with " + store.stats().tiers().get(0).objects()
              + " objects left on tier a");
        }
        rounds++;
      }
      long nanos = System.nanoTime() - t0;
      System.out.printf(Locale.ROOT, "  lifecycle: %d rounds of at most 100 moves, %.2f ms per round%n", rounds,
          nanos / 1e6 / rounds);
      return (double) store.stats().lifecycle().bytesMoved() / (nanos / 1e9);
    }
  }

  private void putObjects(ObjMapper store) {
    Random random = new Random(seed);
    byte[] data = new byte[objectBytes];
    for (int i = 0; i < objects; i++) {
      random.nextBytes(data);
      store.put(name(i), data);
    }
  }

  private static ObjMapper.Builder twoTiers(Path dir) throws IOException {
    TierFlag[] flags = {TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE, TierFlag.MIGRATION_SRC,
        TierFlag.MIGRATION_DST};
    return ObjMapper.builder()
        .tier(TierConfig.builder().name("a").type("fs").root(Files.createDirectories(dir.resolve("a")))
            .perfFactor(1).flags(flags).build())
        .tier(TierConfig.builder().name("b").type("fs").root(Files.createDirectories(dir.resolve("b")))
            .perfFactor(3).flags(flags).build())
        .lifecycle(io.objmapper.LifecyclePolicy.builder().intervalMillis(0).build());
  }

  private static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /** Object {@code i}'s name, 100 objects per directory. */
  static String name(int i) {
    return String.format(Locale.ROOT, "/move/%03d/object-%06d", i / 100, i);
  }

  static String hotName(int i) {
    return String.format(Locale.ROOT, "/hot/%02d/object-%05d", i / 100, i);
  }

  // ---- latency -----------------------------------------------------------------------------

  private void latency(Path dir) throws Exception {
    // Half-life 1 ms: every migration object is cold at once, so lifecycle rounds demote them;
    // the hot objects are PINNED, so rounds never move what the readers read.
    io.objmapper.LifecyclePolicy coldAtOnce = io.objmapper.LifecyclePolicy.builder().intervalMillis(0)
        .hotnessHalfLifeMillis(1).build();
    try (ObjMapper store = twoTiers(dir).lifecycle(coldAtOnce).build()) {
      byte[] small = new byte[4096];
      new Random(seed + 1).nextBytes(small);
      for (int i = 0; i < hot; i++) {
        store.put(hotName(i), small, io.objmapper.ObjectFlag.PINNED);
      }
      putObjects(store);
      for (int i = 0; i < hot; i++) {
        store.open(hotName(i)).close(); // every hot object's descriptor cached before measuring
      }
      Readers r = new Readers(store);
      r.start();
      sleepSeconds(warmupSeconds);
      Histogram idle1 = r.measure(seconds);
      double[] rate1 = new double[1];
      Histogram busy1 = migrating(store, r, 1, rate1);
      double[] rate2 = new double[1];
      Histogram busy2 = migrating(store, r, 2, rate2);
      double[] rate3 = new double[1];
      int[] threads = new int[1];
      Histogram rounds = roundsRunning(store, r, rate3, threads);
      Histogram idle2 = r.measure(seconds);
      r.stop();
      System.out.printf(Locale.ROOT, "request latency (open + read 1 byte + close of %d hot objects, %d readers at %s"
              + " each), µs:%n", hot, readers, readerRate == 0 ? "full speed" : readerRate + "/s");
      System.out.println("phase                              requests      p50      p90      p99    p99.9      max");
      row("idle", idle1);
      row("1 mover (" + String.format(Locale.ROOT, "%.1f MiB/s", rate1[0] / 1048576) + ")", busy1);
      row("2 movers (" + String.format(Locale.ROOT, "%.1f MiB/s", rate2[0] / 1048576) + ")", busy2);
      row("rounds, " + threads[0] + " thread(s) (" + String.format(Locale.ROOT, "%.1f MiB/s", rate3[0] / 1048576)
          + ")", rounds);
      row("idle again", idle2);
      double base = Math.min(idle1.getValueAtPercentile(99), idle2.getValueAtPercentile(99));
      System.out.printf(Locale.ROOT, "p99 migrating / idle: 1 mover %.2f, 2 movers %.2f, lifecycle rounds %.2f"
          + " (against the lower idle p99; target ≤ 2)%n", busy1.getValueAtPercentile(99) / base,
          busy2.getValueAtPercentile(99) / base, rounds.getValueAtPercentile(99) / base);
    }
  }

  /**
   * Request latency while lifecycle rounds run back to back: each demotes up to a batch of
   * the (cold) migration objects from a to b; once a holds none, one thread moves them all
   * back with {@code store.move}. {@code rate[0]} gets the bytes per second moved in all,
   * {@code threads[0]} the most threads a round used (the store measures the readers' rate
   * and moves on one thread above a quarter of the busy rate).
   */
  private Histogram roundsRunning(ObjMapper store, Readers r, double[] rate, int[] threads)
      throws InterruptedException {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong moved = new AtomicLong();
    java.util.concurrent.atomic.AtomicInteger mostThreads = new java.util.concurrent.atomic.AtomicInteger();
    Thread t = new Thread(() -> {
      while (!stop.get()) {
        io.objmapper.MigrationRound round = store.runLifecycle();
        moved.addAndGet(round.bytesMoved());
        mostThreads.accumulateAndGet(round.threads(), Math::max);
        if (round.moved() == 0) {
          for (int i = 0; i < objects && !stop.get(); i++) {
            store.move(name(i), "a");
            moved.addAndGet(objectBytes);
          }
        }
      }
    }, "rounds");
    t.start();
    long m0 = System.nanoTime();
    Histogram busy = r.measure(seconds);
    stop.set(true);
    t.join();
    rate[0] = moved.get() / ((System.nanoTime() - m0) / 1e9);
    threads[0] = mostThreads.get();
    return busy;
  }

  /**
   * Request latency while {@code movers} threads move the migration objects between the
   * tiers without pause (a lifecycle round moves on two threads); {@code rate[0]} gets the
   * bytes per second they moved.
   */
  private Histogram migrating(ObjMapper store, Readers r, int movers, double[] rate) throws InterruptedException {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong moved = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int k = 0; k < movers; k++) {
      int first = k;
      Thread t = new Thread(() -> {
        // Each mover takes every movers-th object, back and forth between the tiers.
        String to = store.stat(name(first)).orElseThrow().tier().equals("a") ? "b" : "a";
        while (!stop.get()) {
          for (int i = first; i < objects && !stop.get(); i += movers) {
            store.move(name(i), to);
            moved.addAndGet(objectBytes);
          }
          to = to.equals("b") ? "a" : "b";
        }
      }, "migrator-" + k);
      t.start();
      threads.add(t);
    }
    long m0 = System.nanoTime();
    Histogram busy = r.measure(seconds);
    stop.set(true);
    for (Thread t : threads) {
      t.join();
    }
    rate[0] = moved.get() / ((System.nanoTime() - m0) / 1e9);
    return busy;
  }

  private static void row(String phase, Histogram h) {
    System.out.printf(Locale.ROOT, "%-26s %9d %8.1f %8.1f %8.1f %8.1f %8.1f%n", phase, h.getTotalCount(),
        h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(90) / 1e3, h.getValueAtPercentile(99) / 1e3,
        h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3);
  }

  private static void sleepSeconds(int s) throws InterruptedException {
    Thread.sleep(TimeUnit.SECONDS.toMillis(s));
  }

  /** Reader threads that record into fresh histograms on demand. */
  private final class Readers {
    private final ObjMapper store;
    private final List<Thread> threads = new ArrayList<>();
    private final Histogram[] current;
    private final AtomicBoolean recording = new AtomicBoolean();
    private volatile boolean stopped;

    Readers(ObjMapper store) {
      this.store = store;
      this.current = new Histogram[readers];
      for (int i = 0; i < readers; i++) {
        current[i] = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
      }
    }

    void start() {
      for (int t = 0; t < readers; t++) {
        int index = t;
        Thread th = new Thread(() -> run(index), "reader-" + t);
        th.setDaemon(true);
        threads.add(th);
        th.start();
      }
    }

    private void run(int index) {
      ByteBuffer one = ByteBuffer.allocateDirect(1);
      long interval = readerRate == 0 ? 0 : TimeUnit.SECONDS.toNanos(1) / readerRate;
      long next = System.nanoTime();
      ThreadLocalRandom random = ThreadLocalRandom.current();
      while (!stopped) {
        if (interval > 0) {
          next += interval;
          long wait = next - System.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(wait);
          } else if (wait < -TimeUnit.MILLISECONDS.toNanos(100)) {
            next = System.nanoTime(); // far behind: do not burst to catch up
          }
        }
        String name = hotName(random.nextInt(hot));
        long t0 = System.nanoTime();
        try (ObjectLease lease = store.open(name)) {
          one.clear();
          if (lease.read(one, 0) != 1) {
            throw new IllegalStateException("read nothing from " + name);
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        long nanos = System.nanoTime() - t0;
        if (recording.get()) {
          Histogram h = current[index];
          synchronized (h) {
            h.recordValue(Math.min(nanos, h.getHighestTrackableValue()));
          }
        }
      }
    }

    /** Records for {@code s} seconds and returns what all readers recorded. */
    Histogram measure(int s) throws InterruptedException {
      for (Histogram h : current) {
        synchronized (h) {
          h.reset();
        }
      }
      recording.set(true);
      sleepSeconds(s);
      recording.set(false);
      Histogram all = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
      for (Histogram h : current) {
        synchronized (h) {
          all.add(h);
        }
      }
      return all;
    }

    void stop() throws InterruptedException {
      stopped = true;
      for (Thread t : threads) {
        t.join();
      }
    }
  }
}
