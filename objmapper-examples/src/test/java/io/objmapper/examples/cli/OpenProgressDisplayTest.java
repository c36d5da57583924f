package io.objmapper.examples.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** What the launcher shows while a store it opens walks a tier's files (stderr not a terminal). */
class OpenProgressDisplayTest {
  private static final long SECOND = 1_000_000_000L;

  private final AtomicLong nanos = new AtomicLong(7 * SECOND);
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final PrintStream err = new PrintStream(out, true, UTF_8);
  private final List<String> started = new ArrayList<>();
  private final OpenProgressDisplay display = new OpenProgressDisplay((task, start) -> {
    started.add(task + " from " + (start - 7 * SECOND) / SECOND + " s");
    return new ImportProgress.Lines(task, err, nanos::get, start, false);
  }, nanos::get, err);

  @Test
  void aWalkShorterThanASecondShowsNothing() {
    display.walked("memory", 0, 0, true);
    display.walked("disk", 1_000, 64_000, false);
    nanos.addAndGet(SECOND / 2);
    display.walked("disk", 1_500, 96_000, false);
    display.walked("disk", 1_500, 96_000, true);
    assertThat(started).isEmpty();
    assertThat(out.toString(UTF_8)).isEmpty();
  }

  @Test
  void aLongerWalkGetsTheImportsDisplayCountedFromItsStartAndALastLine() {
    display.walked("disk", 1_000, 1_024_000, false);
    nanos.addAndGet(2 * SECOND);
    display.walked("disk", 2_000, 2_048_000, false);
    nanos.addAndGet(2 * SECOND);
    display.walked("disk", 4_000, 4_096_000, false);
    display.walked("disk", 4_000, 4_096_000, true);
    assertThat(started).containsExactly("open: tier disk from 0 s");
    assertThat(out.toString(UTF_8))
        .isEqualTo("open: tier disk: 4,000 objects, 3.9 MiB, 1,000 objects/s, done" + System.lineSeparator());
  }

  @Test
  void eachTierWalkedGetsItsOwnDisplay() {
    display.walked("ssd", 1_000, 10, false);
    nanos.addAndGet(2 * SECOND);
    display.walked("ssd", 2_000, 20, true);
    display.walked("hdd", 1_000, 10, false);
    nanos.addAndGet(3 * SECOND);
    display.walked("hdd", 3_000, 30, true);
    assertThat(started).containsExactly("open: tier ssd from 0 s", "open: tier hdd from 2 s");
    assertThat(out.toString(UTF_8).lines()).containsExactly(
        "open: tier ssd: 2,000 objects, 20 B, 1,000 objects/s, done",
        "open: tier hdd: 3,000 objects, 30 B, 1,000 objects/s, done");
  }
}
