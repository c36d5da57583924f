package io.objmapper.internal.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.spi.LocalFiles;
import io.objmapper.spi.ObjectStat;
import io.objmapper.spi.StagedWrite;
import io.objmapper.spi.Tier;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import io.objmapper.spi.dir.AtomicWrite;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LocalFiles#stage}: a write whose bytes another party writes, published atomically. */
class StagedWriteTest {
  @TempDir Path dir;
  private final FsTierProvider provider = new FsTierProvider();

  private Tier open(Path root) throws Exception {
    return provider.create(TierConfig.builder().name("disk").type("fs").root(root)
        .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE).build());
  }

  private static List<Path> temporaries(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> p.getFileName().toString().startsWith(AtomicWrite.TEMP_PREFIX)).toList();
    }
  }

  @Test
  void aCommitRenamesTheWrittenFileOverTheNameAndCountsIt() throws Exception {
    Path root = Files.createDirectories(dir.resolve("t"));
    try (Tier t = open(root)) {
      t.write("/a/b", new byte[3]);
      try (StagedWrite w = t.localFiles().orElseThrow().stage("/a/b")) {
        try (RandomAccessFile f = w.openWriter()) {
          f.write(new byte[] {1, 2, 3, 4, 5, 6, 7});
        }
        assertThat(w.size()).isEqualTo(7);
        assertThat(Files.size(root.resolve("a/b"))).as("nothing visible before the commit").isEqualTo(3);
        ObjectStat s = w.commit();
        assertThat(s.size()).isEqualTo(7);
        assertThatThrownBy(w::commit).isInstanceOf(IllegalStateException.class);
      }
      assertThat(Files.readAllBytes(root.resolve("a/b"))).containsExactly(1, 2, 3, 4, 5, 6, 7);
      assertThat(t.objectCount()).isEqualTo(1);
      assertThat(t.usedBytes()).isEqualTo(7);
      assertThat(temporaries(root)).isEmpty();
    }
  }

  @Test
  void closingWithoutACommitRemovesTheTemporaryFile() throws Exception {
    Path root = Files.createDirectories(dir.resolve("t"));
    try (Tier t = open(root)) {
      try (StagedWrite w = t.localFiles().orElseThrow().stage("/x")) {
        try (RandomAccessFile f = w.openWriter()) {
          f.write(new byte[10]);
        }
        assertThat(temporaries(root)).hasSize(1);
      }
      assertThat(temporaries(root)).isEmpty();
      assertThat(t.objectCount()).isZero();
      assertThat(root.resolve("x")).doesNotExist();
    }
  }

  @Test
  void aStagedFileACrashLeftIsRemovedByTheFirstScanOfTheTierOpenedAfterIt() throws Exception {
    Path root = Files.createDirectories(dir.resolve("t"));
    try (Tier t = open(root)) {
      t.write("/kept", new byte[2]);
    }
    Tier crashed = open(root); // adopts the counts: a second open now is the open after a crash
    StagedWrite w = crashed.localFiles().orElseThrow().stage("/d/cut-short");
    try (RandomAccessFile f = w.openWriter()) {
      f.write(new byte[5]);
    }
    assertThat(temporaries(root)).hasSize(1);
    try (Tier after = open(root)) {
      assertThat(after.objectCount()).isEqualTo(1); // no counts saved: its first scan counts
      assertThat(after.usedBytes()).isEqualTo(2);
      assertThat(temporaries(root)).isEmpty();
    } finally {
      w.close();
      crashed.close();
    }
  }

  @Test
  void aLinkedFolderIsNoPlaceToStage() throws Exception {
    Path root = Files.createDirectories(dir.resolve("t"));
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Files.createSymbolicLink(root.resolve("out"), outside);
    try (Tier t = open(root)) {
      assertThatThrownBy(() -> t.localFiles().orElseThrow().stage("/out/x")).isInstanceOf(FileAlreadyExistsException.class);
    }
    try (Stream<Path> s = Files.list(outside)) {
      assertThat(s).isEmpty();
    }
  }
}
