package io.objmapper.internal.index;

import static io.objmapper.internal.index.TierIndexFixtures.entry;
import static io.objmapper.internal.index.TierIndexFixtures.name;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class TierIndexGrowthTest {
  @TempDir
  Path dir;

  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stopThreads() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
  }

  private PersistentTierIndex openSmall() throws IOException {
    return PersistentTierIndex.open(dir.resolve("tier.idx"), 1_000);
  }

  @Test
  void insertingTwentyTimesTheDeclaredEntriesKeepsEveryEntry() throws IOException {
    try (PersistentTierIndex index = openSmall()) {
      for (int i = 0; i < 20_000; i++) {
        index.put(name(i), entry(i));
      }

      assertThat(index.size()).isEqualTo(20_000);
      assertThat(index.capacity()).isGreaterThan(1_000);
      assertThat(index.growths()).isPositive();
      IndexEntry into = new IndexEntry();
      for (int i = 0; i < 20_000; i++) {
        assertThat(index.get(name(i), into)).as(name(i)).isTrue();
        assertThat(into).isEqualTo(entry(i));
      }
    }
  }

  @Test
  void grownIndexReopensCleanWithItsLargerCapacity() throws IOException {
    long capacity;
    try (PersistentTierIndex index = openSmall()) {
      for (int i = 0; i < 5_000; i++) {
        index.put(name(i), entry(i));
      }
      capacity = index.capacity();
    }
    try (PersistentTierIndex index = openSmall()) {
      assertThat(index.openState()).isEqualTo(OpenState.CLEAN);
      assertThat(index.capacity()).isEqualTo(capacity).isGreaterThan(1_000);
      assertThat(index.size()).isEqualTo(5_000);
      assertThat(index.get(name(4_999))).isEqualTo(entry(4_999));
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.contains(".map.")))
          .as("replaced maps are deleted").hasSize(1);
    }
  }

  @Test
  void readersDuringGrowthSeeEveryCommittedEntryAndNoErrors() throws Exception {
    try (PersistentTierIndex index = openSmall()) {
      AtomicInteger committed = new AtomicInteger();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong reads = new AtomicLong();
      Queue<String> problems = new ConcurrentLinkedQueue<>();
      List<Future<?>> readers = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        readers.add(pool.submit(() -> {
          IndexEntry into = new IndexEntry();
          while (!stop.get()) {
            int upTo = committed.get();
            if (upTo == 0) {
              continue;
            }
            int i = ThreadLocalRandom.current().nextInt(upTo);
            try {
              if (!index.get(name(i), into)) {
                problems.add("missing " + name(i) + " with " + upTo + " committed");
              } else if (!into.equals(entry(i))) {
                problems.add("wrong " + into + " for " + name(i));
              }
            } catch (RuntimeException e) {
              problems.add(e.toString());
            }
            reads.incrementAndGet();
            Thread.yield(); // leave the two cores to the writer and the growth as well
          }
        }));
      }

      for (int i = 0; i < 20_000; i++) {
        index.put(name(i), entry(i));
        committed.set(i + 1);
      }
      stop.set(true);
      for (Future<?> f : readers) {
        f.get(30, TimeUnit.SECONDS);
      }

      assertThat(problems).isEmpty();
      assertThat(index.growths()).isPositive();
      assertThat(reads.get()).isPositive();
    }
  }

  @Test
  void concurrentWritersDuringGrowthLoseNothing() throws Exception {
    try (PersistentTierIndex index = openSmall()) {
      List<Future<?>> writers = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        int first = w * 5_000;
        writers.add(pool.submit(() -> {
          for (int i = first; i < first + 5_000; i++) {
            index.put(name(i), entry(i));
          }
        }));
      }
      for (Future<?> f : writers) {
        f.get(60, TimeUnit.SECONDS);
      }

      assertThat(index.size()).isEqualTo(20_000);
      IndexEntry into = new IndexEntry();
      for (int i = 0; i < 20_000; i++) {
        assertThat(index.get(name(i), into)).as(name(i)).isTrue();
        assertThat(into).isEqualTo(entry(i));
      }
    }
  }

  @Test
  void removalsAndReplacementsDuringGrowthAreNotUndoneByTheCopy() throws IOException {
    try (PersistentTierIndex index = openSmall()) {
      for (int i = 0; i < 20_000; i++) {
        index.put(name(i), entry(i));
        if (i % 10 == 5) {
          index.remove(name(i - 5)); // every name ending in 0
        } else if (i % 10 == 7) {
          index.put(name(i - 6), entry(i - 6 + 1_000_000)); // every name ending in 1
        }
      }

      assertThat(index.growths()).isPositive();
      assertThat(index.size()).isEqualTo(18_000);
      IndexEntry into = new IndexEntry();
      for (int i = 0; i < 20_000; i++) {
        boolean found = index.get(name(i), into);
        if (i % 10 == 0) {
          assertThat(found).as("%s was removed", name(i)).isFalse();
        } else {
          assertThat(found).as(name(i)).isTrue();
          assertThat(into).isEqualTo(i % 10 == 1 ? entry(i + 1_000_000) : entry(i));
        }
      }
    }
  }
}
