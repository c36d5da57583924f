package io.objmapper.internal.lifecycle;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The line form the store's journals share: how each kind of damage and change is read. */
class JournalTextTest {
  @TempDir Path dir;

  @Test
  void noFileOrNoWholeLineIsNoRecord() throws IOException {
    assertThat(JournalText.read(dir.resolve("none"), "M 1", "a test journal", List.of("a")).records()).isEmpty();
    Path cut = Files.writeString(dir.resolve("cut"), "M 1\ta", UTF_8); // the header itself cut short
    assertThat(JournalText.read(cut, "M 1", "a test journal", List.of("a")).records()).isEmpty();
  }

  @Test
  void aLineCutShortAndTheZeroFilledRoomAfterTheLinesAreNoRecords() throws IOException {
    byte[] text = (JournalText.header("M 1", List.of("a")) + "\nR\t0\t/x\nR\t0\t/y").getBytes(UTF_8);
    byte[] withRoom = java.util.Arrays.copyOf(text, text.length + 64);
    Path f = Files.write(dir.resolve("j"), withRoom);
    assertThat(JournalText.read(f, "M 1", "a test journal", List.of("a")).records()).containsExactly("R\t0\t/x");
  }

  @Test
  void anotherFileIsRefusedByName() throws IOException {
    Path f = Files.writeString(dir.resolve("j"), "something else\nR\n", UTF_8);
    assertThatThrownBy(() -> JournalText.read(f, "M 1", "a test journal", List.of("a")))
        .isInstanceOf(IOException.class).hasMessageContaining("is not a test journal")
        .hasMessageContaining("\"something else\"");
  }

  @Test
  void tierPositionsMapToTheTiersConfiguredNowByName() throws IOException {
    Path f = Files.writeString(dir.resolve("j"), JournalText.header("M 1", List.of("fast", "gone", "slow")) + "\n", UTF_8);
    JournalText j = JournalText.read(f, "M 1", "a test journal", List.of("slow", "fast", "new"));
    assertThat(j.tierId(0)).isEqualTo(1);
    assertThat(j.tierId(1)).as("a tier no longer configured").isEqualTo(-1);
    assertThat(j.tierId(2)).isEqualTo(0);
    assertThat(j.tierId(3)).as("no such position").isEqualTo(-1);
    assertThat(j.tierId(-1)).isEqualTo(-1);
  }

  @Test
  void controlCharactersInATierNameCannotBreakALine() {
    assertThat(JournalText.header("M 1", List.of("a\tb\nc"))).isEqualTo("M 1\ta?b?c");
    assertThat(JournalText.sanitize("x\u007fy")).isEqualTo("x?y");
  }
}
