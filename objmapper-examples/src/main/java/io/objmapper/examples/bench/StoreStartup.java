package io.objmapper.examples.bench;

import io.objmapper.ObjMapper;
import io.objmapper.ObjectLease;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Store startup with many objects already indexed (issue 3 target: first request served
 * ≤ 1 s after {@code build()} starts). Two steps, each its own JVM:
 *
 * <pre>
 * java FLAGS -cp objmapper.jar io.objmapper.examples.bench.StoreStartup prepare DIR N
 * java FLAGS -cp objmapper.jar io.objmapper.examples.bench.StoreStartup measure DIR
 * </pre>
 *
 * {@code prepare} writes N small files under DIR/disk (names of about 60 bytes), opens a
 * store on them (one walk of the tier counts it and fills its Chronicle Map index while
 * {@code build()} runs), and closes it cleanly. {@code measure}, in a fresh JVM, times
 * {@code build()} to the first successful {@code open()} and the first open of an object
 * not yet used.
 */
public final class StoreStartup {
  private StoreStartup() {}

  static String name(long i) {
    return String.format(Locale.ROOT, "/bucket-%03d/objects/2026/11/24/object-with-a-long-name-%010d", i % 1000, i);
  }

  static ObjMapper.Builder store(Path dir, long expected) {
    return ObjMapper.builder()
        .tier(TierConfig.builder().name("disk").type("fs").root(dir.resolve("disk"))
            .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE).persistIndex(true).build())
        .expectedObjects(expected);
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: StoreStartup prepare DIR N | measure DIR");
      System.exit(2);
    }
    Path dir = Path.of(args[1]);
    if (args[0].equals("prepare")) {
      long n = Long.parseLong(args[2]);
      long t0 = System.nanoTime();
      byte[] data = new byte[16];
      for (long i = 0; i < n; i++) {
        Path f = dir.resolve("disk").resolve(name(i).substring(1));
        if (i < 1000) { // the first object of each of the 1000 directories
          Files.createDirectories(f.getParent());
        }
        Files.write(f, data);
      }
      System.out.printf(Locale.ROOT, "wrote %d files in %.1f s%n", n, (System.nanoTime() - t0) / 1e9);
      long t1 = System.nanoTime();
      try (ObjMapper s = store(dir, n).build()) { // the index is complete once build() returns
        System.out.printf(Locale.ROOT, "first open (one walk: counts + index) took %.1f s; %d objects, %d listed"
            + " in /bucket-000/%n", (System.nanoTime() - t1) / 1e9, s.stats().tiers().get(0).objects(),
            s.list("/bucket-000/").size());
      }
      return;
    }
    long t0 = System.nanoTime();
    try (ObjMapper s = store(dir, 1).build()) {
      long built = System.nanoTime();
      try (ObjectLease lease = s.open(name(7))) {
        long first = System.nanoTime();
        System.out.printf(Locale.ROOT, "build() %.0f ms, first request served %.0f ms after build() started (%d bytes)%n",
            (built - t0) / 1e6, (first - t0) / 1e6, lease.size());
      }
      long t2 = System.nanoTime();
      s.open(name(123_457 % Math.max(1, s.stats().tiers().get(0).objects()))).close();
      System.out.printf(Locale.ROOT, "an object not used before: %.0f us; tier reports %d objects%n",
          (System.nanoTime() - t2) / 1e3, s.stats().tiers().get(0).objects());
    }
  }
}
