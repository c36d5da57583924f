package io.objmapper.internal.index;

import static io.objmapper.internal.index.TierIndexFixtures.name;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PersistentTierIndex#rebuild}: an empty index filled from one scan, sized for what the
 * scan found (entries past the map's room go through a spill file, then the map grows once).
 */
class TierIndexRebuildTest {
  @TempDir
  Path dir;

  /** {@code n} files, plus one whose name is no object name (skipped). */
  private static TierFiles files(int n) {
    return new TierFiles() {
      @Override
      public void scan(ScanSink sink) {
        for (int i = 0; i < n; i++) {
          sink.file(name(i), i, 1_700_000_000_000L + i, i * 31);
        }
        sink.file("no/leading/slash", 1, 1, 1);
      }

      @Override
      public boolean stat(String name, IndexEntry into) {
        throw new AssertionError("a rebuild stats nothing");
      }
    };
  }

  @Test
  void aRebuildLargerThanTheMapGrowsItOnceAndIndexesEveryFile() throws IOException {
    Path file = dir.resolve("tier.idx");
    try (PersistentTierIndex index = PersistentTierIndex.open(file, 1_000)) {
      assertThat(index.needsReconciliation()).isTrue();
      ReconcileReport r = index.rebuild(files(6_000));

      assertThat(r.scanned()).isEqualTo(6_001);
      assertThat(r.added()).isEqualTo(6_000);
      assertThat(r.skipped()).isEqualTo(1);
      assertThat(index.size()).isEqualTo(6_000);
      assertThat(index.growths()).isEqualTo(1);
      assertThat(index.capacity()).isEqualTo(7_500); // 5/4 of the files found
      for (int i = 0; i < 6_000; i++) {
        assertThat(index.get(name(i))).isEqualTo(new IndexEntry(i, 1_700_000_000_000L + i, i * 31, 0));
      }
      assertThat(index.needsReconciliation()).isFalse();
      assertThat(IndexFiles.rebuildSpill(file)).doesNotExist();
    }
    try (PersistentTierIndex again = PersistentTierIndex.open(file, 1_000)) {
      assertThat(again.openState()).isEqualTo(OpenState.CLEAN);
      assertThat(again.size()).isEqualTo(6_000);
    }
  }

  @Test
  void aRebuildThatFitsNeitherSpillsNorGrows() throws IOException {
    try (PersistentTierIndex index = PersistentTierIndex.open(dir.resolve("tier.idx"), 1_000)) {
      assertThat(index.rebuild(files(900)).added()).isEqualTo(900);
      assertThat(index.growths()).isZero();
      assertThat(index.size()).isEqualTo(900);
    }
  }

  @Test
  void aScanThatFailsLeavesTheIndexUntrustedAndNoSpillFile() throws IOException {
    Path file = dir.resolve("tier.idx");
    try (PersistentTierIndex index = PersistentTierIndex.open(file, 1_000)) {
      TierFiles failing = new TierFiles() {
        @Override
        public void scan(ScanSink sink) throws IOException {
          files(3_000).scan(sink);
          throw new IOException("disk gone");
        }

        @Override
        public boolean stat(String name, IndexEntry into) {
          return false;
        }
      };
      assertThatThrownBy(() -> index.rebuild(failing)).isInstanceOf(IOException.class).hasMessage("disk gone");
      assertThat(index.needsReconciliation()).isTrue();
      assertThat(IndexFiles.rebuildSpill(file)).doesNotExist();
    }
  }

  @Test
  void anIndexThatIsNotEmptyIsReconciledNotRebuilt() throws IOException {
    try (PersistentTierIndex index = PersistentTierIndex.open(dir.resolve("tier.idx"), 1_000)) {
      index.put("/a", new IndexEntry(1, 1, 1, 0));
      assertThatThrownBy(() -> index.rebuild(files(1))).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("not empty");
    }
  }

  @Test
  void aSpillFileACrashLeftIsDeletedAtOpen() throws IOException {
    Path file = dir.resolve("tier.idx");
    Files.write(IndexFiles.rebuildSpill(file), new byte[100]);
    try (PersistentTierIndex index = PersistentTierIndex.open(file, 1_000)) {
      assertThat(IndexFiles.rebuildSpill(file)).doesNotExist();
    }
  }
}
