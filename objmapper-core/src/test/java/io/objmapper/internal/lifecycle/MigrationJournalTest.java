package io.objmapper.internal.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.internal.lifecycle.MigrationJournal.Pending;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal of moves: what a restart finds unfinished, whatever state a crash left the file in. */
class MigrationJournalTest {
  private static final List<String> TIERS = List.of("fast", "slow");
  @TempDir Path dir;

  private Path file() {
    return dir.resolve(".objmapper_migrations");
  }

  /** A journal left by a run that died: the file as it was, without a close. */
  private static void leave(MigrationJournal j) throws IOException {
    j.abandon();
  }

  @Test
  void noFileExistsUntilTheFirstMove() throws Exception {
    try (MigrationJournal j = MigrationJournal.open(file(), TIERS)) {
      assertThat(j.pending()).isEmpty();
      assertThat(file()).doesNotExist();
      j.begin("/a", 0, 1);
      assertThat(file()).exists();
    }
  }

  @Test
  void aLinkInItsPlaceIsRefusedOnReadAndReplacedOnWriteNeverFollowed(@TempDir Path outside) throws Exception {
    Path secret = Files.writeString(outside.resolve("secret"), "B\t1\t0\t1\t/x\n", StandardCharsets.UTF_8);
    Files.createSymbolicLink(file(), secret);
    assertThatThrownBy(() -> MigrationJournal.open(file(), TIERS)).isInstanceOf(java.nio.file.FileSystemException.class)
        .hasMessageContaining(".objmapper_migrations").hasMessageContaining("not a regular file");

    Files.delete(file());
    try (MigrationJournal j = MigrationJournal.open(file(), TIERS)) {
      Files.createSymbolicLink(file(), secret); // made while it runs, before its first move
      j.begin("/a", 0, 1);
    }
    assertThat(Files.readString(secret)).isEqualTo("B\t1\t0\t1\t/x\n");
    assertThat(Files.isSymbolicLink(file())).isFalse();
  }

  @Test
  void aMoveBegunAndNotEndedIsPendingAtTheNextOpen() throws Exception {
    MigrationJournal j = MigrationJournal.open(file(), TIERS);
    long a = j.begin("/a", 0, 1);
    j.begin("/b", 1, 0);
    j.end(a);
    leave(j);
    try (MigrationJournal again = MigrationJournal.open(file(), TIERS)) {
      assertThat(again.pending()).containsExactly(new Pending("/b", 1, 0));
    }
  }

  @Test
  void aRoundsMovesAreRegisteredTogetherAndThoseNotEndedArePending() throws Exception {
    MigrationJournal j = MigrationJournal.open(file(), TIERS);
    long[] seqs = j.beginAll(List.of(new Pending("/a", 0, 1), new Pending("/b", 0, 1), new Pending("/c", 1, 0)));
    assertThat(seqs).doesNotHaveDuplicates().hasSize(3);
    j.end(seqs[0]);
    j.end(seqs[2], true);
    leave(j);
    try (MigrationJournal again = MigrationJournal.open(file(), TIERS)) {
      assertThat(again.pending()).containsExactly(new Pending("/b", 0, 1));
    }
  }

  @Test
  void aCleanCloseWithNothingInFlightLeavesNoFile() throws Exception {
    try (MigrationJournal j = MigrationJournal.open(file(), TIERS)) {
      j.end(j.begin("/a", 0, 1));
    }
    assertThat(file()).doesNotExist();
    try (MigrationJournal j = MigrationJournal.open(file(), TIERS)) {
      assertThat(j.pending()).isEmpty();
    }
  }

  @Test
  void pendingMovesStayInTheFileUntilRestartSaysTheyAreResolved() throws Exception {
    MigrationJournal j = MigrationJournal.open(file(), TIERS);
    j.begin("/a", 0, 1);
    leave(j);
    MigrationJournal second = MigrationJournal.open(file(), TIERS);
    leave(second); // died again before resolving them
    try (MigrationJournal third = MigrationJournal.open(file(), TIERS)) {
      assertThat(third.pending()).containsExactly(new Pending("/a", 0, 1));
      third.restart();
      assertThat(third.pending()).isEmpty();
    }
    try (MigrationJournal fourth = MigrationJournal.open(file(), TIERS)) {
      assertThat(fourth.pending()).isEmpty();
    }
  }

  @Test
  void aLineACrashCutShortIsIgnored() throws Exception {
    MigrationJournal j = MigrationJournal.open(file(), TIERS);
    j.begin("/a", 0, 1);
    leave(j);
    Files.writeString(file(), "B\t2\t0\t1\t/b/cut-sh", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    try (MigrationJournal again = MigrationJournal.open(file(), TIERS)) {
      assertThat(again.pending()).containsExactly(new Pending("/a", 0, 1));
    }
  }

  @Test
  void tiersAreMatchedByNameWhenTheConfigurationReordersThem() throws Exception {
    MigrationJournal j = MigrationJournal.open(file(), TIERS);
    j.begin("/a", 0, 1);
    leave(j);
    try (MigrationJournal again = MigrationJournal.open(file(), List.of("mem", "slow", "fast"))) {
      assertThat(again.pending()).containsExactly(new Pending("/a", 2, 1));
    }
  }

  @Test
  void aMoveBetweenTiersNoLongerConfiguredIsLeftAsItIs() throws Exception {
    MigrationJournal j = MigrationJournal.open(file(), TIERS);
    j.begin("/a", 0, 1);
    leave(j);
    try (MigrationJournal again = MigrationJournal.open(file(), List.of("slow"))) {
      assertThat(again.pending()).isEmpty();
    }
  }

  @Test
  void aFileThatIsNotAJournalIsRefusedAndLeftAlone() throws Exception {
    Files.writeString(file(), "something else\n");
    assertThatThrownBy(() -> MigrationJournal.open(file(), TIERS)).isInstanceOf(IOException.class)
        .hasMessageContaining("is not a migration journal");
    assertThat(Files.readString(file())).isEqualTo("something else\n");
  }

  @Test
  void theJournalStartsOverOnceItIsLargeAndNoMoveIsInFlight() throws Exception {
    try (MigrationJournal j = MigrationJournal.open(file(), TIERS)) {
      String name = "/" + "n".repeat(200);
      for (int i = 0; i < 6_000; i++) {
        j.end(j.begin(name, 0, 1));
      }
      assertThat(Files.size(file())).isLessThan(1 << 20);
    }
  }
}
