package io.objmapper;

import static org.assertj.core.api.Assertions.assertThat;

import io.objmapper.spi.TierConfig;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Readers and writers on the same objects while migrations move them back and forth: threads
 * moving objects between two persistent fs tiers by hand (cached copies included: a move of a
 * cached object takes its lasting copy along and drops the cache), and lifecycle rounds on a
 * fake clock promoting hot objects as cached copies onto a small memory tier and demoting
 * cold ones (dropping cached copies, moving fast to slow).
 *
 * <p>Every version of an object carries its name's number, its version and its size in a
 * header, and the rest of its bytes come from a seed of both: a reader can tell whether
 * what it read is one whole, valid version of the object it asked for. A reader also checks
 * it never reads a version older than the last put that had returned before its open began.
 * Every thread does a fixed number of operations (readers go on until the others are done);
 * nothing sleeps or looks at the wall clock. Isolated, because it compares the process's
 * descriptors before and after.
 */
@Isolated
@Timeout(120)
class LifecycleConcurrencyTest {
  private static final String MEM = "mem";
  private static final String FAST = "fast";
  private static final String SLOW = "slow";
  /** Where the movers move objects; the memory tier is the lifecycle's, so its rounds plan on a true picture. */
  private static final String[] DISKS = {FAST, SLOW};
  private static final int HEADER = 12;

  @TempDir Path dir;

  /** Version {@code v} of object number {@code i}: header (i, v, size), then seeded bytes; 12 B to 40 KB. */
  static byte[] content(int i, int v) {
    Random random = new Random(i * 1_000_003L + v);
    int size = HEADER + random.nextInt(40 * 1024);
    byte[] b = new byte[size];
    random.nextBytes(b);
    ByteBuffer.wrap(b).putInt(0, i).putInt(4, v).putInt(8, size);
    return b;
  }

  static String name(int i) {
    return (i % 3 == 0 ? "/n/" : "/") + "o" + i;
  }

  /** The objects, what was last stored of each, and what went wrong. */
  private static final class Workload {
    final int objects;
    /** Objects below this number are overwritten by the writer; the others only move. */
    final int written;
    /** The version of the last put of each object that has returned. */
    final AtomicIntegerArray stored;
    final AtomicInteger othersRunning = new AtomicInteger();
    final Queue<String> failures = new ConcurrentLinkedQueue<>();
    final LongAdder reads = new LongAdder();
    final LongAdder moves = new LongAdder();

    Workload(int objects, int written) {
      this.objects = objects;
      this.written = written;
      this.stored = new AtomicIntegerArray(objects);
    }
  }

  private static ObjMapper.Builder store(Path dir, TestStores.FakeClock clock) {
    TierConfig mem = TestStores.migratable(TestStores.memory(TestStores.mkdirs(dir.resolve("mem-base"))));
    // Room for about a third of the objects: promotions compete for it.
    mem = TierConfig.builder().name(mem.name()).type(mem.type()).options(mem.options()).flags(mem.flags())
        .perfFactor(1.0).capacityBytes(200 * 1024).build();
    return ObjMapper.builder()
        .tier(mem)
        .tier(TestStores.migratable(TestStores.disk(FAST, dir.resolve(FAST), 2.0)))
        .tier(TestStores.migratable(TestStores.disk(SLOW, dir.resolve(SLOW), 3.0)))
        .nanoClock(clock)
        .lifecycle(TestStores.manualLifecycle().toBuilder().migrationBatchSize(8).build());
  }

  // ---- the threads ------------------------------------------------------------------------

  private static void reader(ObjMapper store, Workload w, int minReads, long seed) {
    Random random = new Random(seed);
    for (int n = 0; n < minReads || w.othersRunning.get() > 0; n++) {
      int i = random.nextInt(w.objects);
      String name = name(i);
      int atLeast = w.stored.get(i);
      try (ObjectLease lease = store.open(name)) {
        byte[] b = lease.readAllBytes();
        w.reads.increment();
        String problem = check(b, i, atLeast);
        if (problem == null && b.length != lease.size()) {
          problem = "lease says " + lease.size() + " bytes, read " + b.length;
        }
        if (problem != null) {
          w.failures.add("read " + name + " from " + lease.tier() + ": " + problem);
        }
      } catch (RuntimeException e) {
        w.failures.add("read " + name + ": " + e);
      }
    }
  }

  /** Why {@code b} is not a whole version of object {@code i}, at least {@code atLeast}; null if it is. */
  private static String check(byte[] b, int i, int atLeast) {
    if (b.length < HEADER) {
      return b.length + " bytes: shorter than a header";
    }
    ByteBuffer h = ByteBuffer.wrap(b);
    int object = h.getInt(0);
    int version = h.getInt(4);
    int size = h.getInt(8);
    if (object != i) {
      return "the content of object " + object;
    }
    if (version < 1 || version > 1_000_000) {
      return "no valid version in the header: " + version;
    }
    if (size != b.length) {
      return b.length + " bytes of version " + version + ", which has " + size + " (torn)";
    }
    if (!Arrays.equals(b, content(i, version))) {
      return "version " + version + " with wrong bytes";
    }
    if (version < atLeast) {
      return "version " + version + ", read after version " + atLeast + " had been stored";
    }
    return null;
  }

  private static void writer(ObjMapper store, Workload w, int puts, long seed) {
    Random random = new Random(seed);
    for (int n = 0; n < puts; n++) {
      int i = random.nextInt(w.written);
      int v = w.stored.get(i) + 1;
      try {
        store.put(name(i), content(i, v));
        w.stored.set(i, v);
      } catch (RuntimeException e) {
        w.failures.add("put " + name(i) + " version " + v + ": " + e);
      }
    }
  }

  private static void mover(ObjMapper store, Workload w, int moves, long seed) {
    Random random = new Random(seed);
    for (int n = 0; n < moves; n++) {
      String name = name(random.nextInt(w.objects));
      String to = DISKS[random.nextInt(DISKS.length)];
      try {
        store.move(name, to);
        w.moves.increment();
      } catch (RuntimeException e) {
        w.failures.add("move " + name + " to " + to + ": " + e);
      }
    }
  }

  /**
   * Lifecycle rounds on the fake clock: mostly a second apart, so what the readers read is
   * hot and moves up; every third round a month later, so everything is cold and moves down.
   */
  private static void lifecycle(ObjMapper store, Workload w, TestStores.FakeClock clock, int rounds,
      AtomicLong moved) {
    for (int r = 0; r < rounds; r++) {
      clock.advanceMillis(r % 3 == 2 ? TimeUnit.DAYS.toMillis(30) : 1_000);
      try {
        MigrationRound round = store.runLifecycle();
        moved.addAndGet(round.moved());
        if (round.failures() > 0) {
          w.failures.add("lifecycle round " + r + ": " + round.failures() + " moves failed");
        }
      } catch (RuntimeException e) {
        w.failures.add("lifecycle round " + r + ": " + e);
      }
    }
  }

  /**
   * Puts version 1 of every object, then runs readers, a writer, movers and the lifecycle
   * together; returns when all are done. Every thread is gone when it returns.
   */
  private static void race(ObjMapper store, Workload w, TestStores.FakeClock clock, int scale, AtomicLong moved)
      throws Exception {
    for (int i = 0; i < w.objects; i++) {
      store.put(name(i), content(i, 1));
      w.stored.set(i, 1);
    }
    int readers = 3;
    int others = 4; // a writer, two movers, the lifecycle
    CyclicBarrier start = new CyclicBarrier(readers + others);
    w.othersRunning.set(others);
    List<Callable<Void>> tasks = new ArrayList<>();
    for (int r = 0; r < readers; r++) {
      long seed = 100 + r;
      tasks.add(() -> {
        start.await();
        reader(store, w, 40 * scale, seed);
        return null;
      });
    }
    tasks.add(other(start, w, () -> writer(store, w, 6 * scale, 7)));
    tasks.add(other(start, w, () -> mover(store, w, 10 * scale, 11)));
    tasks.add(other(start, w, () -> mover(store, w, 10 * scale, 13)));
    tasks.add(other(start, w, () -> lifecycle(store, w, clock, 2 * scale, moved)));
    ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
    try {
      List<Future<Void>> done = new ArrayList<>();
      for (Callable<Void> t : tasks) {
        done.add(pool.submit(t));
      }
      for (Future<Void> f : done) {
        f.get(90, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).as("every thread of the race ended").isTrue();
    }
  }

  private static Callable<Void> other(CyclicBarrier start, Workload w, Runnable body) {
    return () -> {
      start.await();
      try {
        body.run();
      } finally {
        w.othersRunning.decrementAndGet();
      }
      return null;
    };
  }

  // ---- the test ---------------------------------------------------------------------------

  @Test
  void readersAndWritersNeverFailNorSeeWrongContentWhileMigrationsMoveTheSameObjects() throws Exception {
    // A first, smaller run loads every class the counted run needs: a jar opened for a first
    // class would count as a descriptor.
    Path warmDir = dir.resolve("warm-up");
    TestStores.FakeClock warmClock = new TestStores.FakeClock();
    try (ObjMapper store = store(warmDir, warmClock).build()) {
      Workload warm = new Workload(12, 6);
      race(store, warm, warmClock, 5, new AtomicLong());
      assertThat(warm.failures).as("failures of the warm-up run").isEmpty();
    }

    Path runDir = dir.resolve("run");
    TestStores.FakeClock clock = new TestStores.FakeClock();
    Workload w = new Workload(12, 6);
    AtomicLong lifecycleMoves = new AtomicLong();
    List<String> before = TestStores.descriptorTargets();
    try (ObjMapper store = store(runDir, clock).build()) {
      race(store, w, clock, 100, lifecycleMoves);

      assertThat(List.copyOf(w.failures)).as("failed or wrong reads, puts, moves and rounds").isEmpty();
      // The race did what it is about: many reads, moves by hand and by the lifecycle.
      assertThat(w.reads.sum()).isGreaterThanOrEqualTo(3 * 40 * 100);
      assertThat(w.moves.sum()).isPositive();
      assertThat(lifecycleMoves.get()).isPositive();
      ObjMapperStats.Lifecycle done = store.stats().lifecycle();
      assertThat(done.promotions()).as("promotions (cached copies on the memory tier)").isPositive();
      assertThat(done.demotions()).as("demotions (cached copies dropped, fast to slow)").isPositive();
      assertTheStoreMatchesTheDisk(store, runDir, w);
    }
    assertThat(TestStores.descriptorsOpenedSince(before)).as("descriptors opened while the store ran, still open after it closed").isEmpty();
  }

  /**
   * Each object once on a persistent tier, with its last version (a cached copy on the memory
   * tier too, if any, the same); the tiers' counts are what their directories hold.
   */
  private static void assertTheStoreMatchesTheDisk(ObjMapper store, Path dir, Workload w) throws Exception {
    SoftAssertions soft = new SoftAssertions();
    Map<String, Map<String, Path>> onDisk = new TreeMap<>();
    Map<String, Path> roots = new TreeMap<>();
    roots.put(FAST, dir.resolve(FAST));
    roots.put(SLOW, dir.resolve(SLOW));
    try (var memDirs = Files.list(dir.resolve("mem-base"))) {
      List<Path> live = memDirs.toList();
      assertThat(live).as("the memory tier's own directory").hasSize(1);
      roots.put(MEM, live.get(0));
    }
    for (Map.Entry<String, Path> r : roots.entrySet()) {
      onDisk.put(r.getKey(), DiskInventory.objects(r.getValue()));
      soft.assertThat(DiskInventory.tempFiles(r.getValue())).as("temporary files left on %s", r.getKey()).isEmpty();
    }
    for (int i = 0; i < w.objects; i++) {
      String name = name(i);
      byte[] last = content(i, w.stored.get(i));
      int persistentCopies = 0;
      for (String t : List.of(FAST, SLOW, MEM)) {
        Path f = onDisk.get(t).get(name);
        if (f != null) {
          persistentCopies += t.equals(MEM) ? 0 : 1;
          soft.assertThat(Files.readAllBytes(f)).as("the copy of %s on %s", name, t).isEqualTo(last);
        }
      }
      soft.assertThat(persistentCopies).as("copies of %s on the persistent tiers", name).isEqualTo(1);
      try (ObjectLease lease = store.open(name)) {
        soft.assertThat(lease.readAllBytes()).as("%s read through the store", name).isEqualTo(last);
      }
    }
    for (ObjMapperStats.TierStats t : store.stats().tiers()) {
      soft.assertThat(t.objects()).as("objects the stats count on %s", t.name()).isEqualTo(onDisk.get(t.name()).size());
      soft.assertThat(t.bytes()).as("bytes the stats count on %s", t.name())
          .isEqualTo(DiskInventory.bytes(roots.get(t.name())));
    }
    soft.assertThat(store.list("/")).as("list(\"/\")").hasSize(w.objects);
    soft.assertAll();
  }
}
