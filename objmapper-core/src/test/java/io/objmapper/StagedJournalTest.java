package io.objmapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.spi.ObjectStat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal of staged copies: what a later open reads back of what a run recorded. */
class StagedJournalTest {
  @TempDir Path dir;

  private static StagedCopies.Copy copy(int remote, int local, String etag, long crc, long size) {
    return new StagedCopies.Copy(remote, local, new ObjectStat(size, 1_700_000_000_000L, etag), 5_000_000_000L, 0,
        crc, size, true);
  }

  @Test
  void aCompletedStagingIsReadBackWithItsRemoteVersionChecksumAndSize() throws IOException {
    try (StagedJournal j = StagedJournal.at(dir, List.of("disk", "archive"))) {
      j.awaitSynced(j.syncInBackground());
      j.staging("/a b/é.bin", 0);
      j.awaitSynced(j.syncInBackground());
      j.staged("/a b/é.bin", copy(1, 0, "0123abcd", 0xfedcba98L, 4096));
    }

    List<StagedJournal.Found> found = StagedJournal.at(dir, List.of("disk", "archive")).read();

    assertThat(found).hasSize(1);
    StagedJournal.Found f = found.get(0);
    assertThat(f.name()).isEqualTo("/a b/é.bin");
    assertThat(f.local()).isZero();
    assertThat(f.complete()).isEqualTo(new StagedJournal.Record(1, 0,
        new ObjectStat(4096, 1_700_000_000_000L, "0123abcd"), 0xfedcba98L, 4096));
  }

  @Test
  void aLinkOrFifoInItsPlaceIsRefusedNamingItNeverFollowedOrWaitedOn(@TempDir Path outside) throws Exception {
    Path secret = Files.writeString(outside.resolve("secret"), "outside", StandardCharsets.UTF_8);
    Path file = dir.resolve(StagedJournal.FILE_NAME);
    Files.createSymbolicLink(file, secret);
    assertThatThrownBy(() -> StagedJournal.at(dir, List.of("disk", "archive")).read())
        .isInstanceOf(java.nio.file.FileSystemException.class).hasMessageContaining(StagedJournal.FILE_NAME)
        .hasMessageContaining("not a regular file");
    assertThat(Files.readString(secret)).isEqualTo("outside");

    Files.delete(file);
    Process mkfifo = new ProcessBuilder("mkfifo", file.toString()).start();
    assertThat(mkfifo.waitFor()).isZero();
    assertThatThrownBy(() -> org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
        () -> StagedJournal.at(dir, List.of("disk", "archive")).read()))
        .isInstanceOf(java.nio.file.FileSystemException.class).hasMessageContaining("not a regular file");
  }

  @Test
  void aStagingsRecordIsInTheFileOnceItsSyncIsAwaitedThoughTheStagingWroteNothing() throws IOException {
    try (StagedJournal j = StagedJournal.at(dir, List.of("disk", "archive"))) {
      j.staging("/y", 0);
      j.awaitSynced(j.syncInBackground());
      // Read while the journal is still open (as after a kill): the background sync wrote it.
      assertThat(StagedJournal.at(dir, List.of("disk", "archive")).read())
          .containsExactly(new StagedJournal.Found("/y", 0, null));
    }
  }

  @Test
  void aStagingWhoseCopyIsSyncedInsteadWritesItsRecordAtOnce() throws IOException {
    try (StagedJournal j = StagedJournal.at(dir, List.of("disk", "archive"))) {
      assertThat(new StagedCopies(j).staging("/z", 0, StagedCopies.Durability.COPY)).isZero();
      assertThat(StagedJournal.at(dir, List.of("disk", "archive")).read())
          .containsExactly(new StagedJournal.Found("/z", 0, null));
    }
  }

  @Test
  void recordsOfStagingsAndTheirEndsKeepTheirOrderWhateverWritesThem() throws IOException {
    try (StagedJournal j = StagedJournal.at(dir, List.of("disk", "archive"))) {
      j.staging("/a", 0);          // pending
      j.abandoned("/a", null);     // written with the pending record before it
      j.staging("/b", 0);
      j.staged("/b", copy(1, 0, "e", 3, 30));
      j.staging("/c", 0);
      j.awaitSynced(j.syncInBackground());
      assertThat(StagedJournal.at(dir, List.of("disk", "archive")).read()).containsExactly(
          new StagedJournal.Found("/b", 0, new StagedJournal.Record(1, 0,
              new ObjectStat(30, 1_700_000_000_000L, "e"), 3, 30)),
          new StagedJournal.Found("/c", 0, null));
    }
  }

  @Test
  void aStagingBegunAndNeverCompletedIsReadBackAsSuspect() throws IOException {
    try (StagedJournal j = StagedJournal.at(dir, List.of("disk", "archive"))) {
      j.staged("/x", copy(1, 0, "e1", 1, 10));
      j.staging("/x", 0); // a second staging of /x, cut short
    }

    List<StagedJournal.Found> found = StagedJournal.at(dir, List.of("disk", "archive")).read();

    assertThat(found).containsExactly(new StagedJournal.Found("/x", 0, null));
  }

  @Test
  void aForgottenCopyAndALineACrashCutShortAreNotReadBack() throws IOException {
    try (StagedJournal j = StagedJournal.at(dir, List.of("disk", "archive"))) {
      j.staged("/gone", copy(1, 0, "e1", 1, 10));
      j.forgotten("/gone");
      j.staged("/kept", copy(1, 0, "e2", 2, 20));
    }
    // A line a crash cut short: written where the lines end, without its newline.
    byte[] file = Files.readAllBytes(dir.resolve(StagedJournal.FILE_NAME));
    int end = new String(file, StandardCharsets.UTF_8).indexOf('\0');
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(dir.resolve(StagedJournal.FILE_NAME),
        StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap("C\t1\t0\t5".getBytes(StandardCharsets.UTF_8)), end);
    }

    List<StagedJournal.Found> found = StagedJournal.at(dir, List.of("disk", "archive")).read();

    assertThat(found).extracting(StagedJournal.Found::name).containsExactly("/kept");
  }

  @Test
  void tiersAreMatchedByNameAndACopyOfATierNoLongerConfiguredIsLeftAlone() throws IOException {
    try (StagedJournal j = StagedJournal.at(dir, List.of("disk", "archive", "old"))) {
      j.staged("/a", copy(1, 0, "e1", 1, 10));
      j.staged("/b", copy(2, 0, "e2", 2, 20));
    }

    List<StagedJournal.Found> found = StagedJournal.at(dir, List.of("archive", "disk")).read();

    assertThat(found).extracting(StagedJournal.Found::name).containsExactly("/a");
    assertThat(found.get(0).complete().remote()).isZero();
    assertThat(found.get(0).complete().local()).isEqualTo(1);
  }

  @Test
  void aRewriteKeepsTheLiveCopiesAndTheStagingsInProgressOnly() throws IOException {
    try (StagedJournal j = StagedJournal.at(dir, List.of("disk", "archive"))) {
      for (int i = 0; i < 100; i++) {
        j.staged("/old" + i, copy(1, 0, "e", i, i));
      }
      j.staging("/busy", 0);
      j.rewrite(Map.of("/live", copy(1, 0, "e3", 3, 30)));
    }

    List<StagedJournal.Found> found = StagedJournal.at(dir, List.of("disk", "archive")).read();

    assertThat(found).extracting(StagedJournal.Found::name).containsExactlyInAnyOrder("/live", "/busy");
    String text = Files.readString(dir.resolve(StagedJournal.FILE_NAME), StandardCharsets.UTF_8);
    assertThat(text.substring(0, text.indexOf('\0')).lines()).hasSize(3);
  }

  @Test
  void aJournalReopenedWithoutARestoreIsWrittenOnAfterItsLines() throws IOException {
    try (StagedJournal j = StagedJournal.at(dir, List.of("disk", "archive"))) {
      j.staged("/first", copy(1, 0, "e1", 1, 10));
    }
    try (StagedJournal j = StagedJournal.at(dir, List.of("disk", "archive"))) {
      j.staged("/second", copy(1, 0, "e2", 2, 20));
    }

    assertThat(StagedJournal.at(dir, List.of("disk", "archive")).read()).extracting(StagedJournal.Found::name)
        .containsExactly("/first", "/second");
  }

  @Test
  void theFileGrowsPastItsZeroFilledRoom() throws IOException {
    try (StagedJournal j = StagedJournal.at(dir, List.of("disk", "archive"))) {
      for (int i = 0; i < 5_000; i++) {
        j.staged("/object/" + i, copy(1, 0, "etag" + i, i, i));
      }
    }

    assertThat(StagedJournal.at(dir, List.of("disk", "archive")).read()).hasSize(5_000);
  }

  @Test
  void anAbandonedStagingsEndIsSyncedBeforeTheStoreWritesTheName() throws IOException {
    try (StagedJournal j = StagedJournal.at(dir, List.of("disk", "archive"))) {
      j.staging("/missing", 0);
      j.abandoned("/missing", null); // the object was not in the bucket
      j.settle("/missing"); // the store now puts /missing itself: the end is synced first
      j.settle("/other");
    }

    assertThat(StagedJournal.at(dir, List.of("disk", "archive")).read()).isEmpty();
  }

  @Test
  void aFileThatIsNoJournalOfStagedCopiesIsAnError() throws IOException {
    Files.writeString(dir.resolve(StagedJournal.FILE_NAME), "something else\n");

    assertThatThrownBy(() -> StagedJournal.at(dir, List.of("disk")).read())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not a journal of staged copies");
  }
}
