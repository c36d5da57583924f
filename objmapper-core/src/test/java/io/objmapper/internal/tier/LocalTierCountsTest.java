package io.objmapper.internal.tier;

import static org.assertj.core.api.Assertions.assertThat;

import io.objmapper.spi.Tier;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import io.objmapper.spi.dir.DirectoryTier;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A writable persistent tier keeps its counts across a clean close instead of rescanning. */
class LocalTierCountsTest {
  @TempDir Path root;
  private final FsTierProvider provider = new FsTierProvider();

  private Tier open() throws Exception {
    return provider.create(TierConfig.builder().name("disk").type("fs").root(root)
        .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE).build());
  }

  @Test
  void countsOfACleanCloseAreAdoptedWithoutAScan() throws Exception {
    try (Tier t = open()) {
      t.write("/a", new byte[10]);
      t.write("/b", new byte[5]);
    }
    // Behind the closed tier's back: not counted until the next scan, which proves none ran.
    Files.write(root.resolve("c"), new byte[7]);
    try (Tier t = open()) {
      assertThat(t.objectCount()).isEqualTo(2);
      assertThat(t.usedBytes()).isEqualTo(15);
      t.scan((name, stat) -> {}, Tier.ScanProgress.NONE);
      assertThat(t.objectCount()).isEqualTo(3);
      assertThat(t.usedBytes()).isEqualTo(22);
    }
  }

  @Test
  void aTierThatDidNotCloseCleanlyIsScannedAtOpen() throws Exception {
    try (Tier t = open()) {
      t.write("/a", new byte[10]);
    }
    Files.write(root.resolve("b"), new byte[3]);
    // An unclean stop leaves no counts: the open that adopted them deleted the file.
    Tier first = open();
    Tier second = null;
    try {
      second = open();
      assertThat(second.objectCount()).isEqualTo(2);
      assertThat(second.usedBytes()).isEqualTo(13);
    } finally {
      if (second != null) {
        second.close();
      }
      first.close();
    }
  }

  @Test
  void withoutSavedCountsTheFirstScanCountsTheTierWhileItVisits() throws Exception {
    Files.write(root.resolve("a"), new byte[4]);
    Files.write(root.resolve("b"), new byte[6]);
    try (Tier t = open()) {
      DirectoryTier d = (DirectoryTier) t;
      assertThat(d.counted()).isFalse();
      java.util.List<String> seen = new java.util.ArrayList<>();
      assertThat(t.scan((name, stat) -> seen.add(name), Tier.ScanProgress.NONE)).isEqualTo(2);
      assertThat(seen).containsExactlyInAnyOrder("/a", "/b");
      assertThat(d.counted()).isTrue();
      assertThat(t.objectCount()).isEqualTo(2);
      assertThat(t.usedBytes()).isEqualTo(10);
    }
  }

  @Test
  void aWriteBeforeAnyScanWaitsForTheFirstScanSoItIsCountedOnce() throws Exception {
    Files.write(root.resolve("a"), new byte[4]);
    try (Tier t = open()) {
      t.write("/b", new byte[6]);
      assertThat(((DirectoryTier) t).counted()).isTrue();
      assertThat(t.objectCount()).isEqualTo(2);
      assertThat(t.usedBytes()).isEqualTo(10);
    }
  }

  @Test
  void aTierNeverCountedSavesNoCountsAtClose() throws Exception {
    Files.write(root.resolve("a"), new byte[4]);
    open().close();
    try (Tier t = open()) {
      assertThat(((DirectoryTier) t).counted()).as("nothing adopted").isFalse();
      assertThat(t.objectCount()).isEqualTo(1);
    }
  }

  @Test
  void theCountsFileIsNeverAnObject() throws Exception {
    try (Tier t = open()) {
      t.write("/a", new byte[1]);
    }
    try (Tier t = open()) {
      assertThat(t.scan((name, stat) -> assertThat(name).isEqualTo("/a"), Tier.ScanProgress.NONE)).isEqualTo(1);
    }
  }

  @Test
  void temporaryFilesOfWritesACrashCutShortAreRemovedWhenTheTierOpensAfterIt() throws Exception {
    Files.createDirectories(root.resolve("d"));
    Files.write(root.resolve(io.objmapper.spi.dir.AtomicWrite.TEMP_PREFIX + "1a2b"), new byte[100]);
    Files.write(root.resolve("d").resolve(io.objmapper.spi.dir.AtomicWrite.TEMP_PREFIX + "3c4d"), new byte[50]);
    Files.write(root.resolve("a"), new byte[4]);
    try (Tier t = open()) {
      assertThat(t.objectCount()).isEqualTo(1);
      assertThat(t.usedBytes()).isEqualTo(4);
      assertThat(Files.exists(root.resolve(io.objmapper.spi.dir.AtomicWrite.TEMP_PREFIX + "1a2b"))).isFalse();
      assertThat(Files.exists(root.resolve("d").resolve(io.objmapper.spi.dir.AtomicWrite.TEMP_PREFIX + "3c4d"))).isFalse();
    }
  }

  @Test
  void aScanAfterTheTiersFirstOneLeavesTemporaryFilesAlone() throws Exception {
    try (Tier t = open()) {
      assertThat(t.objectCount()).isZero(); // the first scan, which removes what a crash left
      // A write in progress elsewhere: its temporary file is not the scan's to remove.
      Path temp = Files.write(root.resolve(io.objmapper.spi.dir.AtomicWrite.TEMP_PREFIX + "5e6f"), new byte[8]);
      assertThat(t.scan((name, stat) -> {}, Tier.ScanProgress.NONE)).isZero();
      assertThat(Files.exists(temp)).isTrue();
      Files.delete(temp);
    }
  }

  @Test
  void aScanOverlappingWritesAndDeletesNeverCountsAChangeTwice() throws Exception {
    try (Tier t = open()) {
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
      try {
        for (int round = 0; round < 2_000; round++) {
          boolean write = round % 4 == 3;
          if (!write) {
            t.write("/o", new byte[10]);
          }
          java.util.concurrent.CyclicBarrier go = new java.util.concurrent.CyclicBarrier(2);
          var change = pool.submit(() -> {
            go.await();
            return write ? t.write("/o", new byte[10]) != null : t.delete("/o");
          });
          var scan = pool.submit(() -> {
            go.await();
            return t.scan((name, stat) -> {}, Tier.ScanProgress.NONE);
          });
          change.get();
          scan.get();
          long onDisk = Files.exists(root.resolve("o")) ? 1 : 0;
          assertThat(t.objectCount()).as("objects after round %d", round).isEqualTo(onDisk);
          assertThat(t.usedBytes()).as("bytes after round %d", round).isEqualTo(10 * onDisk);
        }
      } finally {
        pool.shutdown();
        assertThat(pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES)).isTrue();
      }
    }
  }
}
