package io.objmapper.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The progress line an import prints every few seconds when stderr is not a terminal. */
class ImportProgressTest {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final ImportProgress.Lines lines =
      new ImportProgress.Lines("import", new PrintStream(new ByteArrayOutputStream()), nanos::get, false);

  @Test
  void aLineTellsObjectsBytesRateAndEtaOnceTheTotalIsKnown() {
    lines.total(100_000, 6_400_000);
    lines.step(40_000, 2_560_000);
    nanos.addAndGet(2_000_000_000L); // 2 s later: 20,000 objects/s, 60,000 to go
    assertThat(lines.line())
        .isEqualTo("import: 40,000 of 100,000 objects, 2.4 MiB of 6.1 MiB, 20,000 objects/s, ETA 3 s");
  }

  @Test
  void beforeTheCountThereIsNoTotalNorEta() {
    lines.step(10, 640);
    nanos.addAndGet(1_000_000_000L);
    assertThat(lines.line()).isEqualTo("import: 10 objects, 640 B, 10 objects/s");
  }

  @Test
  void longEtasAreShownAsMinutesOrHours() {
    assertThat(ImportProgress.Lines.duration(java.time.Duration.ofSeconds(125))).isEqualTo("2:05");
    assertThat(ImportProgress.Lines.duration(java.time.Duration.ofSeconds(3_725))).isEqualTo("1:02:05");
  }
}
