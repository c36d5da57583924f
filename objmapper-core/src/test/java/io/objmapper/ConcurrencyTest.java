package io.objmapper;

import static io.objmapper.TestStores.version;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Many readers and one writer on the same objects, and descriptor eviction under load. The
 * writer overwrites with versioned content (every byte is the version, and the size depends
 * on it) and deletes and re-puts; each reader checks every read is one whole version, never
 * older than the last put that had returned before the read began, and that an object is
 * missing only while the writer has it deleted. Iteration counts are fixed: readers run
 * until the writer is done and they have done their share. Isolated, because it compares
 * the process's descriptors before and after.
 */
@Isolated
class ConcurrencyTest {
  private static final int READERS = 3;

  @TempDir Path dir;

  /** Size of version {@code v}: a torn read between two versions shows as a size or byte mismatch. */
  private static int sizeOf(int v) {
    return 512 + (v % 7) * 700;
  }

  /** What the writer does to a set of names, and what readers may see meanwhile. */
  private static final class Workload {
    final String[] names;
    /** Odd while the name may be absent (between the start of a delete and the end of its re-put). */
    final AtomicIntegerArray absence;
    /** The version of the last put of each name that has returned. */
    final AtomicIntegerArray stored;
    final AtomicBoolean writerDone = new AtomicBoolean();
    final Queue<String> failures = new ConcurrentLinkedQueue<>();

    Workload(int objects) {
      names = new String[objects];
      for (int i = 0; i < objects; i++) {
        names[i] = "/c/o" + i;
      }
      absence = new AtomicIntegerArray(objects);
      stored = new AtomicIntegerArray(objects);
    }
  }

  private static void writer(ObjMapper store, Workload w, int operations, long seed) {
    Random random = new Random(seed);
    int next = 2; // version 1 is on disk before the start
    for (int op = 0; op < operations && next < 256; op++) {
      int i = random.nextInt(w.names.length);
      if (op % 5 == 4) {
        w.absence.incrementAndGet(i);
        store.delete(w.names[i]);
        store.put(w.names[i], version(next, sizeOf(next)));
        w.stored.set(i, next);
        w.absence.incrementAndGet(i);
      } else {
        store.put(w.names[i], version(next, sizeOf(next)));
        w.stored.set(i, next);
      }
      next++;
    }
  }

  private static void reader(ObjMapper store, Workload w, int minReads, long seed) {
    Random random = new Random(seed);
    for (int n = 0; n < minReads || !w.writerDone.get(); n++) {
      int i = random.nextInt(w.names.length);
      int before = w.absence.get(i);
      int latest = w.stored.get(i);
      try (ObjectLease lease = store.open(w.names[i])) {
        byte[] b = lease.readAllBytes();
        int v = b.length == 0 ? -1 : b[0] & 0xff;
        if (b.length != sizeOf(v) || b.length != lease.size()) {
          w.failures.add(w.names[i] + ": " + b.length + " bytes for version " + v);
        }
        for (byte x : b) {
          if ((x & 0xff) != v) {
            w.failures.add(w.names[i] + ": version " + v + " mixed with " + (x & 0xff));
            break;
          }
        }
        if (v < latest) {
          w.failures.add(w.names[i] + ": version " + v + " read after version " + latest + " was stored");
        }
      } catch (ObjectNotFoundException e) {
        int after = w.absence.get(i);
        if (before % 2 == 0 && after == before) {
          w.failures.add(w.names[i] + ": not found while it existed");
        }
      } catch (RuntimeException e) {
        w.failures.add(w.names[i] + ": " + e);
      }
    }
  }

  /** Runs one writer and {@link #READERS} readers, started together, and returns the failures. */
  private static List<String> race(ObjMapper store, Workload w, int writes, int minReads) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(READERS + 1);
    try {
      CyclicBarrier start = new CyclicBarrier(READERS + 1);
      List<Future<?>> readers = new ArrayList<>();
      for (int r = 0; r < READERS; r++) {
        long seed = r;
        readers.add(pool.submit(() -> {
          start.await();
          reader(store, w, minReads, seed);
          return null;
        }));
      }
      Future<?> writer = pool.submit(() -> {
        try {
          start.await();
          writer(store, w, writes, 99);
        } finally {
          w.writerDone.set(true);
        }
        return null;
      });
      writer.get();
      for (Future<?> f : readers) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    return List.copyOf(w.failures);
  }

  /** Places version 1 of every name in the disk tier before the store starts (found by its scan). */
  private static void seed(Path disk, Workload w) throws Exception {
    for (int i = 0; i < w.names.length; i++) {
      Path f = disk.resolve(w.names[i].substring(1));
      Files.createDirectories(f.getParent());
      Files.write(f, version(1, sizeOf(1)));
      w.stored.set(i, 1);
    }
  }

  @Test
  void readersSeeOnlyWholeVersionsWhileOneWriterOverwritesAndDeletes() throws Exception {
    Workload w = new Workload(4);
    seed(TestStores.mkdirs(dir.resolve("disk")), w);
    try (ObjMapper store = TestStores.memoryAndDisk(dir).maxOpenFds(16).build()) {
      List<String> failures = race(store, w, 120, 2_000);
      assertThat(failures).isEmpty();
      assertThat(store.stats().fdCacheHits()).isPositive();
    }
  }

  @Test
  void readsUnderDescriptorEvictionNeverFailOrReturnWrongContent() throws Exception {
    Workload w = new Workload(200);
    seed(TestStores.mkdirs(dir.resolve("disk")), w);
    try (ObjMapper store = TestStores.memoryAndDisk(dir).maxOpenFds(8).build()) {
      List<String> failures = race(store, w, 150, 3_000);
      assertThat(failures).isEmpty();
      ObjMapperStats s = store.stats();
      assertThat(s.evictions()).isGreaterThan(100);
      assertThat(s.openDescriptors()).isLessThanOrEqualTo(8);
    }
  }

  @Test
  void descriptorCountReturnsToItsStartAfterEvictionUnderLoad() throws Exception {
    Workload warmUp = new Workload(4);
    seed(TestStores.mkdirs(dir.resolve("warm/disk")), warmUp);
    try (ObjMapper store = TestStores.memoryAndDisk(dir.resolve("warm")).maxOpenFds(2).build()) {
      // Loads every class the counted run needs: a jar opened for a first class would count.
      assertThat(race(store, warmUp, 10, 100)).isEmpty();
    }
    Workload w = new Workload(200);
    seed(TestStores.mkdirs(dir.resolve("disk")), w);
    List<String> before = TestStores.descriptorTargets();
    List<String> failures;
    try (ObjMapper store = TestStores.memoryAndDisk(dir).maxOpenFds(8).build()) {
      failures = race(store, w, 100, 2_000);
    }
    List<String> after = TestStores.descriptorTargets();
    assertThat(failures).isEmpty();
    assertThat(after).isEqualTo(before);
  }
}
