package io.objmapper.examples.cli;

import io.objmapper.OpenProgress;
import java.io.PrintStream;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * What the launcher shows while a store it opens walks a tier's files ({@link OpenProgress}: a
 * first open, or one after a crash, of a large store): once a tier's walk has taken more than
 * {@value #SHOW_AFTER_MILLIS} ms, the display {@code import} uses (a progress bar on a terminal,
 * otherwise a line every {@value ImportProgress#LINE_PERIOD_SECONDS} s such as {@code open: tier
 * disk: 412,000 objects, 25.1 MiB, 80,000 objects/s}), and, when not a terminal, a last line
 * once the walk ends. A quick open shows nothing.
 */
final class OpenProgressDisplay implements OpenProgress {
  /** A walk shorter than this shows nothing. */
  static final long SHOW_AFTER_MILLIS = 1_000;

  /** Starts the display of {@code task}, begun at {@code startNanos}. */
  interface Displays {
    ImportProgress start(String task, long startNanos);
  }

  private final Displays displays;
  private final LongSupplier nanoClock;
  private final PrintStream lastLines;

  private String tier;
  private long startNanos;
  private ImportProgress shown;
  private long shownFiles;
  private long shownBytes;

  /**
   * @param lastLines where the line at the end of a shown walk goes; null for none (a bar shows
   *     its end by itself)
   */
  OpenProgressDisplay(Displays displays, LongSupplier nanoClock, PrintStream lastLines) {
    this.displays = displays;
    this.nanoClock = nanoClock;
    this.lastLines = lastLines;
  }

  /** A progress bar if this process runs on a terminal, else lines on {@code err}, as {@code import} shows. */
  static OpenProgressDisplay forStderr(PrintStream err) {
    LongSupplier clock = System::nanoTime;
    if (System.console() != null) {
      return new OpenProgressDisplay(
          (task, start) -> new ImportProgress.Bar(task, Duration.ofNanos(clock.getAsLong() - start)), clock, null);
    }
    return new OpenProgressDisplay((task, start) -> new ImportProgress.Lines(task, err, clock, start, true), clock,
        err);
  }

  @Override
  public void walked(String tierName, long files, long bytes, boolean done) {
    long now = nanoClock.getAsLong();
    if (!tierName.equals(tier)) {
      end();
      tier = tierName;
      startNanos = now;
    }
    if (shown == null && now - startNanos >= SHOW_AFTER_MILLIS * 1_000_000) {
      shown = displays.start("open: tier " + tierName, startNanos);
    }
    if (shown != null) {
      shown.step(files - shownFiles, bytes - shownBytes);
      shownFiles = files;
      shownBytes = bytes;
    }
    if (done) {
      if (shown instanceof ImportProgress.Lines lines && lastLines != null) {
        lastLines.println(lines.line() + ", done");
      }
      end();
    }
  }

  private void end() {
    if (shown != null) {
      shown.close();
    }
    shown = null;
    shownFiles = 0;
    shownBytes = 0;
    tier = null;
  }
}
