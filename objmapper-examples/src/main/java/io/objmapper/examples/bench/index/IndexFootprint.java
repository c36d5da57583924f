package io.objmapper.examples.bench.index;

import io.objmapper.internal.index.IndexEntry;
import io.objmapper.internal.index.IndexOptions;
import io.objmapper.internal.index.OpenState;
import io.objmapper.internal.index.PersistentTierIndex;
import io.objmapper.internal.index.ReconcileReport;
import io.objmapper.internal.index.TierFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Measures the per-tier index at scale: fill rate, bytes per entry (map file, disk blocks,
 * heap, resident memory), lookup rate, reopen time in a fresh JVM (from {@code open()} to the
 * first successful get, clean and after an unclean stop) and rebuild rate from a synthetic scan.
 * Names are exactly 60 UTF-8 bytes.
 *
 * <p>A plain program rather than a JMH benchmark: these are one-shot, whole-process figures
 * (file sizes, first use in a fresh JVM) that JMH's repeated invocations would hide. Run it
 * from the shaded jar with the Chronicle Map JVM flags (see the parent pom's
 * {@code objmapper.jvm.flags}):
 *
 * <pre>
 * mvn -B -o -q package -DskipTests -pl objmapper-examples -am
 * java $FLAGS -cp objmapper-examples/target/objmapper.jar \
 *     io.objmapper.examples.bench.index.IndexFootprint --entries 1000000 [--dir DIR] [--keep]
 * </pre>
 *
 * The reopen measurements start child JVMs with the same java, class path and
 * {@code --add-opens}/{@code --add-exports}/{@code -Dchronicle} flags as this one.
 */
public final class IndexFootprint {
  static final int NAME_BYTES = 60;
  /** First line of a mapping in /proc/PID/smaps: {@code start-end perms offset dev inode path}. */
  private static final Pattern MAPPING_HEADER = Pattern.compile("[0-9a-f]+-[0-9a-f]+ ");
  private static final String CHILD = "--child-reopen";

  private IndexFootprint() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals(CHILD)) {
      childReopen(Path.of(args[1]), Long.parseLong(args[2]));
      return;
    }
    long entries = 1_000_000;
    Path dir = null;
    boolean keep = false;
    int reopenRuns = 3;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--entries" -> entries = Long.parseLong(args[++i].replace("_", ""));
        case "--dir" -> dir = Path.of(args[++i]);
        case "--keep" -> keep = true;
        case "--reopen-runs" -> reopenRuns = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + " (use --entries N, --dir DIR, --keep, --reopen-runs N)");
      }
    }
    if (dir == null) {
      dir = Files.createTempDirectory("objmapper-index-footprint");
    } else {
      Files.createDirectories(dir);
    }
    try {
      new IndexFootprint().run(dir, entries, reopenRuns);
    } finally {
      if (!keep) {
        deleteTree(dir);
      }
    }
  }

  private void run(Path dir, long n, int reopenRuns) throws Exception {
    System.out.printf(Locale.ROOT, "# objmapper tier index footprint: %,d entries, %d-byte names, java %s, %d cpus%n",
        n, NAME_BYTES, System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
    System.out.printf(Locale.ROOT, "# sample name: %s%n", name(n - 1));
    Path file = dir.resolve("fill.idx");

    // ---- first use in this JVM (code generation), kept out of the other figures
    long t0 = System.nanoTime();
    try (PersistentTierIndex warmUp = PersistentTierIndex.open(dir.resolve("warm-up.idx"), 1_000)) {
      warmUp.put(name(0), new IndexEntry());
      check(warmUp.contains(name(0)), "warm-up put lost");
    }
    line("first index in this JVM, open+put+get", "%.0f ms", (System.nanoTime() - t0) / 1e6);

    // ---- fill, sized from configuration
    long heap0 = usedHeapAfterGc();
    t0 = System.nanoTime();
    PersistentTierIndex index = PersistentTierIndex.open(file, IndexOptions.builder()
        .expectedEntries(n).averageNameBytes(NAME_BYTES).build());
    long openNanos = System.nanoTime() - t0;
    IndexEntry e = new IndexEntry();
    t0 = System.nanoTime();
    for (long i = 0; i < n; i++) {
      index.put(name(i), entry(e, i));
    }
    long fillNanos = System.nanoTime() - t0;
    long heap1 = usedHeapAfterGc();
    Path mapFile = index.mapFile();
    long resident = residentBytesOf(mapFile);
    long fileBytes = Files.size(mapFile);
    long diskBytes = allocatedBytes(mapFile);
    line("create a map declared for all of them", "%.0f ms", openNanos / 1e6);
    line("fill", "%,.0f puts/s (%.1f s), %d growths, declared for %,d", n / sec(fillNanos), sec(fillNanos),
        index.growths(), index.capacity());
    line("map file", "%,d bytes = %.1f B/entry (disk blocks %.1f B/entry)", fileBytes, (double) fileBytes / n,
        diskBytes < 0 ? Double.NaN : (double) diskBytes / n);
    line("heap growth after fill", "%.2f B/entry", (double) (heap1 - heap0) / n);
    line("resident pages of the map file after fill", "%.1f B/entry (from /proc/self/smaps)",
        resident < 0 ? Double.NaN : (double) resident / n);
    line("total heap + mapped", "%.1f B/entry", (double) (heap1 - heap0 + fileBytes) / n);

    // ---- lookups
    for (int round = 0; round < 2; round++) {
      t0 = System.nanoTime();
      long found = 0;
      for (long i = 0; i < n; i++) {
        found += index.get(name(i), e) ? 1 : 0;
      }
      long nanos = System.nanoTime() - t0;
      check(found == n, "lost entries: " + found);
      line("get, one thread, round " + (round + 1), "%,.0f gets/s (name built per get)", n / sec(nanos));
    }
    t0 = System.nanoTime();
    long[] walked = {0};
    index.forEachWithPrefix("/photos/2024/007/", (name, entry) -> {
      walked[0]++;
      return true;
    });
    long walkNanos = System.nanoTime() - t0;
    line("prefix walk (1/1000 of names match)", "%.0f ms = %,.0f entries/s, %,d matched", walkNanos / 1e6,
        n / sec(walkNanos), walked[0]);
    index.close();

    // ---- reopen in fresh JVMs
    List<Double> clean = new ArrayList<>();
    for (int r = 0; r < reopenRuns; r++) {
      clean.add(reopenInChild(file, n, OpenState.CLEAN));
    }
    line("reopen clean, fresh JVM, open() to first get", "%s ms", fmt(clean));
    // After an unclean stop the map is moved aside unread and rebuilt from a scan: the rebuild lines.

    // ---- rebuild from a scan
    rebuild(dir.resolve("rebuild-sized.idx"), n, n, "rebuild into an index sized for them");
    rebuild(dir.resolve("rebuild-grown.idx"), n, Math.max(IndexOptions.MIN_ENTRIES, n / 8),
        "rebuild into an index declared for 1/8 (grows)");
  }

  private void rebuild(Path file, long n, long declared, String label) throws IOException {
    TierFiles scan = new SyntheticScan(n);
    try (PersistentTierIndex index = PersistentTierIndex.open(file, IndexOptions.builder()
        .expectedEntries(declared).averageNameBytes(NAME_BYTES).build())) {
      ReconcileReport first = index.reconcile(scan);
      check(first.added() == n && index.size() == n, "rebuild lost entries: " + first);
      long fileBytes = Files.size(index.mapFile());
      line(label, "%,.0f files/s (%.1f s), %d growths, map file %.1f B/entry", first.filesPerSecond(),
          sec(first.durationNanos()), index.growths(), (double) fileBytes / n);
      ReconcileReport again = index.reconcile(scan);
      check(again.unchanged() == n, "second reconciliation changed something: " + again);
      line("  reconcile again, nothing changed", "%,.0f files/s", again.filesPerSecond());
    }
  }

  /** Starts a JVM that opens the index and gets one name; returns its open-to-first-get ms. */
  private double reopenInChild(Path file, long n, OpenState expected) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports") || arg.startsWith("-Dchronicle")
          || arg.startsWith("--enable-native-access") || arg.startsWith("--sun-misc-unsafe-memory-access")) {
        command.add(arg);
      }
    }
    command.addAll(Arrays.asList("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp",
        System.getProperty("java.class.path"), IndexFootprint.class.getName(), CHILD, file.toString(),
        Long.toString(n)));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String result = null;
    StringBuilder output = new StringBuilder();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        output.append(line).append('\n');
        if (line.startsWith("reopen ")) {
          result = line;
        }
      }
    } finally {
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
      }
    }
    check(result != null && p.exitValue() == 0, "child failed:\n" + output);
    String[] parts = result.split(" ");
    check(parts[1].equals(expected.name()), "child opened " + parts[1] + ", expected " + expected);
    return Double.parseDouble(parts[2]);
  }

  private static void childReopen(Path file, long n) throws IOException {
    String probe = name(n / 2);
    IndexEntry e = new IndexEntry();
    long t0 = System.nanoTime();
    try (PersistentTierIndex index = PersistentTierIndex.open(file, n)) {
      boolean found = index.get(probe, e);
      long nanos = System.nanoTime() - t0;
      check(found && e.size() == n / 2, "probe not found after reopen");
      System.out.printf(Locale.ROOT, "reopen %s %.1f%n", index.openState(), nanos / 1e6);
    }
  }

  /** A tier of {@code n} files that exists only as names: the index's side of a rebuild. */
  private static final class SyntheticScan implements TierFiles {
    private final long n;

    SyntheticScan(long n) {
      this.n = n;
    }

    @Override
    public void scan(ScanSink sink) {
      for (long i = 0; i < n; i++) {
        sink.file(name(i), i, 1_700_000_000_000L + i, (int) i);
      }
    }

    @Override
    public boolean stat(String name, IndexEntry into) {
      return false;
    }

    @Override
    public String toString() {
      return "synthetic scan of " + n + " files";
    }
  }

  /** A 60-byte name: {@code /photos/2024/ddd/cat-picture-dddddddddddddddd-originals.jpeg}. */
  static String name(long i) {
    StringBuilder sb = new StringBuilder(NAME_BYTES).append("/photos/2024/");
    pad(sb, i % 1000, 3).append("/cat-picture-");
    pad(sb, i, 16).append("-originals.jpeg");
    return sb.toString();
  }

  private static StringBuilder pad(StringBuilder sb, long v, int width) {
    String s = Long.toString(v);
    for (int k = s.length(); k < width; k++) {
      sb.append('0');
    }
    return sb.append(s);
  }

  private static IndexEntry entry(IndexEntry e, long i) {
    return e.set(i, 1_700_000_000_000L + i, (int) i, 0);
  }

  private static void line(String what, String format, Object... args) {
    System.out.printf(Locale.ROOT, "%-58s " + format + "%n", prepend(what + ":", args));
  }

  private static Object[] prepend(Object first, Object[] rest) {
    Object[] all = new Object[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }

  private static String fmt(List<Double> values) {
    StringBuilder sb = new StringBuilder();
    for (double v : values) {
      sb.append(sb.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.0f", v));
    }
    return sb.toString();
  }

  private static double sec(long nanos) {
    return nanos / 1e9;
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalStateException(message);
    }
  }

  private static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** Resident bytes of this process's mappings of {@code file} (/proc/self/smaps), or -1. */
  private static long residentBytesOf(Path file) {
    String path = file.toAbsolutePath().toString();
    long total = 0;
    boolean inMapping = false;
    boolean found = false;
    try (BufferedReader r = Files.newBufferedReader(Path.of("/proc/self/smaps"), StandardCharsets.UTF_8)) {
      for (String l = r.readLine(); l != null; l = r.readLine()) {
        if (MAPPING_HEADER.matcher(l).lookingAt()) {
          inMapping = l.endsWith(path);
          found |= inMapping;
        } else if (inMapping && l.startsWith("Rss:")) {
          total += Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return found ? total : -1;
  }

  /** Disk blocks of {@code file} in bytes (via {@code stat}), or -1 if unknown. */
  private static long allocatedBytes(Path file) {
    try {
      Process p = new ProcessBuilder("stat", "-c", "%b %B", file.toString()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        return -1;
      }
      String[] parts = out.split(" ");
      return Long.parseLong(parts[0]) * Long.parseLong(parts[1]);
    } catch (IOException | RuntimeException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
