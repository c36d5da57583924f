package io.objmapper.internal.index;

import static io.objmapper.internal.index.TierIndexFixtures.entry;
import static io.objmapper.internal.index.TierIndexFixtures.name;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TierIndexRecoveryTest {
  @TempDir
  Path dir;

  private Path indexFile() {
    return dir.resolve("tier.idx");
  }

  private PersistentTierIndex open() throws IOException {
    return PersistentTierIndex.open(indexFile(), 5_000);
  }

  /** Writes {@code count} entries, closes cleanly and returns the map file. */
  private Path writeAndClose(int count) throws IOException {
    try (PersistentTierIndex index = open()) {
      for (int i = 0; i < count; i++) {
        index.put(name(i), entry(i));
      }
      return index.mapFile();
    }
  }

  private void assertHoldsEntries(PersistentTierIndex index, int count) {
    assertThat(index.size()).isEqualTo(count);
    IndexEntry into = new IndexEntry();
    for (int i = 0; i < count; i++) {
      assertThat(index.get(name(i), into)).as(name(i)).isTrue();
      assertThat(into).isEqualTo(entry(i));
    }
  }

  @Test
  void missingIndexIsCreatedEmptyAndAsksForAFullScan() throws IOException {
    try (PersistentTierIndex index = open()) {
      assertThat(index.openState()).isEqualTo(OpenState.CREATED);
      assertThat(index.openState().needsFullScan()).isTrue();
      assertThat(index.needsReconciliation()).isTrue();
      assertThat(index.size()).isZero();
      assertThat(index.movedAside()).isEmpty();
    }
  }

  @Test
  void cleanCloseLeavesAMarkerThatTheNextOpenRemoves() throws IOException {
    writeAndClose(10);
    Path marker = dir.resolve("tier.idx.clean");
    assertThat(marker).exists();
    try (PersistentTierIndex index = open()) {
      assertThat(index.openState()).isEqualTo(OpenState.CLEAN);
      assertThat(marker).doesNotExist();
    }
  }

  @Test
  void reopenWithoutTheCleanMarkerMovesTheMapAsideUnreadAndStartsEmpty() throws IOException {
    Path map = writeAndClose(3_000);
    long length = Files.size(map);
    Files.delete(dir.resolve("tier.idx.clean"));

    try (PersistentTierIndex index = open()) {
      assertThat(index.openState()).isEqualTo(OpenState.RESET);
      assertThat(index.openState().needsFullScan()).isTrue();
      assertThat(index.needsReconciliation()).isTrue();
      assertThat(index.size()).isZero();
      Path aside = index.movedAside().orElseThrow();
      assertThat(aside.getFileName().toString()).startsWith("tier.idx.damaged-");
      assertThat(aside).hasSize(length);
      index.put(name(1), entry(1));
    }
    try (PersistentTierIndex index = open()) {
      assertThat(index.openState()).isEqualTo(OpenState.CLEAN);
      assertThat(index.get(name(1))).isEqualTo(entry(1));
    }
  }

  @Test
  void aGrownIndexReopensCleanlyAtItsGrownSize() throws IOException {
    writeAndClose(20_000);

    try (PersistentTierIndex index = open()) {
      assertThat(index.openState()).isEqualTo(OpenState.CLEAN);
      assertThat(index.capacity()).isGreaterThan(5_000);
      assertHoldsEntries(index, 20_000);
    }
  }

  @Test
  void bytesChangedInTheMiddleOfTheMapWithTheMarkerKeptAreFoundByTheChecksum() throws IOException {
    Path map = writeAndClose(1_000);
    long length = Files.size(map);
    try (RandomAccessFile raf = new RandomAccessFile(map.toFile(), "rw")) {
      raf.seek(length / 2);
      raf.write(7 ^ raf.read()); // one byte, one bit pattern: nothing Chronicle Map would notice by itself
    }

    try (PersistentTierIndex index = open()) {
      assertThat(index.openState()).isEqualTo(OpenState.RESET);
      assertThat(index.size()).isZero();
      assertThat(index.movedAside()).isPresent();
    }
  }

  @Test
  void aMarkerOfAnotherMapFileDoesNotVouchForThisOne() throws IOException {
    writeAndClose(10);
    Files.writeString(dir.resolve("tier.idx.clean"), "clean\n"); // the marker of an older version

    try (PersistentTierIndex index = open()) {
      assertThat(index.openState()).isEqualTo(OpenState.RESET);
    }
  }

  @Test
  void onlyTheNewestMapFilesMovedAsideAreKept() throws IOException {
    for (int i = 0; i < IndexFiles.KEEP_ASIDE + 2; i++) {
      writeAndClose(10);
      Files.delete(dir.resolve("tier.idx.clean"));
      try (PersistentTierIndex index = open()) {
        assertThat(index.movedAside()).isPresent();
      }
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.filter(p -> p.getFileName().toString().startsWith("tier.idx.damaged-")))
          .hasSize(IndexFiles.KEEP_ASIDE);
    }
  }

  @Test
  void mapFileWithAGarbageHeaderIsMovedAsideAndTheIndexStartsEmpty() throws IOException {
    Path map = writeAndClose(1_000);
    byte[] garbage = new byte[4096];
    new Random(42).nextBytes(garbage);
    try (RandomAccessFile raf = new RandomAccessFile(map.toFile(), "rw")) {
      raf.write(garbage);
    }

    try (PersistentTierIndex index = open()) {
      assertThat(index.openState()).isEqualTo(OpenState.RESET);
      assertThat(index.openState().needsFullScan()).isTrue();
      assertThat(index.size()).isZero();
      assertThat(index.movedAside().orElseThrow()).exists();
      assertThat(index.movedAside().orElseThrow().getFileName().toString()).startsWith("tier.idx.damaged-");
      index.put(name(1), entry(1));
      assertThat(index.get(name(1))).isEqualTo(entry(1));
    }
  }

  @Test
  void truncatedMapFileIsMovedAsideAndTheIndexStartsEmpty() throws IOException {
    Path map = writeAndClose(1_000);
    try (RandomAccessFile raf = new RandomAccessFile(map.toFile(), "rw")) {
      raf.setLength(raf.length() / 2);
    }

    try (PersistentTierIndex index = open()) {
      assertThat(index.openState()).isEqualTo(OpenState.RESET);
      assertThat(index.size()).isZero();
      assertThat(index.movedAside()).isPresent();
    }
  }

  @Test
  void emptyMapFileIsMovedAsideAndTheIndexStartsEmpty() throws IOException {
    Path map = writeAndClose(10);
    Files.write(map, new byte[0]);

    try (PersistentTierIndex index = open()) {
      assertThat(index.openState()).isEqualTo(OpenState.RESET);
      assertThat(index.size()).isZero();
    }
  }

  @Test
  void missingMapFileResetsTheIndex() throws IOException {
    Path map = writeAndClose(10);
    Files.delete(map);

    try (PersistentTierIndex index = open()) {
      assertThat(index.openState()).isEqualTo(OpenState.RESET);
      assertThat(index.size()).isZero();
      index.put(name(1), entry(1));
    }
    try (PersistentTierIndex index = open()) {
      assertThat(index.openState()).isEqualTo(OpenState.CLEAN);
      assertThat(index.size()).isEqualTo(1);
    }
  }

  @Test
  void unreadableIndexFileResetsTheIndex() throws IOException {
    writeAndClose(10);
    Files.write(indexFile(), "not a manifest\n".getBytes(StandardCharsets.UTF_8));

    try (PersistentTierIndex index = open()) {
      assertThat(index.openState()).isEqualTo(OpenState.RESET);
      assertThat(index.size()).isZero();
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.contains(".map.")))
          .as("only the new map is left").hasSize(1);
    }
  }

  @Test
  void mapFilesTheManifestDoesNotNameAreDeletedOnOpen() throws IOException {
    writeAndClose(10);
    Path leftover = dir.resolve("tier.idx.map.99");
    Files.write(leftover, new byte[] {1, 2, 3});

    try (PersistentTierIndex index = open()) {
      assertThat(index.openState()).isEqualTo(OpenState.CLEAN);
      assertThat(leftover).doesNotExist();
      assertThat(index.size()).isEqualTo(10);
    }
  }

  @Test
  void reconciliationMakesARebuiltIndexTrustedForTheRestOfTheRun() throws IOException {
    writeAndClose(10);
    Files.delete(dir.resolve("tier.idx.clean"));
    Path tier = Files.createDirectories(dir.resolve("tier"));

    try (PersistentTierIndex index = open()) {
      assertThat(index.needsReconciliation()).isTrue();
      index.reconcile(DirectoryTierFiles.excluding(tier));
      assertThat(index.needsReconciliation()).isFalse();
    }
  }
}
