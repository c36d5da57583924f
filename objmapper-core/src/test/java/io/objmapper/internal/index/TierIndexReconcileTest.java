package io.objmapper.internal.index;

import static io.objmapper.internal.index.TierIndexFixtures.name;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TierIndexReconcileTest {
  @TempDir
  Path dir;

  private Path root;
  private Path indexDir;

  @BeforeEach
  void createTier() throws IOException {
    root = Files.createDirectories(dir.resolve("tier"));
    indexDir = Files.createDirectories(dir.resolve("index"));
  }

  private PersistentTierIndex open() throws IOException {
    return PersistentTierIndex.open(indexDir.resolve("tier.idx"), 1_000);
  }

  private Path writeObject(String name, int bytes) throws IOException {
    Path file = root.resolve(name.substring(1));
    Files.createDirectories(file.getParent());
    return Files.write(file, new byte[bytes]);
  }

  private static IndexEntry statOf(Path file, int flags) throws IOException {
    return new IndexEntry().set(Files.readAttributes(file, BasicFileAttributes.class), flags);
  }

  @Test
  void reconcilingAnEmptyIndexAddsEveryFileWithItsSizeAndMtime() throws IOException {
    Path a = writeObject("/a.bin", 10);
    Path c = writeObject("/b/c.bin", 20);
    Path f = writeObject("/d/e/f.bin", 30);
    try (PersistentTierIndex index = open()) {
      ReconcileReport report = index.reconcile(DirectoryTierFiles.excluding(root));

      assertThat(report.scanned()).isEqualTo(3);
      assertThat(report.added()).isEqualTo(3);
      assertThat(report.removed() + report.updated()).isZero();
      assertThat(index.get("/a.bin")).isEqualTo(statOf(a, 0));
      assertThat(index.get("/b/c.bin")).isEqualTo(statOf(c, 0));
      assertThat(index.get("/d/e/f.bin")).isEqualTo(statOf(f, 0));
      assertThat(index.get("/d/e/f.bin").size()).isEqualTo(30);
    }
  }

  @Test
  void reconcilingDropsEntriesWhoseFileVanished() throws IOException {
    Path kept = writeObject("/kept.bin", 1);
    try (PersistentTierIndex index = open()) {
      index.put("/kept.bin", statOf(kept, 0));
      index.put("/gone.bin", new IndexEntry(5, 5, 5, 0));

      ReconcileReport report = index.reconcile(DirectoryTierFiles.excluding(root));

      assertThat(report.removed()).isEqualTo(1);
      assertThat(report.unchanged()).isEqualTo(1);
      assertThat(index.contains("/gone.bin")).isFalse();
      assertThat(index.contains("/kept.bin")).isTrue();
    }
  }

  @Test
  void reconcilingUpdatesChangedSizeAndMtimeButKeepsFlags() throws IOException {
    Path file = writeObject("/x.bin", 100);
    Files.setLastModifiedTime(file, FileTime.fromMillis(1_600_000_000_000L));
    try (PersistentTierIndex index = open()) {
      IndexEntry old = statOf(file, 0x5);
      index.put("/x.bin", old);
      Files.write(file, new byte[250]);
      Files.setLastModifiedTime(file, FileTime.fromMillis(1_700_000_000_000L));

      ReconcileReport report = index.reconcile(DirectoryTierFiles.excluding(root));

      assertThat(report.updated()).isEqualTo(1);
      IndexEntry now = index.get("/x.bin");
      assertThat(now.size()).isEqualTo(250);
      assertThat(now.mtimeMillis()).isEqualTo(1_700_000_000_000L);
      assertThat(now.flags()).isEqualTo(0x5);
    }
  }

  @Test
  void secondReconciliationFindsNothingToChange() throws IOException {
    writeObject("/a.bin", 1);
    writeObject("/b.bin", 2);
    try (PersistentTierIndex index = open()) {
      index.reconcile(DirectoryTierFiles.excluding(root));

      ReconcileReport again = index.reconcile(DirectoryTierFiles.excluding(root));

      assertThat(again.unchanged()).isEqualTo(2);
      assertThat(again.changedIndex()).isFalse();
    }
  }

  @Test
  void entryOfAFileTheScanMissedIsKept() throws IOException {
    Path hidden = writeObject("/hidden.bin", 3);
    DirectoryTierFiles real = DirectoryTierFiles.excluding(root);
    TierFiles missesHidden = new TierFiles() {
      @Override
      public void scan(ScanSink sink) throws IOException {
        real.scan((n, size, mtime, key) -> {
          if (!n.equals("/hidden.bin")) {
            sink.file(n, size, mtime, key);
          }
        });
      }

      @Override
      public boolean stat(String name, IndexEntry into) throws IOException {
        return real.stat(name, into);
      }
    };
    try (PersistentTierIndex index = open()) {
      index.put("/hidden.bin", statOf(hidden, 0));

      ReconcileReport report = index.reconcile(missesHidden);

      assertThat(report.removed()).isZero();
      assertThat(index.get("/hidden.bin")).isEqualTo(statOf(hidden, 0));
    }
  }

  @Test
  void failedScanRemovesNothingAndLeavesTheIndexUnreconciled() throws IOException {
    Path tierIndex = indexDir.resolve("tier.idx");
    TierFiles failing = new TierFiles() {
      @Override
      public void scan(ScanSink sink) throws IOException {
        sink.file("/new.bin", 1, 1, 1);
        throw new IOException("disk went away");
      }

      @Override
      public boolean stat(String name, IndexEntry into) {
        return false;
      }
    };
    try (PersistentTierIndex index = PersistentTierIndex.open(tierIndex, 1_000)) {
      index.put("/stale.bin", new IndexEntry(1, 1, 1, 0)); // not a rebuild: the sweep would remove it
      assertThatThrownBy(() -> index.reconcile(failing)).isInstanceOf(IOException.class).hasMessage("disk went away");

      assertThat(index.contains("/stale.bin")).isTrue();
      assertThat(index.contains("/new.bin")).isTrue();
      assertThat(index.needsReconciliation()).isTrue();
    }
  }

  @Test
  void entryWhoseFileCannotBeReadIsKeptAndCounted() throws IOException {
    TierFiles unreadable = new TierFiles() {
      @Override
      public void scan(ScanSink sink) {
        // reports nothing
      }

      @Override
      public boolean stat(String name, IndexEntry into) throws IOException {
        throw new IOException("permission denied");
      }
    };
    try (PersistentTierIndex index = open()) {
      index.put("/locked.bin", new IndexEntry(1, 1, 1, 0));

      ReconcileReport report = index.reconcile(unreadable);

      assertThat(report.errors()).isEqualTo(1);
      assertThat(report.removed()).isZero();
      assertThat(index.contains("/locked.bin")).isTrue();
    }
  }

  @Test
  void scannedNamesThatAreNotValidObjectNamesAreSkipped() throws IOException {
    TierFiles odd = new TierFiles() {
      @Override
      public void scan(ScanSink sink) {
        sink.file("/ok.bin", 1, 1, 1);
        sink.file("/bad\\name", 1, 1, 1);
        sink.file("relative", 1, 1, 1);
      }

      @Override
      public boolean stat(String name, IndexEntry into) {
        into.set(1, 1, 1, into.flags());
        return name.equals("/ok.bin");
      }
    };
    try (PersistentTierIndex index = open()) {
      ReconcileReport report = index.reconcile(odd);

      assertThat(report.skipped()).isEqualTo(2);
      assertThat(report.added()).isEqualTo(1);
      assertThat(index.size()).isEqualTo(1);
    }
  }

  @Test
  void indexFilesInsideTheTierRootAreNotIndexed() throws IOException {
    writeObject("/photo.jpg", 4);
    Path inside = Files.createDirectories(root.resolve(".objmapper_index"));
    try (PersistentTierIndex index = PersistentTierIndex.open(inside.resolve("tier.idx"), 1_000)) {
      ReconcileReport report = index.reconcile(DirectoryTierFiles.excluding(root, inside));

      assertThat(report.added()).isEqualTo(1);
      Map<String, IndexEntry> all = new HashMap<>();
      index.forEach((n, e) -> all.put(n, e) == null);
      assertThat(all).containsOnlyKeys("/photo.jpg");
    }
  }

  @Test
  void directoryViewIgnoresSymbolicLinksAndReportsMissingFiles() throws IOException {
    Path target = writeObject("/real.bin", 8);
    Files.createSymbolicLink(root.resolve("link.bin"), target);
    DirectoryTierFiles files = DirectoryTierFiles.excluding(root);
    Map<String, Long> scanned = new HashMap<>();

    files.scan((n, size, mtime, key) -> scanned.put(n, size));

    assertThat(scanned).containsOnly(Map.entry("/real.bin", 8L));
    assertThat(files.stat("/link.bin", new IndexEntry())).isFalse();
    assertThat(files.stat("/absent.bin", new IndexEntry())).isFalse();
    assertThat(files.stat("/real.bin", new IndexEntry())).isTrue();
  }

  @Test
  void reconcilingMoreFilesThanDeclaredGrowsTheIndexAndKeepsThemAll() throws IOException {
    int count = 20_000;
    TierFiles synthetic = new TierFiles() {
      @Override
      public void scan(ScanSink sink) {
        for (int i = 0; i < count; i++) {
          sink.file(name(i), i, 1_700_000_000_000L + i, i);
        }
      }

      @Override
      public boolean stat(String name, IndexEntry into) {
        return false;
      }
    };
    try (PersistentTierIndex index = open()) {
      ReconcileReport report = index.reconcile(synthetic);

      assertThat(report.added()).isEqualTo(count);
      assertThat(index.size()).isEqualTo(count);
      assertThat(index.growths()).isPositive();
      IndexEntry into = new IndexEntry();
      for (int i = 0; i < count; i++) {
        assertThat(index.get(name(i), into)).as(name(i)).isTrue();
        assertThat(into.size()).isEqualTo(i);
      }
    }
  }
}
