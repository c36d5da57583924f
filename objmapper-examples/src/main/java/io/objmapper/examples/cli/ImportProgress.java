package io.objmapper.examples.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Told as an import goes: objects and bytes done so far, and the total once counted. On a
 * terminal {@link #forStderr} draws a progress bar (objects, bytes, rate, ETA); otherwise it
 * prints one progress line every {@value #LINE_PERIOD_SECONDS} s.
 */
interface ImportProgress extends AutoCloseable {
  /** Seconds between two progress lines when stderr is not a terminal. */
  long LINE_PERIOD_SECONDS = 5;

  /** Nothing shown. */
  ImportProgress NONE = new ImportProgress() {
    @Override
    public void step(long objects, long bytes) {}

    @Override
    public void total(long objects, long bytes) {}

    @Override
    public void close() {}
  };

  /** {@code objects} more objects of {@code bytes} bytes are done (from any thread). */
  void step(long objects, long bytes);

  /** The import holds {@code objects} objects of {@code bytes} bytes in all (known after a count). */
  void total(long objects, long bytes);

  @Override
  void close();

  /** A progress bar if this process runs on a terminal, else a line every few seconds on {@code err}. */
  static ImportProgress forStderr(String task, PrintStream err) {
    return System.console() != null ? new Bar(task) : new Lines(task, err, System::nanoTime, true);
  }

  /** The progress bar of {@code me.tongfei.progressbar}, on stderr. */
  final class Bar implements ImportProgress {
    private final ProgressBar bar;
    private final AtomicLong bytes = new AtomicLong();

    Bar(String task) {
      this(task, Duration.ZERO);
    }

    /** A bar for a task that began {@code elapsed} ago (its rate counts from then). */
    Bar(String task, Duration elapsed) {
      bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(-1).setUnit(" objects", 1)
          .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).showSpeed().setUpdateIntervalMillis(200)
          .startsFrom(0, elapsed).continuousUpdate().build();
    }

    @Override
    public void step(long objects, long bytes) {
      bar.stepBy(objects);
      long b = this.bytes.addAndGet(bytes);
      if ((bar.getCurrent() & 1023) == 0) {
        bar.setExtraMessage(" " + Lines.bytes(b));
      }
    }

    @Override
    public void total(long objects, long bytes) {
      bar.maxHint(objects);
    }

    @Override
    public void close() {
      bar.setExtraMessage(" " + Lines.bytes(bytes.get()));
      bar.close();
    }
  }

  /** One line every {@value #LINE_PERIOD_SECONDS} s: objects, bytes, rate and ETA. */
  final class Lines implements ImportProgress {
    private final String task;
    private final PrintStream err;
    private final LongSupplier nanoClock;
    private final long startNanos;
    private final AtomicLong objects = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private volatile long totalObjects = -1;
    private volatile long totalBytes = -1;
    private final ScheduledExecutorService timer;

    Lines(String task, PrintStream err, LongSupplier nanoClock, boolean periodic) {
      this(task, err, nanoClock, nanoClock.getAsLong(), periodic);
    }

    /** Lines for a task that began at {@code startNanos} of {@code nanoClock} (its rate counts from then). */
    Lines(String task, PrintStream err, LongSupplier nanoClock, long startNanos, boolean periodic) {
      this.task = task;
      this.err = err;
      this.nanoClock = nanoClock;
      this.startNanos = startNanos;
      if (periodic) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
          Thread t = new Thread(r, "objmapper-import-progress");
          t.setDaemon(true);
          return t;
        });
        timer.scheduleAtFixedRate(() -> err.println(line()), LINE_PERIOD_SECONDS, LINE_PERIOD_SECONDS,
            TimeUnit.SECONDS);
      } else {
        timer = null;
      }
    }

    @Override
    public void step(long objects, long bytes) {
      this.objects.addAndGet(objects);
      this.bytes.addAndGet(bytes);
    }

    @Override
    public void total(long objects, long bytes) {
      totalObjects = objects;
      totalBytes = bytes;
    }

    @Override
    public void close() {
      if (timer != null) {
        timer.shutdownNow();
      }
    }

    /** E.g. {@code import: 41,000 of 100,000 objects, 2.5 MiB of 6.1 MiB, 20,500 objects/s, ETA 3 s}. */
    String line() {
      long n = objects.get();
      double secs = Math.max(1e-9, (nanoClock.getAsLong() - startNanos) / 1e9);
      double rate = n / secs;
      long total = totalObjects;
      StringBuilder b = new StringBuilder(task).append(": ");
      b.append(String.format(Locale.ROOT, "%,d", n));
      if (total >= 0) {
        b.append(String.format(Locale.ROOT, " of %,d", total));
      }
      b.append(" objects, ").append(bytes(bytes.get()));
      if (totalBytes >= 0) {
        b.append(" of ").append(bytes(totalBytes));
      }
      b.append(String.format(Locale.ROOT, ", %,.0f objects/s", rate));
      if (total >= 0 && rate > 0) {
        b.append(", ETA ").append(duration(Duration.ofSeconds(Math.round(Math.max(0, total - n) / rate))));
      }
      return b.toString();
    }

    static String bytes(long n) {
      if (n < 1024) {
        return n + " B";
      }
      String[] units = {"KiB", "MiB", "GiB", "TiB"};
      double v = n;
      int u = -1;
      while (v >= 1024 && u < units.length - 1) {
        v /= 1024;
        u++;
      }
      return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    static String duration(Duration d) {
      long s = d.getSeconds();
      return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
          : s >= 60 ? String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60) : s + " s";
    }
  }
}
